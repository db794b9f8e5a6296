#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those that are missing.
# Idempotent; safe to run on every `make` target. Needs root (or sudo) on a fresh machine.
set -euo pipefail

PACKAGES=(
  pcscd pcsc-tools libpcsclite-dev swig vsmartcard-vpcd
  fonts-noto-cjk xvfb xauth poppler-utils postgresql libusb-1.0-0
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
  libxcb-render-util0 libxcb-image0 libxcb-xkb1 libnss3 libcups2
  prometheus chromium chromium-driver
  haproxy pgbouncer openssl
  icu-devtools binutils gcc libglib2.0-0 libx11-xcb1
  desktop-file-utils softhsm2
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
