"""Decode every barcode in PNG images with zxing-cpp (an independent decoder) and print one
JSON object per barcode: file, format, AIM symbology identifier, text and raw bytes (hex).
Usage: python decode.py IMAGE.png..."""

import json
import sys

import zxingcpp
from PIL import Image

for path in sys.argv[1:]:
    image = Image.open(path).convert("L")
    for r in zxingcpp.read_barcodes(image):
        print(json.dumps({
            "file": path,
            "format": str(r.format),
            "symbology_identifier": r.symbology_identifier,
            "content_type": str(r.content_type),
            "text": r.text,
            "bytes": r.bytes.hex(),
        }))
