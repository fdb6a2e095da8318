"""What can go wrong talking to the team backend, as exceptions that carry plain words for the user (`message`) and
technical detail for the log (`detail`, never a secret)."""

from __future__ import annotations


class SyncError(Exception):
    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class BackendNotConfigured(SyncError):
    """No backend address: sync is simply off."""


class InsecureBackendUrl(SyncError):
    """A backend address that would send the token in the clear, or is not an address at all."""


class BackendUnreachable(SyncError):
    """No connection at all (offline, DNS, refused): keep everything queued and try again later."""


class BackendUnavailable(SyncError):
    """Reached, but no usable answer (timeout, reset, 5xx, an unexpected reply): retry with backoff."""


class RateLimited(BackendUnavailable):
    def __init__(self, message: str, retry_after_s: float | None, detail: str = "") -> None:
        super().__init__(message, detail)
        self.retry_after_s = retry_after_s


class SignInNeeded(SyncError):
    """401/403, or no token: stop pushing until the user signs in again."""

    def __init__(self, message: str, status_code: int | None = None, detail: str = "") -> None:
        super().__init__(message, detail)
        self.status_code = status_code


class RequestRejected(SyncError):
    """400/413/422: the backend refused this body; sending it unchanged would fail the same way."""

    def __init__(self, message: str, status_code: int, detail: str = "") -> None:
        super().__init__(message, detail)
        self.status_code = status_code


class StaleRevision(SyncError):
    """409: the backend holds a higher revision of this session, or (error "deleted") a tombstone of it."""

    def __init__(self, message: str, server_revision: int, detail: str = "", error: str = "stale_revision") -> None:
        super().__init__(message, detail)
        self.server_revision = server_revision
        self.error = error

    @property
    def deleted(self) -> bool:
        return self.error == "deleted"
