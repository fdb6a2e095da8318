#!/usr/bin/env bash
# Makes dist/Roleplay-Trainer-<version>-macOS-<arch>.dmg from dist/Roleplay Trainer.app (`make bundle` on a Mac):
# a disk image with the app and a link to /Applications, to drag it across.
#
# Signing and notarization are optional, and needed for other Macs to open the app without a Gatekeeper warning:
#   CODESIGN_IDENTITY="Developer ID Application: Your Team (TEAMID)" make bundle    # roleplay.spec signs the .app
#   CODESIGN_IDENTITY=... NOTARY_PROFILE=roleplay bash installer/macos/make_dmg.sh  # signs, notarizes, staples
# where NOTARY_PROFILE names credentials saved once with `xcrun notarytool store-credentials roleplay ...`.
set -euo pipefail

[[ "$(uname -s)" == Darwin ]] || { echo "make_dmg.sh: run this on macOS (it needs hdiutil and codesign)" >&2; exit 2; }

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
APP="$ROOT/dist/Roleplay Trainer.app"
PLIST="$APP/Contents/Info.plist"
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/pyproject.toml" | head -n 1)
DMG="$ROOT/dist/Roleplay-Trainer-$VERSION-macOS-$(uname -m).dmg"

[[ -d "$APP" ]] || { echo "make_dmg.sh: no $APP; run make bundle first" >&2; exit 1; }

# Without these two keys macOS kills the app when it opens the microphone or the camera.
plutil -lint "$PLIST"
for key in NSMicrophoneUsageDescription NSCameraUsageDescription; do
    /usr/libexec/PlistBuddy -c "Print :$key" "$PLIST" >/dev/null \
        || { echo "make_dmg.sh: $PLIST lacks $key" >&2; exit 1; }
done
[[ "$(/usr/libexec/PlistBuddy -c 'Print :CFBundleShortVersionString' "$PLIST")" == "$VERSION" ]] \
    || { echo "make_dmg.sh: the app is not version $VERSION; run make bundle again" >&2; exit 1; }

if [[ -n "${CODESIGN_IDENTITY:-}" ]]; then
    # The spec signed every binary with the hardened runtime; check the seal before shipping it.
    codesign --verify --deep --strict --verbose=2 "$APP"
fi

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
ditto "$APP" "$STAGE/Roleplay Trainer.app"  # ditto keeps the bundle's symlinks, extended attributes and signature
ln -s /Applications "$STAGE/Applications"
rm -f "$DMG"
hdiutil create -volname "Roleplay Trainer" -srcfolder "$STAGE" -ov -format UDZO -fs HFS+ "$DMG"

if [[ -n "${CODESIGN_IDENTITY:-}" ]]; then
    codesign --force --sign "$CODESIGN_IDENTITY" --timestamp "$DMG"
    if [[ -n "${NOTARY_PROFILE:-}" ]]; then
        xcrun notarytool submit "$DMG" --keychain-profile "$NOTARY_PROFILE" --wait
        xcrun stapler staple "$DMG"
        spctl --assess --type open --context context:primary-signature --verbose "$DMG"
    fi
fi
echo "$DMG"
