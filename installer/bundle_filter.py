"""Trims what PyInstaller collects but the app never loads, and checks that nothing still needed went.

PySide6's hooks collect every plugin of each type a module uses: the virtual-keyboard input plugin, the PDF image
plugin with QtPdf, the GTK3 theme plugin with cairo, pango and friends, and 7 MB of Qt translations for an app that is
English only. Dropping a plugin leaves the system libraries only it needed; those go too when nothing that stays links
to them. A few Linux libraries that must match the host are left to it (HOST_LIBRARIES). `missing_dependencies` then
proves that every library a kept binary links to is still in the bundle, or is one deliberately left to the system.

Used by roleplay.spec on the Analysis' tables of contents: (destination, source, typecode) tuples.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

Entry = tuple[str, str, str]  # PyInstaller TOC entry: destination name, source path, typecode
LOADABLE = ("BINARY", "EXTENSION")  # shared libraries and Python extension modules: both link to libraries
Needed = Callable[[str], Iterable[str]]  # a binary's link-time dependencies, by name

# QtQuick and QtQml stay: Qt Multimedia's FFmpeg plugin (camera, sounds, playback) links to them.
_QT_UNUSED_LIBRARIES = (
    "pdf",
    "virtualkeyboard",
    "virtualkeyboardqml",
    "eglfsdeviceintegration",
    "eglfskmssupport",
)
UNUSED_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"/translations/",  # the app has no translations of its own, so Qt's would only half-translate it
        r"/plugins/platforminputcontexts/[^/]*virtualkeyboard",  # a touch-screen keyboard, built on QtQuick
        r"/plugins/imageformats/[^/]*(pdf|tiff|webp|wbmp|tga)",  # the app shows PNG, JPEG, SVG and ICO only
        r"/plugins/platforms/[^/]*(eglfs|linuxfb|vnc|vkkhrdisplay|minimalegl)",  # kiosk and embedded back-ends
        r"/plugins/(egldeviceintegrations|generic)/",  # embedded input and display support
        r"/plugins/platformthemes/[^/]*gtk3",  # the app has its own theme; this would load the host's GTK 3
        r"(^|/)(lib)?qt6?("
        + "|".join(_QT_UNUSED_LIBRARIES)
        + r")(\.|/|$)",  # libQt6Quick.so.6, Qt6Pdf.dll, QtQml.framework
    )
)


# Linux libraries taken from the host, as the PySide6 wheel itself does when the app runs from source. Each must match
# the host's own services or configuration: a bundled libasound cannot load the host's ALSA plugins (PulseAudio,
# PipeWire) and leaves the app silent on other distributions; fontconfig and freetype must read the host's font
# configuration; the X11 client libraries and GLib (with GIO, whose modules the host installs) come with every desktop
# session, and manylinux (PEP 599) counts X11, Xext, Xrender and GLib as always present.
HOST_LIBRARIES = re.compile(
    r"^lib(asound|fontconfig|freetype|x11|x11-xcb|xext|xrender|xau|xdmcp"
    r"|glib-2\.0|gobject-2\.0|gio-2\.0|gmodule-2\.0|gthread-2\.0)\.so(\.\d+)*$"
)


def is_unused(destination: str) -> bool:
    path = "/" + destination.replace("\\", "/")
    return any(pattern.search(path) for pattern in UNUSED_PATTERNS)


def is_host_library(name: str) -> bool:
    return sys.platform.startswith("linux") and HOST_LIBRARIES.match(_base(name)) is not None


def _base(path: str) -> str:
    """The file name, lower-cased: Windows matches DLL names without regard to case."""
    return PurePosixPath(path.replace("\\", "/")).name.lower()


def _is_extension_module(name: str) -> bool:
    return ".cpython-" in name or ".abi3." in name or name.endswith(".pyd")


def _is_system_library(entry: Entry, python_prefixes: tuple[str, ...]) -> bool:
    """A shared library PyInstaller copied from the system only because something linked to it."""
    destination, source, typecode = entry
    name = PurePosixPath(destination.replace("\\", "/")).name
    return (
        typecode == "BINARY"
        and "/" not in destination.replace("\\", "/")
        and not _is_extension_module(name)
        and not name.startswith(("libpython", "python"))
        and not source.startswith(python_prefixes)
    )


def prune(binaries: list[Entry], datas: list[Entry], needed: Needed) -> tuple[list[Entry], list[Entry], list[str]]:
    """Returns the binaries and datas to keep, and the destinations dropped."""
    prefixes = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
    dropped = {entry[0] for entry in [*binaries, *datas] if is_unused(entry[0])}
    dropped |= {entry[0] for entry in binaries if _is_system_library(entry, prefixes) and is_host_library(entry[0])}
    while True:  # dropping a library can orphan the libraries only it linked to
        kept = [entry for entry in binaries if entry[0] not in dropped]
        linked = {
            _base(name) for destination, source, typecode in kept if typecode in LOADABLE for name in needed(source)
        }
        orphans = {entry[0] for entry in kept if _is_system_library(entry, prefixes) and _base(entry[0]) not in linked}
        if not orphans:
            break
        dropped |= orphans
    # A symbolic link to a dropped file goes with it (PyInstaller 6 links top-level Qt libraries into PySide6/Qt/lib).
    dropped |= {dest for dest, target, typecode in binaries if typecode == "SYMLINK" and target in dropped}
    keep_binaries = [entry for entry in binaries if entry[0] not in dropped]
    keep_datas = [entry for entry in datas if entry[0] not in dropped]
    return keep_binaries, keep_datas, sorted(dropped)


def missing_dependencies(binaries: list[Entry], needed: Needed, left_to_system: Callable[[str], bool]) -> list[str]:
    """'binary -> library' for every link-time dependency that is neither in the bundle nor one PyInstaller leaves to
    the system (libc, libGL, ...)."""
    present = {_base(destination) for destination, _source, _typecode in binaries}
    problems = []
    for destination, source, typecode in binaries:
        if typecode not in LOADABLE:
            continue
        for name in needed(source):
            base = _base(name)
            if base not in present and not left_to_system(base):
                problems.append(f"{destination} -> {base}")
    return problems


def _is_python_runtime(source: str) -> bool:
    parts = PurePosixPath(source).parts
    return source.startswith(sys.base_prefix) and "site-packages" not in parts and "dist-packages" not in parts


def strip_python_debug_info(binaries: list[Entry], work_dir: Path) -> tuple[list[Entry], int]:
    """Linux: copies of the interpreter's own libraries (libpython, lib-dynload) without their debug info, which a
    from-source Python (pyenv) keeps: 18 MB in libpython alone. Only debug sections go (`strip --strip-debug`); the
    wheels' libraries are left alone, since stripping broke numpy's OpenBLAS and Qt's FFmpeg plugin. Returns the new
    table and the bytes saved; without a `strip` tool it changes nothing."""
    tool = shutil.which("strip")
    if tool is None or not sys.platform.startswith("linux"):
        return binaries, 0
    result, saved = [], 0
    for destination, source, typecode in binaries:
        if typecode in LOADABLE and _is_python_runtime(source):
            copy = work_dir / destination
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)
            if subprocess.run([tool, "--strip-debug", str(copy)], capture_output=True).returncode == 0:
                saved += Path(source).stat().st_size - copy.stat().st_size
                source = str(copy)
        result.append((destination, source, typecode))
    return result, saved


@functools.cache
def pyinstaller_needed(source: str) -> tuple[str, ...]:
    from PyInstaller.depend import bindepend

    return tuple(name for name, _path in bindepend.get_imports(source))


def pyinstaller_leaves_to_system(name: str) -> bool:
    from PyInstaller.depend import dylib

    return is_host_library(name) or not dylib.include_library(name)
