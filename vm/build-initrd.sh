#!/usr/bin/env bash
# Packs busybox, the kernel modules, the test binaries and vm/init into an initramfs.
set -euo pipefail
kdir=${1:?usage: build-initrd.sh KDIR OUT.cpio.gz TESTBIN...}
out=${2:?}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/lib/modules" "$root/tests"
cp /bin/busybox "$root/bin/busybox"
cp "$kdir"/modules/*.ko "$root/lib/modules/"
i=0
for t in "$@"; do
  i=$((i + 1))
  cp "$t" "$root/tests/$(printf %02d "$i")-$(basename "$t")"
  # debug info would not fit the VM's memory
  strip "$root/tests/$(printf %02d "$i")-$(basename "$t")" 2>/dev/null || true
  # the C libraries it links, at the paths its loader looks in
  "$here/libs-of.sh" "$t" "$root"
done
cp "$here/init" "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$out"
