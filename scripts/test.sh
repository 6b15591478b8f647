#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine as on a developer's: installs what the
# tests need (idempotently), then runs formatting, lints and every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian tools the tests use as independent checks (pdftotext reads our PDFs back)
need=()
command -v pdftotext >/dev/null || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# Python oracles (biip: an independent GS1 parser) in a project-local virtualenv
if ! .venv/bin/python -c "import biip" 2>/dev/null; then
  if ! python3 -m venv .venv 2>/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv python3-pip
    python3 -m venv .venv
  fi
  .venv/bin/pip install --quiet --disable-pip-version-check "biip==5.2.0"
fi
export LOTSTATION_PYTHON="$PWD/.venv/bin/python"
export LOTSTATION_ORACLES=1

cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
cargo test --all-targets --no-fail-fast
