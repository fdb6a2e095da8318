#!/usr/bin/env bash
# Removes what install.sh installed. Your calls, recordings, settings and logs stay, unless you add --purge.
#   ./uninstall.sh            remove the program, the command and the menu entry
#   ./uninstall.sh --purge    ... and delete the data folder as well
set -euo pipefail

DEST=${ROLEPLAY_INSTALL_DIR:-$HOME/.local/opt/roleplay-trainer}
BIN=${XDG_BIN_HOME:-$HOME/.local/bin}
SHARE=${XDG_DATA_HOME:-$HOME/.local/share}
DATA=${ROLEPLAY_HOME:-$SHARE/RoleplayTrainer}  # desktop/settings.py data_dir()

purge=false
case "${1:-}" in
    "") ;;
    --purge) purge=true ;;
    *) echo "usage: uninstall.sh [--purge]" >&2; exit 2 ;;
esac

rm -rf "$DEST"
if [[ -L "$BIN/roleplay-trainer" ]]; then rm -f "$BIN/roleplay-trainer"; fi
rm -f "$SHARE/applications/roleplay-trainer.desktop"
if [[ -d "$SHARE/icons/hicolor" ]]; then
    find "$SHARE/icons/hicolor" \( -name roleplay-trainer.png -o -name roleplay-trainer.svg \) -delete
fi
command -v update-desktop-database >/dev/null && update-desktop-database -q "$SHARE/applications" || true

if $purge; then
    rm -rf "$DATA"
    echo "Roleplay Trainer and its data ($DATA) are removed."
else
    echo "Roleplay Trainer is removed. Your calls and settings are still in $DATA"
    echo "(delete that folder, or run uninstall.sh --purge, to remove them too)."
fi
echo "Keys you saved stay in your system keyring under \"RoleplayTrainer\"; remove them there if you wish."
