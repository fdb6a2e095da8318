"""Renders every installer icon from the one source, resources/icons/app.svg: PNGs at the usual sizes (Linux hicolor
theme), a Windows .ico and a macOS .icns (both hold PNG images, which Windows Vista+ and macOS 10.7+ read).

Run: python installer/make_icons.py OUT_DIR   (roleplay.spec runs it into build/icons before every build)
"""

from __future__ import annotations

import os
import shutil
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "resources" / "icons" / "app.svg"
ICON_NAME = "roleplay-trainer"  # the Linux icon and .desktop name
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types that hold a PNG, and the pixel size each expects (the @2x ones are the retina variants).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn on a transparent square of `size` pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG file")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data)


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file: a directory of 16-byte entries, then the PNG images. A size of 256 is written as 0."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, images = b"", b""
    for size in sizes:
        image = pngs[size]
        side = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(image), offset + len(images))
        images += image
    return header + entries + images


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICNS file: 'icns', the total length, then (type, length including its 8-byte header, PNG) elements."""
    body = b"".join(kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def make_icons(out_dir: Path, svg: Path = SOURCE) -> list[Path]:
    """Writes png/<name>-<size>.png, roleplay.ico, roleplay.icns and <name>.svg into `out_dir`; returns the paths."""
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    sizes = sorted({*PNG_SIZES, *ICO_SIZES, *(size for _kind, size in ICNS_TYPES)})
    pngs = {size: render_png(svg, size) for size in sizes}
    (out_dir / "png").mkdir(parents=True, exist_ok=True)
    written = []
    for size in PNG_SIZES:
        path = out_dir / "png" / f"{ICON_NAME}-{size}.png"
        path.write_bytes(pngs[size])
        written.append(path)
    for path, data in (
        (out_dir / "roleplay.ico", ico_bytes({size: pngs[size] for size in ICO_SIZES})),
        (out_dir / "roleplay.icns", icns_bytes(pngs)),
    ):
        path.write_bytes(data)
        written.append(path)
    scalable = out_dir / f"{ICON_NAME}.svg"
    shutil.copyfile(svg, scalable)
    written.append(scalable)
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: make_icons.py OUT_DIR", file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # renders on a build machine with no display
    written = make_icons(Path(argv[0]))
    print(f"wrote {len(written)} icon files to {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
