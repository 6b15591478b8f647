"""Extracts the uncompressed kernel from a bzImage (Debian compresses it with XZ): the ELF
boots through PVH, skipping seconds of decompression under emulation.
Usage: extract-vmlinux.py VMLINUZ OUT"""
import lzma
import sys

data = open(sys.argv[1], "rb").read()
start = data.find(b"\xfd7zXZ\x00")
if start < 0:
    sys.exit("no XZ stream in " + sys.argv[1])
out = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data[start:])
open(sys.argv[2], "wb").write(out)
