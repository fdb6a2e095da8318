"""One running app per user and data folder: a second launch (or `roleplay --quick-call`) hands its request to the
running app through a local socket (QLocalServer) and exits.

The wire format is one JSON line per request, answered with "ok"; a hand-off only counts once the running app has
acknowledged it, so a hung or half-dead instance never swallows a launch.

Which launch runs is decided by a lock file in the data folder (`app.lock`, held by the running app until it ends in
any way): taking it is atomic, so two launches at the same moment cannot both start. Asking the socket and then
listening was not (issue 14, item 21).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from desktop import settings as app_settings
from desktop.file_lock import FileLock
from desktop.ui.shell.requests import CallRequest

log = logging.getLogger(__name__)

OPEN, QUICK_CALL, CALL = "open", "quick_call", "call"
ACTIONS = (OPEN, QUICK_CALL, CALL)
HAND_OFF_TIMEOUT_MS = 1500
MAX_REQUEST_BYTES = 4096
# How long a launch that found the lock taken waits for its holder to start listening (it may be starting up too).
HOLDER_LISTENS_WITHIN_S = 10.0
_RETRY_S = 0.05


def lock_path() -> Path:
    return app_settings.data_dir() / "app.lock"


@dataclass(frozen=True)
class InstanceRequest:
    """What a later launch wants: show the window, place the quick practice call, or place a given call."""

    action: str = OPEN
    call: CallRequest | None = None

    def to_line(self) -> bytes:
        data = {"action": self.action, "call": self.call.to_dict() if self.call else None}
        return (json.dumps(data) + "\n").encode("utf-8")

    @classmethod
    def from_line(cls, line: bytes) -> InstanceRequest:
        """Raises ValueError for anything that is not a request."""
        data = json.loads(line.decode("utf-8"))
        if not isinstance(data, dict) or data.get("action") not in ACTIONS:
            raise ValueError(f"not an instance request: {line[:100]!r}")
        call = CallRequest.from_dict(data["call"]) if data.get("call") else None
        if data["action"] == CALL and call is None:
            raise ValueError("a call request needs a call")
        return cls(data["action"], call)


def server_name() -> str:
    """Per user and per data folder, so two profiles (ROLEPLAY_HOME) can run side by side."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name (some containers)
        user = "user"
    digest = hashlib.sha256(f"{user}\0{app_settings.data_dir().resolve()}".encode()).hexdigest()[:16]
    return f"roleplay-trainer-{digest}"


TOOK, BUSY, ABSENT = "took", "busy", "absent"


def send_request(request: InstanceRequest, timeout_ms: int = HAND_OFF_TIMEOUT_MS) -> str:
    """TOOK: a running app acknowledged the request. BUSY: one is there but did not answer in time (hung, or its
    GUI thread is blocked). ABSENT: nobody listens."""
    socket = QLocalSocket()
    socket.connectToServer(server_name())
    if not socket.waitForConnected(timeout_ms):
        return ABSENT
    try:
        socket.write(request.to_line())
        if not socket.waitForBytesWritten(timeout_ms):
            return BUSY
        while not socket.canReadLine():
            if not socket.waitForReadyRead(timeout_ms):
                log.warning("the running instance did not acknowledge the hand-off")
                return BUSY
        return TOOK if bytes(socket.readLine().data()).strip() == b"ok" else BUSY
    finally:
        socket.disconnectFromServer()


def hand_off_to_running_instance(request: InstanceRequest, timeout_ms: int = HAND_OFF_TIMEOUT_MS) -> bool:
    """True when a running app took the request (this launch should then exit). Works before a QApplication exists.
    False means: start normally; `InstanceServer.start` then settles a race or a hung instance."""
    return send_request(request, timeout_ms) == TOOK


class InstanceServer(QObject):
    """Listens for later launches; `request_received(InstanceRequest)` arrives on the GUI thread."""

    request_received = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytearray] = {}
        self._lock: FileLock | None = None

    @property
    def listening(self) -> bool:
        return self._server.isListening()

    def start(self, pending: InstanceRequest | None = None) -> bool:
        """Starts listening. Returns False when another instance is running (it took `pending`, or it is there but
        not answering): this process should then exit. True otherwise, also when listening failed for another
        reason (the app then just runs without the hand-off)."""
        name = server_name()
        lock = FileLock(lock_path())
        deadline = time.monotonic() + HOLDER_LISTENS_WITHIN_S
        while True:
            try:
                if lock.acquire(blocking=False):
                    break
            except OSError as exc:  # a data folder we cannot write: fall back to asking the socket alone
                log.warning("could not take the single-instance lock %s: %s", lock.path, exc)
                if send_request(pending or InstanceRequest(OPEN)) != ABSENT:
                    return False
                break
            # Another launch holds the lock: it runs, or is starting and will listen in a moment.
            answer = send_request(pending or InstanceRequest(OPEN))
            if answer == BUSY:
                log.warning("another instance holds %s but does not answer; not starting a second one", name)
            if answer != ABSENT:
                return False
            if time.monotonic() > deadline:
                log.warning("another instance holds %s but never listened on %s; not starting", lock.path, name)
                return False
            threading.Event().wait(_RETRY_S)  # poll: the holder's socket appears without any signal to us
        self._lock = lock if lock.held else None
        # The lock is ours, so no other instance runs: a socket file by that name is one a crashed app left behind.
        QLocalServer.removeServer(name)
        if not self._server.listen(name):
            log.warning("single-instance server could not listen on %s: %s", name, self._server.errorString())
        return True

    def close(self) -> None:
        self._server.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = bytearray()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _read(self, socket: QLocalSocket) -> None:
        buffer = self._buffers.get(socket)
        if buffer is None:
            return
        buffer += bytes(socket.readAll().data())
        if len(buffer) > MAX_REQUEST_BYTES:
            log.warning("dropping an oversized single-instance request")
            socket.abort()
            return
        while b"\n" in buffer:
            line, _, rest = bytes(buffer).partition(b"\n")
            buffer[:] = rest
            try:
                request = InstanceRequest.from_line(line)
            except ValueError as exc:
                log.warning("ignoring a bad single-instance request: %s", exc)
                socket.write(b"error\n")
                continue
            socket.write(b"ok\n")
            socket.flush()
            self.request_received.emit(request)

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()
