# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by packaging/dev/run and packaging/dev/test: installs what is
# missing from Debian 12's packages (and nothing when all is there), then
# configures a build directory once.

set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"

# What the kiosk needs to build and run.
build_packages=(
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libgtk-4-dev libjson-glib-dev libsqlite3-dev
  libcurl4-openssl-dev libqrencode-dev libssl-dev libcairo2-dev libcups2-dev
  libxml2-dev
  libespeak-ng-dev libpcaudio-dev espeak-ng-data
  fonts-dejavu-core
)
# What the README's run command needs on top: the local test platform
# (tests/platform/) is Python with Debian's JOSE and JSON Schema packages.
demo_packages=(
  python3 python3-jwcrypto python3-cryptography python3-jsonschema
)
# What the test suite needs on top: clang and libFuzzer for the sanitizer
# and fuzzing builds, independent checkers (jsonschema, jwcrypto, zbar,
# poppler), a headless display, a CUPS server; for the deploy suite the
# Debian package tools, lintian and debootstrap.
test_packages=(
  clang libclang-rt-14-dev
  python3 python3-jsonschema python3-jwcrypto python3-cryptography
  zbar-tools poppler-utils openssl sqlite3
  libxml2-utils   # xmllint: the FIM test messages against the official XDatenfelder XSDs
  xvfb xauth dbus-daemon python3-pyatspi at-spi2-core
  cups-daemon
  cage xwayland xdotool imagemagick systemd
  debhelper dpkg-dev fakeroot lintian debootstrap git
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    echo "antragskiosk: please run this as root or install sudo: $*" >&2
    exit 1
  fi
}

ensure_packages() {
  local missing=()
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "antragskiosk: installing ${missing[*]}" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}

# setup_build DIR [meson options…]: configure once, reconfigure when the
# options changed, then compile.
setup_build() {
  local dir=$1; shift
  local stamp="$dir/.antragskiosk-options"
  local want="$*"
  if [ -f "$dir/build.ninja" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    :
  else
    local log
    log=$(mktemp)
    rm -rf "$dir"
    if ! meson setup "$dir" "$@" > "$log" 2>&1; then
      cat "$log" >&2
      rm -f "$log"
      return 1
    fi
    rm -f "$log"
    echo "$want" > "$stamp"
  fi
  meson compile -C "$dir" >&2
}
