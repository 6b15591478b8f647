#!/usr/bin/env bash
# Builds the Debian packages: target/debian/lotstation_<version>_amd64.deb and …_arm64.deb
# (or only the architectures named: scripts/package.sh amd64). arm64 is cross-compiled with
# Debian's gcc-aarch64-linux-gnu as the linker and C compiler (SQLite's C); the Rust
# standard library for aarch64 comes from rustup. Needs: dpkg-deb, gcc-aarch64-linux-gnu,
# libc6-dev-arm64-cross, installed here where missing (as root). Prints each package's path.
set -euo pipefail
cd "$(dirname "$0")/.."

arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(amd64 arm64)
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
changelog_version=$(sed -n '1s/^lotstation (\([^)]*\)).*/\1/p' packaging/changelog)
if [ "$version" != "$changelog_version" ]; then
  echo "packaging/changelog is for $changelog_version, Cargo.toml says $version: add an entry" >&2
  exit 1
fi

# what the arm64 build needs, installed where missing (as root, as the test command does),
# or named when it cannot be
if printf '%s\n' "${arches[@]}" | grep -qx arm64; then
  need=()
  command -v aarch64-linux-gnu-gcc >/dev/null || need+=(gcc-aarch64-linux-gnu)
  [ -f /usr/aarch64-linux-gnu/lib/libc.so.6 ] || need+=(libc6-dev-arm64-cross)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
    else
      echo "the arm64 package needs Debian's ${need[*]}: sudo apt-get install ${need[*]} (or build only amd64: scripts/package.sh amd64)" >&2
      exit 1
    fi
  fi
fi
command -v dpkg-deb >/dev/null || { echo "building the packages needs dpkg-deb (Debian's dpkg)" >&2; exit 1; }

# the man pages and completions, from the command line's own definition: the dev build
# (the test command has built it already; they are the same text from any build)
docs=target/debian/docs
rm -rf "$docs"
cargo run --quiet --example package_docs -- "$docs" >/dev/null

for arch in "${arches[@]}"; do
  case "$arch" in
    amd64) triple=x86_64-unknown-linux-gnu ;;
    arm64)
      triple=aarch64-unknown-linux-gnu
      rustup target list --installed | grep -qx "$triple" || rustup target add "$triple" >&2
      export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
      export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
      export AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
      ;;
    *) echo "unknown architecture $arch (amd64 or arm64)" >&2; exit 2 ;;
  esac
  if [ "$(rustc -vV | sed -n 's/^host: //p')" = "$triple" ]; then
    # the host's own build (the one `cargo run --release` makes)
    cargo build --quiet --release --locked --bin lotstation
    bin=target/release/lotstation
  else
    cargo build --quiet --release --locked --target "$triple" --bin lotstation
    bin=target/$triple/release/lotstation
  fi
  root=target/debian/root-$arch
  rm -rf "$root"
  install -D -m 755 "$bin" "$root/usr/bin/lotstation"
  # the unit as in systemd/, with the packaged binary's path
  install -d "$root/lib/systemd/system"
  sed 's|/usr/local/bin/lotstation|/usr/bin/lotstation|' systemd/lotstation.service \
    > "$root/lib/systemd/system/lotstation.service"
  chmod 644 "$root/lib/systemd/system/lotstation.service"
  install -D -m 644 systemd/lotstation.sysusers "$root/usr/lib/sysusers.d/lotstation.conf"
  install -D -m 644 packaging/lotstation.tmpfiles "$root/usr/lib/tmpfiles.d/lotstation.conf"
  install -D -m 644 udev/70-lotstation.rules "$root/lib/udev/rules.d/70-lotstation.rules"
  install -D -m 644 packaging/lotstation.toml "$root/etc/lotstation/lotstation.toml"
  for t in label-templates/*.toml label-templates/*/*.toml; do
    install -D -m 644 "$t" "$root/usr/share/lotstation/$t"
  done
  install -d "$root/usr/share/man/man1"
  for page in "$docs"/man/*.1; do
    gzip -9n < "$page" > "$root/usr/share/man/man1/$(basename "$page").gz"
  done
  chmod 644 "$root"/usr/share/man/man1/*
  install -D -m 644 "$docs/completions/lotstation.bash" \
    "$root/usr/share/bash-completion/completions/lotstation"
  install -D -m 644 "$docs/completions/_lotstation" "$root/usr/share/zsh/vendor-completions/_lotstation"
  install -D -m 644 "$docs/completions/lotstation.fish" \
    "$root/usr/share/fish/vendor_completions.d/lotstation.fish"
  doc=$root/usr/share/doc/lotstation
  install -D -m 644 packaging/copyright "$doc/copyright"
  gzip -9n < packaging/changelog > "$doc/changelog.gz"
  gzip -9n < README.md > "$doc/README.md.gz"
  for d in docs/*.md; do
    [ "$d" = docs/README.md ] && continue   # the index of docs/; README.md is the package's
    gzip -9n < "$d" > "$doc/$(basename "$d").gz"
  done
  chmod 644 "$doc"/*

  install -d "$root/DEBIAN"
  install -m 755 packaging/postinst packaging/prerm packaging/postrm "$root/DEBIAN/"
  echo /etc/lotstation/lotstation.toml > "$root/DEBIAN/conffiles"
  size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
  cat > "$root/DEBIAN/control" <<EOF
Package: lotstation
Version: $version
Architecture: $arch
Maintainer: lotstation developers <maintainers@lotstation.invalid>
Installed-Size: $size
Depends: libc6 (>= 2.34), systemd
Recommends: udev
Section: misc
Priority: optional
Homepage: https://github.com/lotstation/lotstation
Description: lot traceability station for small manufacturers
 lotstation reads USB barcode scanners and serial scales at the workbench,
 records each receipt, consumption and shipment in an append-only,
 hash-chained journal (SQLite, or a PostgreSQL database shared by several
 stations), prints lot and batch labels, and traces forward and backward
 through sub-assemblies to a recall package in milliseconds.
 .
 This package runs it as a systemd service with udev rules for its devices,
 a working default configuration and the station's screen on loopback.
EOF
  (cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z \
    | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
  chmod 644 "$root/DEBIAN/md5sums" "$root/DEBIAN/control" "$root/DEBIAN/conffiles"
  deb=target/debian/lotstation_${version}_$arch.deb
  dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
  echo "$deb"
done
