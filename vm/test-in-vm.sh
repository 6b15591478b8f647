#!/usr/bin/env bash
# The kernel-device tests: builds tests/vm_devices.rs as a static binary, boots Debian's
# kernel with uhid in a small VM, and runs it there against real hidraw and evdev devices.
set -euo pipefail
cd "$(dirname "$0")/.."
vm/fetch-kernel.sh target/vm-kernel
bin=$(RUSTFLAGS="-C target-feature=+crt-static" cargo test --target x86_64-unknown-linux-gnu \
        --test vm_devices --no-run --message-format=json 2>/dev/null \
      | python3 -c 'import sys, json
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "vm_devices":
        print(m["executable"])' | tail -1)
vm/build-initrd.sh target/vm-kernel target/vm-initrd.cpio.gz "$bin"
vm/run-vm.sh target/vm-kernel/vmlinux target/vm-initrd.cpio.gz 240 | tee target/vm-serial.log
