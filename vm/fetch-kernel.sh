#!/usr/bin/env bash
# Fetches Debian's kernel package without installing it and extracts what the device VM
# needs: an uncompressed vmlinux (boots fast under emulation), the hid, uhid, hid-generic
# and evdev modules (scanners), and USB with its dummy host controller, the gadget printer
# function and usblp (a USB printer as the kernel gives it: /dev/usb/lp0). Cached by kernel
# version in OUTDIR.
set -euo pipefail
out=${1:?usage: fetch-kernel.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
pkg=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -1)
kver=${pkg#linux-image-}
modules="hid uhid hid-generic evdev usb-common usbcore udc-core dummy_hcd configfs libcomposite usb_f_printer usblp"
if [ -f "$out/KVER" ] && [ "$(cat "$out/KVER")" = "$kver" ] && [ -f "$out/vmlinux" ] \
  && [ -f "$out/modules/usblp.ko" ]; then
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download "$pkg" >/dev/null)
dpkg-deb --fsys-tarfile "$work"/"$pkg"_*.deb | tar -x -C "$work" --wildcards \
  "./boot/vmlinuz-$kver" \
  "./lib/modules/$kver/kernel/drivers/hid/hid.ko*" "./lib/modules/$kver/kernel/drivers/hid/uhid.ko*" \
  "./lib/modules/$kver/kernel/drivers/hid/hid-generic.ko*" "./lib/modules/$kver/kernel/drivers/input/evdev.ko*" \
  "./lib/modules/$kver/kernel/drivers/usb/common/usb-common.ko*" "./lib/modules/$kver/kernel/drivers/usb/core/usbcore.ko*" \
  "./lib/modules/$kver/kernel/drivers/usb/gadget/udc/udc-core.ko*" "./lib/modules/$kver/kernel/drivers/usb/gadget/udc/dummy_hcd.ko*" \
  "./lib/modules/$kver/kernel/fs/configfs/configfs.ko*" "./lib/modules/$kver/kernel/drivers/usb/gadget/libcomposite.ko*" \
  "./lib/modules/$kver/kernel/drivers/usb/gadget/function/usb_f_printer.ko*" "./lib/modules/$kver/kernel/drivers/usb/class/usblp.ko*"
python3 "$here/extract-vmlinux.py" "$work/boot/vmlinuz-$kver" "$out/vmlinux"
mkdir -p "$out/modules"
for m in $modules; do
  f=$(find "$work/lib/modules" -name "$m.ko*" | head -1)
  case "$f" in
    *.xz) xz -dc "$f" > "$out/modules/$m.ko" ;;
    *.zst) zstd -dqc "$f" > "$out/modules/$m.ko" ;;
    *) cp "$f" "$out/modules/$m.ko" ;;
  esac
done
echo "$kver" > "$out/KVER"
