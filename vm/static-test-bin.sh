#!/usr/bin/env bash
# Builds the integration test tests/NAME.rs as a static binary (for a VM without our
# libraries) and prints its path. Usage: vm/static-test-bin.sh NAME
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: static-test-bin.sh TEST_NAME}
RUSTFLAGS="-C target-feature=+crt-static" cargo test --target x86_64-unknown-linux-gnu \
    --test "$name" --no-run --message-format=json 2>/dev/null \
  | NAME="$name" python3 -c 'import sys, json, os
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == os.environ["NAME"]:
        print(m["executable"])' | tail -1
