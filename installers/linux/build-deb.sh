#!/usr/bin/env bash
# Build dist/citycard-counter_<version>_<arch>.deb from the PyInstaller bundle (`make deb`).
#
#   /opt/citycard-counter/            the bundle (read-only for everyone)
#   /usr/bin/citycard-counter         a link to it (commands: version, journal verify, …)
#   /usr/share/applications/citycard-counter.desktop, icons in hicolor (SVG and 256px PNG)
#   /var/lib/citycard-counter/        the per-machine data directory, made by postinst:
#                                     root:citycard, 2770; add the clerks' accounts to the
#                                     group `citycard`. Never removed, not even by a purge:
#                                     the journal outlives the program.
# Usage: build-deb.sh BUNDLE_DIR OUT_DIR
set -euo pipefail

BUNDLE=${1:-dist/citycard-counter}
OUT=${2:-dist}
HERE=$(cd "$(dirname "$0")" && pwd)
NAME=citycard-counter

test -x "$BUNDLE/$NAME" || { echo "build-deb: no bundle at $BUNDLE (run make installer)" >&2; exit 2; }
VERSION=$(CITYCARD_DATA_DIR=/nonexistent "$BUNDLE/$NAME" version | head -n1 | awk '{print $2}')
ARCH=$(dpkg --print-architecture)
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
ROOTFS="$STAGE/root"

install -d "$ROOTFS/opt" "$ROOTFS/usr/bin" "$ROOTFS/usr/share/applications" \
  "$ROOTFS/usr/share/icons/hicolor/scalable/apps" "$ROOTFS/usr/share/icons/hicolor/256x256/apps" \
  "$ROOTFS/usr/share/doc/$NAME" "$ROOTFS/DEBIAN"
cp -a "$BUNDLE" "$ROOTFS/opt/$NAME"
chmod -R u=rwX,go=rX "$ROOTFS/opt/$NAME"
ln -s "/opt/$NAME/$NAME" "$ROOTFS/usr/bin/$NAME"
install -m 644 "$HERE/$NAME.desktop" "$ROOTFS/usr/share/applications/$NAME.desktop"
install -m 644 "$HERE/$NAME.svg" "$ROOTFS/usr/share/icons/hicolor/scalable/apps/$NAME.svg"
install -m 644 "$HERE/$NAME.png" "$ROOTFS/usr/share/icons/hicolor/256x256/apps/$NAME.png"
install -m 644 "$HERE/README.SAM" "$ROOTFS/usr/share/doc/$NAME/README.SAM"
printf 'City card service counter %s\nProprietary.\n' "$VERSION" \
  > "$ROOTFS/usr/share/doc/$NAME/copyright"

SIZE_KB=$(du -sk "$ROOTFS" | cut -f1)
cat > "$ROOTFS/DEBIAN/control" <<CONTROL
Package: $NAME
Version: $VERSION
Architecture: $ARCH
Maintainer: City card counter team <counter@localhost>
Installed-Size: $SIZE_KB
Section: misc
Priority: optional
Depends: pcscd, libpcsclite1, fonts-noto-cjk, libgl1, libegl1, libfontconfig1, libxkbcommon0,
 libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-shape0,
 libxcb-randr0, libxcb-render-util0, libxcb-image0, libxcb-xkb1, libdbus-1-3, libcups2,
 libglib2.0-0, libx11-xcb1, libusb-1.0-0
Recommends: libccid
Description: Service counter for city smart cards (城市一卡通柜台)
 Top-ups, loss reports, replacements, exchanges and refunds of city cards at an
 issuer's service counter, with a tamper-evident journal and sync to the
 clearing center. Self-contained (PyInstaller bundle in /opt/citycard-counter).
CONTROL

cat > "$ROOTFS/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  getent group citycard >/dev/null || addgroup --system citycard
  # the data directory: created once, its contents (journal, keystore) never touched here
  if [ ! -d /var/lib/citycard-counter ]; then
    install -d -m 2770 -o root -g citycard /var/lib/citycard-counter
  fi
  command -v update-desktop-database >/dev/null && update-desktop-database -q || true
  command -v gtk-update-icon-cache >/dev/null && \
    gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
fi
exit 0
POSTINST
cat > "$ROOTFS/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
set -e
# remove and purge keep /var/lib/citycard-counter: the journal is the counter's legal record
# (product.md); a technician archives it (`citycard-counter journal export`) and deletes it
# by hand when the counter is decommissioned.
exit 0
POSTRM
chmod 755 "$ROOTFS/DEBIAN/postinst" "$ROOTFS/DEBIAN/postrm"

mkdir -p "$OUT"
DEB="$OUT/${NAME}_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz --build "$ROOTFS" "$DEB" >/dev/null
echo "build-deb: $DEB ($(du -h "$DEB" | cut -f1))"
