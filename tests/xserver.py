"""A private X display with a system tray, for tests that need a real desktop (the tray icon, window screenshots).

`XServer` starts `Xvfb` on a free display (it reports the number itself through -displayfd, so there is no guessing)
and `trayer` as the tray host, and stops exactly those two processes. The `x_display` fixture FAILS, never skips,
when either program is missing: `make system-deps` installs them.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest

REQUIRED = ("Xvfb", "trayer", "xwininfo")
START_TIMEOUT = 10.0
POLL_INTERVAL = 0.05


class XUnavailable(RuntimeError):
    pass


class XServer:
    def __init__(self, screen: str = "1280x800x24") -> None:
        self.screen = screen
        self.display = ""
        self.xvfb: subprocess.Popen[bytes] | None = None
        self.trayer: subprocess.Popen[bytes] | None = None
        self._display_fd: int | None = None

    def start(self) -> XServer:
        missing = [tool for tool in REQUIRED if shutil.which(tool) is None]
        if missing:
            raise XUnavailable(
                f"{', '.join(missing)} not installed: the tray tests need a virtual display with a tray host. "
                "Install them with `make system-deps` (Debian/Ubuntu: apt-get install xvfb trayer x11-utils)."
            )
        read_fd, write_fd = os.pipe()
        self._display_fd = read_fd  # kept open while Xvfb runs: it dies if it cannot finish writing the number
        try:
            self.xvfb = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", self.screen, "-nolisten", "tcp"],
                pass_fds=(write_fd,),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        finally:
            os.close(write_fd)
        number = self._read_display_number(read_fd)
        if not number:
            self.stop()
            raise XUnavailable("Xvfb did not start within 10 s")
        self.display = f":{number}"
        self.trayer = subprocess.Popen(
            ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "24"],
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not self._wait_for_window("panel"):
            self.stop()
            raise XUnavailable("trayer did not show its panel within 10 s")
        return self

    @staticmethod
    def _read_display_number(fd: int) -> str:
        """Xvfb writes "<number>\\n" once it accepts connections, sometimes in more than one write."""
        text = b""
        deadline = time.monotonic() + START_TIMEOUT
        while not text.endswith(b"\n"):
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(fd, 32) if ready else b""
            if not chunk:
                return ""
            text += chunk
        return text.decode().strip()

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ if base is None else base)
        env["DISPLAY"] = self.display
        env["QT_QPA_PLATFORM"] = "xcb"
        return env

    def _wait_for_window(self, name: str) -> bool:
        # trayer has no readiness signal: poll the window tree (cheap) until its panel exists, with a deadline.
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            tree = subprocess.run(
                ["xwininfo", "-root", "-children"], env=self.env(), capture_output=True, text=True, check=False
            ).stdout
            if f'"{name}"' in tree:
                return True
            if self.trayer is not None and self.trayer.poll() is not None:
                return False
            time.sleep(POLL_INTERVAL)
        return False

    def screenshot(self, path: str) -> bool:
        """The whole virtual screen as a PNG (imagemagick's `import`); False when it is not installed."""
        if shutil.which("import") is None:
            return False
        result = subprocess.run(["import", "-window", "root", path], env=self.env(), capture_output=True, check=False)
        return result.returncode == 0

    def stop(self) -> None:
        for process in (self.trayer, self.xvfb):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
        self.trayer = self.xvfb = None
        if self._display_fd is not None:
            os.close(self._display_fd)
            self._display_fd = None

    def __enter__(self) -> XServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture(scope="session")
def x_display() -> Iterator[XServer]:
    server = XServer()
    try:
        server.start()
    except XUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()
