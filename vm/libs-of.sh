#!/usr/bin/env bash
# Copies the shared libraries a dynamically linked binary needs (its loader, libc, libm,
# libgcc_s, as ldd resolves them on this machine) into ROOT at the same paths, so that a
# VM without them runs it. Usage: vm/libs-of.sh BINARY ROOT
set -euo pipefail
bin=${1:?usage: libs-of.sh BINARY ROOT}
root=${2:?}
ldd "$bin" | grep -oE '/[^ ]+' | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
