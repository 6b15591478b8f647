#!/usr/bin/env bash
# Boots the kernel with the initramfs under QEMU's software emulation (KVM here is PVM and
# hangs), relays the serial console, and exits 0 if the tests passed, 1 if they failed, 2
# without a verdict (timeout, panic).
set -uo pipefail
k=${1:?usage: run-vm.sh VMLINUX INITRD [TIMEOUT]}
i=${2:?}
t=${3:-180}
rcfile=$(mktemp)
{ timeout "$t" qemu-system-x86_64 -accel tcg -m "${VM_MEMORY:-512}" -smp "${VM_CPUS:-1}" \
    -nodefaults -no-user-config -display none -serial stdio -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$k" -initrd "$i" \
    -append "console=ttyS0 quiet panic=-1 cryptomgr.notests ${VM_APPEND:-}" </dev/null
  echo $? > "$rcfile"; } | tr -d '\r'
rc=$(cat "$rcfile")
rm -f "$rcfile"
case "$rc" in
  1) exit 0 ;;
  3) exit 1 ;;
  *) echo "VMTEST: no verdict (qemu exit $rc)"; exit 2 ;;
esac
