#!/usr/bin/env bash
# The Debian package on a booted Debian: a bookworm root file system with systemd and udev
# (mmdebstrap, from Debian's packages; cached in target/vm-boot), the package and the
# driver (tests/vm_boot.rs, as the test command builds it: bookworm's own libc runs it) put in it, booted whole as an initramfs with
# Debian's kernel under QEMU's software emulation. systemd runs the driver once the system
# is up; its verdict ends the VM. Usage: vm/boot-test.sh target/debian/lotstation_…_amd64.deb
set -euo pipefail
cd "$(dirname "$0")/.."
deb=${1:?usage: boot-test.sh LOTSTATION_AMD64.deb}
out=target/vm-boot
mkdir -p "$out"
vm/fetch-kernel.sh target/vm-kernel

bin=$(vm/test-bin.sh vm_boot)

# Debian with systemd, udev and apt, without documentation (it would only fill the VM's RAM)
base=$out/bookworm.tar
if [ ! -f "$base" ]; then
  mmdebstrap --quiet --variant=minbase --include=systemd,systemd-sysv,udev,kmod,dbus \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    bookworm "$out/bookworm.partial.tar"
  mv "$out/bookworm.partial.tar" "$base"
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
tar -xf "$base" -C "$root"
cp "$deb" "$root/root/lotstation.deb"
cp "$bin" "$root/root/vm_boot"
strip "$root/root/vm_boot" 2>/dev/null || true
mkdir -p "$root/root/modules"
cp target/vm-kernel/modules/*.ko "$root/root/modules/"
echo lotstation-vm > "$root/etc/hostname"
# the driver runs once the system is up, on the serial console, and ends the VM with its
# verdict (QEMU's isa-debug-exit: 0 passed, 1 failed)
cat > "$root/etc/systemd/system/boot-test.service" <<'UNIT'
[Unit]
Description=lotstation package boot test
After=multi-user.target

[Service]
Type=oneshot
Environment=LOTSTATION_BOOT_VM=1 RUST_BACKTRACE=1
ExecStart=/root/run-boot-test
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0

[Install]
WantedBy=multi-user.target
UNIT
cat > "$root/root/run-boot-test" <<'SCRIPT'
#!/bin/sh
/root/vm_boot --test-threads=1 --nocapture
rc=$?
[ "$rc" -eq 0 ] || rc=1
echo "VMTEST: exit=$rc uptime=$(cut -d' ' -f1 /proc/uptime)s"
printf "\\$(printf %o "$rc")" | dd of=/dev/port bs=1 seek=244 count=1 conv=notrunc 2>/dev/null
SCRIPT
chmod +x "$root/root/run-boot-test"
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -s ../boot-test.service "$root/etc/systemd/system/multi-user.target.wants/boot-test.service"
# no login prompt fighting the driver for the console
ln -sf /dev/null "$root/etc/systemd/system/serial-getty@ttyS0.service"
ln -sf /dev/null "$root/etc/systemd/system/getty@tty1.service"
ln -s /lib/systemd/systemd "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$out/initrd.cpio.gz"
VM_MEMORY=2048 VM_CPUS=2 VM_APPEND="systemd.show_status=false" \
  vm/run-vm.sh target/vm-kernel/vmlinux "$out/initrd.cpio.gz" 900 | tee "$out/serial.log"
