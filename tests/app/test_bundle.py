"""The shipped app: the PyInstaller bundle's smoke test, and checks on the installer files that run everywhere.

The smoke tests start the real bundled executable, offscreen, with a temporary ROLEPLAY_HOME and no test keyring
(keyrings.alt is not in the bundle, as on a user's machine). They run when ROLEPLAY_BUNDLE_DIR names a built bundle:
`make bundle-test` builds it (about 20-30 s) and runs this file. Under plain `make test` they are skipped, so a stale
bundle from an earlier build is never the one tested.
"""

from __future__ import annotations

import configparser
import importlib.util
import json
import os
import plistlib
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import settings as app_settings

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str):
    """installer/ is scripts, not a package (and `installer` is also a PyPI package's name): load by path."""
    spec = importlib.util.spec_from_file_location(f"roleplay_installer_{name}", ROOT / "installer" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bundle_filter = _load("bundle_filter")
make_icons = _load("make_icons")
BUNDLE_DIR = os.environ.get("ROLEPLAY_BUNDLE_DIR", "")
SPEC = (ROOT / "roleplay.spec").read_text(encoding="utf-8")
needs_bundle = pytest.mark.skipif(not BUNDLE_DIR, reason="no bundle to test: run `make bundle-test`")


# --- the bundle ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle() -> Path:
    path = Path(BUNDLE_DIR)
    assert path.is_dir(), f"ROLEPLAY_BUNDLE_DIR={BUNDLE_DIR} is not a folder: run `make bundle` first"
    return path


def executable(bundle: Path) -> Path:
    """The program with a console: what a terminal user runs for the commands."""
    if sys.platform == "win32":
        return bundle / "roleplay.exe"
    if sys.platform == "darwin":
        return bundle / app_settings.APP_NAME
    return bundle / "roleplay-trainer"


def run_bundled(bundle: Path, *args: str, home: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHON_KEYRING_BACKEND", "PYTHONPATH", "ROLEPLAY_HOME")}
    clean.update(HOME=str(home), QT_QPA_PLATFORM="offscreen", **env)
    return subprocess.run(
        [str(executable(bundle)), *args], env=clean, capture_output=True, text=True, timeout=120, cwd=home
    )


@needs_bundle
def test_the_bundle_holds_the_app_and_nothing_for_tests_only(bundle: Path):
    from PyInstaller.archive.readers import CArchiveReader

    modules = set(CArchiveReader(str(executable(bundle))).open_embedded_archive("PYZ.pyz").toc)
    # Imported by name at run time: the CLI's command modules and keyring's backends.
    for module in ("desktop.cli.call", "desktop.cli.sync", "desktop.cli.grade", "desktop.crash"):
        assert module in modules
    assert "keyring.backends.SecretService" in modules or sys.platform != "linux"
    # keyrings.alt would silently store keys in a plain file; pytest and the tests have no business here.
    assert not {m for m in modules if m.split(".")[0] in ("keyrings", "pytest", "_pytest", "pytestqt", "tests")}
    internal = bundle / "_internal"
    assert (internal / "resources" / "personas.json").is_file()
    assert (internal / "resources" / "sounds" / "ring.wav").is_file()
    assert not list(internal.rglob("translations/*.qm"))
    assert not list(internal.rglob("*virtualkeyboard*"))
    if sys.platform.startswith(
        "linux"
    ):  # taken from the host, like the PySide6 wheel does (installer/bundle_filter.py)
        assert not list(internal.glob("libasound.so*")) and not list(internal.glob("libfontconfig.so*"))
        assert (internal / "libportaudio.so.2").is_file() and (internal / "libsqlite3.so.0").is_file()


@needs_bundle
def test_doctor_runs_from_the_bundle(bundle: Path, data_home: Path, tmp_path: Path):
    result = run_bundled(bundle, "doctor", "--json", "--offline", home=tmp_path, ROLEPLAY_HOME=str(data_home))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    checks = {check["name"]: check for check in report["checks"]}
    assert report["status"] in ("ok", "warn")  # no keyring, microphone or camera here: warnings, not failures
    assert checks["data folder"] == {"name": "data folder", "status": "ok", "detail": str(data_home), "fix": ""}
    assert checks["database"]["status"] == "ok" and str(data_home / "roleplay.db") in checks["database"]["detail"]
    assert "keyrings.alt" not in checks["keyring"]["detail"]
    assert checks["camera"]["status"] in ("ok", "warn") and "not available" not in checks["camera"]["detail"]
    assert "No QtMultimedia backends found" not in result.stderr  # Qt's FFmpeg plugin loaded (camera, sounds)
    # The recogniser and its built-in model are in the bundle (PyAV left out, CTranslate2 stripped) and hear speech.
    recogniser = checks["speech recogniser"]
    assert recogniser["status"] == "ok" and "tiny.en" in recogniser["detail"] and "acres" in recogniser["detail"]


@needs_bundle
def test_a_typed_call_against_the_embedded_partner(bundle: Path, data_home: Path, tmp_path: Path):
    personas = json.loads((ROOT / "resources" / "personas.json").read_text(encoding="utf-8"))["personas"]
    says = ["Hi, this is Sam. I'm calling about your property. Is now a good time?", "What made you think of selling?"]
    args = ["call", "--persona", personas[0]["id"], "--agent", "partner", "--json"]
    for line in says:
        args += ["--say", line]
    result = run_bundled(bundle, *args, home=tmp_path, ROLEPLAY_HOME=str(data_home))
    assert result.returncode == 0, result.stderr

    document = json.loads(result.stdout)
    assert document["status"] == "completed" and document["persona"]["id"] == personas[0]["id"]
    trainee = [line["text"] for line in document["transcript"] if line["speaker"] == "trainee"]
    seller = [line["text"] for line in document["transcript"] if line["speaker"] == "seller"]
    assert trainee == says and len(seller) >= len(says)

    from desktop.bootstrap import open_app_state  # the same database, read by the source tree

    state = open_app_state()
    try:
        stored = state.queries.get_session(document["id"])
        assert [line.text for line in stored.lines] == [line["text"] for line in document["transcript"]]
    finally:
        state.close()


@needs_bundle
def test_the_window_paints_opens_its_data_and_quits_cleanly(bundle: Path, data_home: Path, tmp_path: Path):
    result = run_bundled(
        bundle, home=tmp_path, ROLEPLAY_HOME=str(data_home), ROLEPLAY_SMOKE_QUIT_AFTER_PAINT="1"
    )  # no command: the GUI
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["painted", "opened"]
    assert (data_home / "roleplay.db").is_file()
    log = (data_home / "logs" / "roleplay.log").read_text(encoding="utf-8")
    assert "unhandled exception" not in log


@needs_bundle
def test_the_data_never_lives_in_the_install_folder(bundle: Path, tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    result = run_bundled(bundle, "doctor", "--json", "--offline", home=home, XDG_DATA_HOME="", APPDATA="")
    assert result.returncode == 0, result.stderr
    folder = Path(next(c for c in json.loads(result.stdout)["checks"] if c["name"] == "data folder")["detail"])
    assert folder.name == app_settings.APP_DIR_NAME and folder.is_relative_to(home)
    assert not list(bundle.rglob("roleplay.db")) and not list(bundle.rglob("roleplay.log"))


# --- the installer files (no bundle needed) --------------------------------------------------------------------------


def test_the_macos_plist_declares_microphone_and_camera_use():
    info = plistlib.loads((ROOT / "installer" / "macos" / "Info.plist").read_bytes())
    assert len(info["NSMicrophoneUsageDescription"]) > 20 and len(info["NSCameraUsageDescription"]) > 20
    assert info["CFBundleExecutable"] == app_settings.APP_NAME  # the spec's macOS executable
    assert info["CFBundleIconFile"] == "roleplay.icns" and info["CFBundlePackageType"] == "APPL"
    entitlements = plistlib.loads((ROOT / "installer" / "macos" / "entitlements.plist").read_bytes())
    assert entitlements == {"com.apple.security.device.audio-input": True, "com.apple.security.device.camera": True}


def test_the_linux_desktop_file_starts_the_bundled_program_with_the_generated_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(ROOT / "installer" / "linux" / "roleplay-trainer.desktop", encoding="utf-8")
    main = entry["Desktop Entry"]
    assert main["Type"] == "Application" and main["Name"] == app_settings.APP_NAME
    assert main["Exec"] == "roleplay-trainer" and 'name="roleplay-trainer"' in SPEC
    assert main["Icon"] == make_icons.ICON_NAME and main["Categories"].endswith(";")
    assert entry["Desktop Action QuickCall"]["Exec"] == "roleplay-trainer --quick-call"


def test_the_windows_installer_matches_the_bundle_and_keeps_user_data_unless_asked():
    script = (ROOT / "installer" / "windows" / "roleplay.iss").read_text(encoding="utf-8")
    defines = dict(re.findall(r'^#define (\w+) "([^"]*)"', script, re.M))
    assert defines["DataDirName"] == app_settings.APP_DIR_NAME
    assert defines["AppExeName"] == f"{app_settings.APP_NAME}.exe" and defines["CliExeName"] == "roleplay.exe"
    assert defines["BundleDir"].endswith(rf"dist\{app_settings.APP_NAME}")
    assert re.search(r"^AppId=\{\{[0-9A-F-]{36}\}", script, re.M)
    assert '"{autoprograms}' in script and '"{autodesktop}' in script
    # The data folder is deleted in one place only: after the user said yes.
    assert script.count("DelTree(") == 1
    code = script[script.index("[Code]") :]
    assert code.index("UninstallSilent()") < code.index("IDYES") < code.index("DelTree(")


def test_the_installer_scripts_parse():
    scripts = [
        ROOT / "installer" / "linux" / name
        for name in ("make_tarball.sh", "make_appimage.sh", "install.sh", "uninstall.sh")
    ] + [ROOT / "installer" / "macos" / "make_dmg.sh"]
    for script in scripts:
        result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert result.returncode == 0, f"{script.name}: {result.stderr}"


def test_every_icon_is_rendered_from_the_svg(qapp, tmp_path: Path):
    from PySide6.QtGui import QImage

    written = make_icons.make_icons(tmp_path)
    for size in make_icons.PNG_SIZES:
        image = QImage(str(tmp_path / "png" / f"{make_icons.ICON_NAME}-{size}.png"))
        assert (image.width(), image.height()) == (size, size)
        assert image.pixelColor(size // 2, size // 8).name() == "#2563eb"  # the accent square, as app_icon() draws
        assert image.pixelColor(0, 0).alpha() == 0  # rounded corners stay transparent

    ico = (tmp_path / "roleplay.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind, count) == (0, 1, len(make_icons.ICO_SIZES))
    widths = [ico[6 + 16 * i] for i in range(count)]
    assert widths == [size if size < 256 else 0 for size in sorted(make_icons.ICO_SIZES)]

    icns = (tmp_path / "roleplay.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    assert b"ic09" in icns and b"ic10" in icns  # 512 and its retina 1024
    assert len(written) == len(make_icons.PNG_SIZES) + 3


# --- trimming the bundle ---------------------------------------------------------------------------------------------

QT = "/venv/site-packages/PySide6/Qt"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the host libraries are a Linux rule")
def test_trimming_drops_unused_qt_parts_and_the_system_libraries_only_they_needed():
    binaries = [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", f"{QT}/plugins/platforms/libqxcb.so", "BINARY"),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", f"{QT}/plugins/platformthemes/libqgtk3.so", "BINARY"),
        ("PySide6/Qt/plugins/imageformats/libqpdf.so", f"{QT}/plugins/imageformats/libqpdf.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6Pdf.so.6", f"{QT}/lib/libQt6Pdf.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Quick.so.6", f"{QT}/lib/libQt6Quick.so.6", "BINARY"),
        ("libQt6Pdf.so.6", "PySide6/Qt/lib/libQt6Pdf.so.6", "SYMLINK"),
        ("libcairo.so.2", "/usr/lib/libcairo.so.2", "BINARY"),  # only the GTK theme needs it
        ("libpixman-1.so.0", "/usr/lib/libpixman-1.so.0", "BINARY"),  # only cairo needs it
        ("libxkbcommon.so.0", "/usr/lib/libxkbcommon.so.0", "BINARY"),  # the GTK theme and xcb need it
        ("libasound.so.2", "/usr/lib/libasound.so.2", "BINARY"),  # needed, but must be the host's own
        ("python3.11/lib-dynload/_sqlite3.so", "/py/lib-dynload/_sqlite3.so", "EXTENSION"),
        ("libsqlite3.so.0", "/usr/lib/libsqlite3.so.0", "BINARY"),  # only an extension module needs it
    ]
    links = {
        f"{QT}/plugins/platforms/libqxcb.so": ["libxkbcommon.so.0", "libQt6Quick.so.6", "libasound.so.2"],
        f"{QT}/plugins/platformthemes/libqgtk3.so": ["libcairo.so.2", "libxkbcommon.so.0"],
        f"{QT}/plugins/imageformats/libqpdf.so": ["libQt6Pdf.so.6"],
        "/usr/lib/libcairo.so.2": ["libpixman-1.so.0"],
        "/py/lib-dynload/_sqlite3.so": ["libsqlite3.so.0"],
    }
    datas = [("PySide6/Qt/translations/qtbase_de.qm", f"{QT}/translations/qtbase_de.qm", "DATA")]

    kept, kept_datas, dropped = bundle_filter.prune(binaries, datas, lambda source: links.get(source, []))

    assert [entry[0] for entry in kept] == [
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/lib/libQt6Quick.so.6",
        "libxkbcommon.so.0",
        "python3.11/lib-dynload/_sqlite3.so",
        "libsqlite3.so.0",
    ]
    assert kept_datas == []
    assert "libpixman-1.so.0" in dropped and "libQt6Pdf.so.6" in dropped  # orphaned twice over; its link
    assert "libasound.so.2" in dropped  # left to the host, whose ALSA plugins it must load


def test_the_build_stops_when_a_kept_library_lost_what_it_links_to():
    binaries = [
        ("PySide6/Qt/plugins/multimedia/libffmpeg.so", "/q/libffmpeg.so", "BINARY"),
        ("python3.11/lib-dynload/readline.so", "/py/readline.so", "EXTENSION"),
    ]
    links = {"/q/libffmpeg.so": ["libQt6Quick.so.6", "libc.so.6"], "/py/readline.so": ["libreadline.so.8"]}
    missing = bundle_filter.missing_dependencies(binaries, lambda s: links[s], lambda name: name == "libc.so.6")
    # The same check the spec runs: libasound is not missing, it is the host's.
    assert bundle_filter.missing_dependencies(
        [("x.so", "/x.so", "BINARY")], lambda s: ["libasound.so.2"], bundle_filter.pyinstaller_leaves_to_system
    ) == ([] if sys.platform.startswith("linux") else ["x.so -> libasound.so.2"])
    assert missing == [
        "PySide6/Qt/plugins/multimedia/libffmpeg.so -> libqt6quick.so.6",
        "python3.11/lib-dynload/readline.so -> libreadline.so.8",
    ]
