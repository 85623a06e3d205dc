#!/usr/bin/env bash
# Checks that the release binaries the images ship run on a bare Debian 12 root, without a
# container engine: builds each component with `swift build -c release --static-swift-stdlib`
# (the Dockerfile's command), then runs `<binary> --help` as UID 65532 with chroot in
#
#   1. a minimal root holding only the shared libraries the binary links (what
#      gcr.io/distroless/cc-debian12 provides: glibc, libstdc++, libgcc_s, zlib) and no shell;
#   2. a bare Debian 12 root (debootstrap --variant=minbase bookworm), when debootstrap is
#      installed or DEBIAN_ROOT names one.
#
# Needs root (chroot). Usage:
#   scripts/check-static-binaries.sh                      # build, then check
#   SKIP_BUILD=1 DEBIAN_ROOT=/tmp/debroot scripts/check-static-binaries.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMPONENTS="hub-net-controller-manager member-net-controller-manager mcs-controller-manager net-crd-installer"
SCRATCH="$ROOT/.build-static"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/fleetnet-static-XXXXXX")"
MOUNTS=()
cleanup() {
  for mount in "${MOUNTS[@]}"; do umount "$mount" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

[[ "$(id -u)" == 0 ]] || { echo "chroot needs root; run as root" >&2; exit 1; }

if [[ -z "${SKIP_BUILD:-}" ]]; then
  for component in $COMPONENTS; do
    echo ">> swift build -c release --static-swift-stdlib --product $component"
    swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product "$component"
  done
fi
BIN="$(swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --show-bin-path)"

# Libraries the binaries need at run time: only the C/C++ runtime and zlib, no Swift runtime.
needed="$(for component in $COMPONENTS; do ldd "$BIN/$component"; done | awk '/=>/ { print $3; next } $1 ~ /^\// { print $1 }' | sort -u)"
echo ">> shared libraries the binaries load:"
echo "$needed" | sed 's/^/   /'
if echo "$needed" | grep -q swift; then
  echo "FAIL: a binary loads a Swift runtime library; the Swift stdlib is not linked statically" >&2
  exit 1
fi

check_root() {
  local label="$1" root="$2"
  mkdir -p "$root/manager-bin" "$root/proc"
  # A container always has /proc; statically linked Swift reads its arguments from
  # /proc/self/cmdline, so without it `--help` would not be seen.
  mount -t proc proc "$root/proc"
  MOUNTS+=("$root/proc")
  for component in $COMPONENTS; do
    cp "$BIN/$component" "$root/manager-bin/$component"
    # Stripped, as the Dockerfile ships it.
    if command -v strip >/dev/null; then strip "$root/manager-bin/$component"; fi
    chmod 0755 "$root/manager-bin/$component"
    local output status
    set +e
    output="$(timeout 20 chroot --userspec=65532:65532 "$root" "/manager-bin/$component" --help 2>&1)"
    status=$?
    set -e
    if [[ $status -ne 0 ]] || ! grep -q "USAGE:" <<<"$output"; then
      echo "FAIL ($label): $component --help exited $status:" >&2
      echo "$output" | head -20 >&2
      exit 1
    fi
    echo "ok ($label): $component --help as 65532 — $(grep -m1 "OVERVIEW:" <<<"$output" || echo "usage printed")"
  done
  rm -rf "$root/manager-bin"
  umount "$root/proc"
  MOUNTS=()
}

# 1. Only the linked libraries (copied from this Debian 12 host), nothing else: no shell, no
#    package manager, no Swift runtime.
minimal="$WORK/minimal"
mkdir -p "$minimal/tmp"
for library in $needed; do
  mkdir -p "$minimal$(dirname "$library")"
  cp -L "$library" "$minimal$library"
done
check_root "minimal root: $(echo "$needed" | xargs -n1 basename | tr '\n' ' ')" "$minimal"

# 2. A bare Debian 12 root.
debian="${DEBIAN_ROOT:-}"
if [[ -z "$debian" ]]; then
  if command -v debootstrap >/dev/null; then
    debian="$WORK/debian"
    echo ">> debootstrap --variant=minbase bookworm $debian"
    debootstrap --variant=minbase bookworm "$debian" http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 \
      || { echo "debootstrap failed:" >&2; tail -5 "$WORK/debootstrap.log" >&2; exit 1; }
  else
    echo "skipped: bare Debian root (debootstrap not installed; apt-get install debootstrap, or set DEBIAN_ROOT)"
    exit 0
  fi
fi
check_root "debian bookworm minbase" "$debian"
