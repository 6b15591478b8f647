#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine as on a developer's: installs what the
# tests need (idempotently), then runs formatting, lints and every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian tools the tests use as independent checks: poppler reads our PDFs back, zbarimg
# decodes barcodes, ippeveprinter is a real IPP printer (it needs D-Bus and Avahi)
need=()
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v zbarimg >/dev/null || need+=(zbar-tools)
command -v ippeveprinter >/dev/null || need+=(cups-ipp-utils)
command -v avahi-daemon >/dev/null || need+=(avahi-daemon)
command -v dbus-daemon >/dev/null || need+=(dbus)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v udevadm >/dev/null || need+=(udev)
command -v systemd-analyze >/dev/null || need+=(systemd)
# the kernel-device tests boot Debian's kernel with uhid in a small VM
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx insmod || need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# Python oracles in a project-local virtualenv: biip (an independent GS1 parser) and
# zxing-cpp (an independent barcode decoder, with AIM symbology identifiers)
if ! .venv/bin/python -c "import biip, zxingcpp, PIL" 2>/dev/null; then
  if ! python3 -m venv .venv 2>/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv python3-pip
    python3 -m venv .venv
  fi
  .venv/bin/pip install --quiet --disable-pip-version-check "biip==5.2.0" "zxing-cpp==3.1.1" pillow
fi
# the station screen is tested in Debian's Chromium, driven by playwright-core (no browser download)
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --silent)
fi

export LOTSTATION_PYTHON="$PWD/.venv/bin/python"
export LOTSTATION_ORACLES=1

cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
cargo test --all-targets --no-fail-fast
# scanners against real kernel devices (uhid -> hidraw and evdev), inside a VM
vm/test-in-vm.sh
