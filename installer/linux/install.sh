#!/usr/bin/env bash
# Installs Roleplay Trainer for the current user from this unpacked tarball, or upgrades it in place:
#   program   ~/.local/opt/roleplay-trainer            (ROLEPLAY_INSTALL_DIR to choose another folder)
#   command   ~/.local/bin/roleplay-trainer            (a link; XDG_BIN_HOME to choose another folder)
#   menu      ~/.local/share/applications, icons in ~/.local/share/icons/hicolor
# Your calls, recordings, settings and logs are in ~/.local/share/RoleplayTrainer (or ROLEPLAY_HOME): never in the
# program folder, so an upgrade keeps them and the app migrates the database on its next start.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
DEST=${ROLEPLAY_INSTALL_DIR:-$HOME/.local/opt/roleplay-trainer}
BIN=${XDG_BIN_HOME:-$HOME/.local/bin}
SHARE=${XDG_DATA_HOME:-$HOME/.local/share}

[[ -x "$HERE/app/roleplay-trainer" ]] || { echo "install.sh: no app/roleplay-trainer next to this script" >&2; exit 1; }
case "$DEST" in
    "$SHARE/RoleplayTrainer"|"$SHARE/RoleplayTrainer/"*)
        echo "install.sh: $DEST is the data folder; choose another ROLEPLAY_INSTALL_DIR" >&2; exit 1 ;;
esac

# Copy beside the old version first, then swap: an interrupted upgrade leaves the old version working.
mkdir -p "$(dirname "$DEST")" "$BIN" "$SHARE/applications" "$SHARE/icons"
rm -rf "$DEST.new"
cp -a "$HERE/app" "$DEST.new"
rm -rf "$DEST.old"
if [[ -e "$DEST" ]]; then mv "$DEST" "$DEST.old"; fi
mv "$DEST.new" "$DEST"
rm -rf "$DEST.old"

ln -sfn "$DEST/roleplay-trainer" "$BIN/roleplay-trainer"
cp -a "$HERE/share/icons/hicolor" "$SHARE/icons/"
# The menu entry runs the installed program by its full path, so it works even when $BIN is not on PATH.
sed "s|^Exec=roleplay-trainer|Exec=\"$DEST/roleplay-trainer\"|" "$HERE/share/applications/roleplay-trainer.desktop" \
    > "$SHARE/applications/roleplay-trainer.desktop"

# Menus and icon themes pick the new files up sooner when their caches are refreshed; both tools are optional.
command -v update-desktop-database >/dev/null && update-desktop-database -q "$SHARE/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" || true

echo "Roleplay Trainer is installed in $DEST."
echo "Start it from your applications menu, or run: $BIN/roleplay-trainer"
case ":$PATH:" in *":$BIN:"*) ;; *) echo "(Add $BIN to your PATH to run it as plain 'roleplay-trainer'.)" ;; esac
