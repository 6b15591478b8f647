#!/usr/bin/env bash
# The kernel-device tests: builds tests/vm_devices.rs (the test command's own build, with its C libraries), boots Debian's
# kernel with uhid in a small VM, and runs it there against real hidraw and evdev devices.
set -euo pipefail
cd "$(dirname "$0")/.."
vm/fetch-kernel.sh target/vm-kernel
bin=$(vm/test-bin.sh vm_devices)
vm/build-initrd.sh target/vm-kernel target/vm-initrd.cpio.gz "$bin"
vm/run-vm.sh target/vm-kernel/vmlinux target/vm-initrd.cpio.gz 240 | tee target/vm-serial.log
