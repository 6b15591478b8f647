#!/usr/bin/env bash
# Builds the integration test tests/NAME.rs as the test command builds it (so the VM tests
# reuse that build instead of compiling everything again) and prints its path. The VMs get
# the C libraries it links (`vm/libs-of.sh`). Usage: vm/test-bin.sh NAME
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: test-bin.sh TEST_NAME}
cargo test --test "$name" --no-run --message-format=json 2>/dev/null \
  | NAME="$name" python3 -c 'import sys, json, os
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == os.environ["NAME"]:
        print(m["executable"])' | tail -1
