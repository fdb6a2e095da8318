#!/usr/bin/env bash
# Wraps the Linux bundle from `make bundle` as dist/Roleplay_Trainer-<version>-<arch>.AppImage: one file users make
# executable and run, no install. Needs appimagetool (https://github.com/AppImage/appimagetool; not packaged in
# Debian): on PATH, or named by APPIMAGETOOL=/path/to/appimagetool. Without it the AppDir is still built in
# build/AppDir (run build/AppDir/AppRun to try it) and the script exits with code 3.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUNDLE="$ROOT/dist/Roleplay Trainer"
ICONS="$ROOT/build/icons"
APPDIR="$ROOT/build/AppDir"
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/pyproject.toml" | head -n 1)
ARCH=$(uname -m)
OUT="$ROOT/dist/Roleplay_Trainer-$VERSION-$ARCH.AppImage"

[[ -x "$BUNDLE/roleplay-trainer" ]] || { echo "make_appimage.sh: no Linux bundle in $BUNDLE; run make bundle" >&2; exit 1; }
[[ -d "$ICONS/png" ]] || { echo "make_appimage.sh: no icons in $ICONS; run make bundle" >&2; exit 1; }

rm -rf "$APPDIR"
mkdir -p "$APPDIR/usr/lib" "$APPDIR/usr/share/applications" "$APPDIR/usr/share/icons/hicolor/scalable/apps"
cp -a "$BUNDLE" "$APPDIR/usr/lib/roleplay-trainer"

# AppRun is what the AppImage runs: the bundled program, with the arguments it was given.
cat > "$APPDIR/AppRun" <<'APPRUN'
#!/bin/sh
HERE="$(dirname "$(readlink -f "$0")")"
exec "$HERE/usr/lib/roleplay-trainer/roleplay-trainer" "$@"
APPRUN
chmod 755 "$APPDIR/AppRun"

# appimagetool wants the .desktop file and its Icon at the top of the AppDir; desktop integration tools
# (appimaged, Gear Lever) read the copies under usr/share.
cp "$ROOT/installer/linux/roleplay-trainer.desktop" "$APPDIR/"
cp "$ROOT/installer/linux/roleplay-trainer.desktop" "$APPDIR/usr/share/applications/"
cp "$ICONS/png/roleplay-trainer-256.png" "$APPDIR/roleplay-trainer.png"
ln -sf roleplay-trainer.png "$APPDIR/.DirIcon"
for png in "$ICONS"/png/roleplay-trainer-*.png; do
    size=${png##*-}
    size=${size%.png}
    mkdir -p "$APPDIR/usr/share/icons/hicolor/${size}x${size}/apps"
    cp "$png" "$APPDIR/usr/share/icons/hicolor/${size}x${size}/apps/roleplay-trainer.png"
done
cp "$ICONS/roleplay-trainer.svg" "$APPDIR/usr/share/icons/hicolor/scalable/apps/"

TOOL=${APPIMAGETOOL:-$(command -v appimagetool || true)}
if [[ -z "$TOOL" ]]; then
    echo "make_appimage.sh: built $APPDIR, but appimagetool is not installed, so there is no .AppImage." >&2
    echo "Get appimagetool-$ARCH.AppImage from https://github.com/AppImage/appimagetool/releases, then:" >&2
    echo "  APPIMAGETOOL=/path/to/appimagetool-$ARCH.AppImage make appimage" >&2
    exit 3
fi
ARCH="$ARCH" "$TOOL" --no-appstream "$APPDIR" "$OUT"
echo "$OUT"
