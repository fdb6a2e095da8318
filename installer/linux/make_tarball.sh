#!/usr/bin/env bash
# Packs the Linux bundle from `make bundle` as dist/roleplay-trainer-<version>-linux-<arch>.tar.gz:
#   roleplay-trainer-<version>/
#     app/                                     the bundle (dist/Roleplay Trainer): run app/roleplay-trainer
#     share/applications/roleplay-trainer.desktop
#     share/icons/hicolor/<N>x<N>/apps/roleplay-trainer.png, scalable/apps/roleplay-trainer.svg
#     install.sh, uninstall.sh                 per-user install into ~/.local, and its removal
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUNDLE="$ROOT/dist/Roleplay Trainer"
ICONS="$ROOT/build/icons"  # roleplay.spec renders them from resources/icons/app.svg
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/pyproject.toml" | head -n 1)
NAME="roleplay-trainer-$VERSION"
OUT="$ROOT/dist/$NAME-linux-$(uname -m).tar.gz"

[[ -x "$BUNDLE/roleplay-trainer" ]] || { echo "make_tarball.sh: no Linux bundle in $BUNDLE; run make bundle" >&2; exit 1; }
[[ -d "$ICONS/png" ]] || { echo "make_tarball.sh: no icons in $ICONS; run make bundle" >&2; exit 1; }
[[ -n "$VERSION" ]] || { echo "make_tarball.sh: no version in pyproject.toml" >&2; exit 1; }

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
TOP="$STAGE/$NAME"
mkdir -p "$TOP/share/applications" "$TOP/share/icons/hicolor/scalable/apps"
cp -a "$BUNDLE" "$TOP/app"
cp "$ROOT/installer/linux/roleplay-trainer.desktop" "$TOP/share/applications/"
for png in "$ICONS"/png/roleplay-trainer-*.png; do
    size=${png##*-}
    size=${size%.png}
    mkdir -p "$TOP/share/icons/hicolor/${size}x${size}/apps"
    cp "$png" "$TOP/share/icons/hicolor/${size}x${size}/apps/roleplay-trainer.png"
done
cp "$ICONS/roleplay-trainer.svg" "$TOP/share/icons/hicolor/scalable/apps/"
install -m 755 "$ROOT/installer/linux/install.sh" "$ROOT/installer/linux/uninstall.sh" "$TOP/"

# Owner and order fixed, so the same bundle always gives the same archive listing.
tar -C "$STAGE" --owner=0 --group=0 --numeric-owner --sort=name -czf "$OUT" "$NAME"
echo "$OUT"
