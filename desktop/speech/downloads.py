"""Downloading a speech model into the data folder: progress, cancel, resume over HTTP Range, a disk-space check before
the first byte, SHA-256 verification, and an atomic install (a model folder appears whole or not at all)."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import httpx2

from desktop.speech.models import INSTALLED_MARKER, ModelFile, SpeechModel, installed_dir, models_root

MB = 1024 * 1024
_SHA256 = re.compile(r'^(?:W/)?"?([0-9a-f]{64})"?$')


@dataclass(frozen=True)
class DownloadProgress:
    """Bytes of the whole model on disk so far, out of its expected total; `file` is the one being fetched."""

    model: str
    file: str
    done: int
    total: int

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total else 0.0


class DownloadError(RuntimeError):
    """A download did not finish; the message says what happened and what to do, in plain words."""


class DownloadCancelled(DownloadError):
    pass


class NotEnoughSpace(DownloadError):
    pass


class ChecksumMismatch(DownloadError):
    pass


def free_disk_bytes(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def write_chunk(out: BinaryIO, data: bytes) -> None:
    out.write(data)


class ModelDownload:
    """One model's download. `run` blocks (call it from the downloads thread); `cancel` may be called from any thread.
    Partial files stay in `<data>/speech-models/.download-<name>/` so a later run resumes them."""

    def __init__(
        self,
        model: SpeechModel,
        data_home: Path,
        *,
        on_progress: Callable[[DownloadProgress], None] | None = None,
        client: httpx2.Client | None = None,
        free_bytes: Callable[[Path], int] = free_disk_bytes,
        writer: Callable[[BinaryIO, bytes], None] = write_chunk,
        retries: int = 3,
        space_margin: int = 32 * MB,
    ):
        self.model = model
        self.root = models_root(data_home)
        self.staging = self.root / f".download-{model.name}"
        self.target = installed_dir(data_home, model.name)
        self._on_progress = on_progress or (lambda _: None)
        self._client = client
        self._free_bytes = free_bytes
        self._writer = writer
        self._retries = retries
        self._space_margin = space_margin
        self._cancelled = threading.Event()
        self._sizes = {file.name: file.size for file in model.files}

    def cancel(self) -> None:
        self._cancelled.set()

    def discard(self) -> None:
        """Forget partial files (after a cancel the trainee does not mean to resume)."""
        shutil.rmtree(self.staging, ignore_errors=True)

    def run(self) -> Path:
        """Fetch, verify and install the model; returns its folder. Raises a DownloadError subclass otherwise."""
        self.staging.mkdir(parents=True, exist_ok=True)
        self._check_space()
        client = self._client or httpx2.Client(follow_redirects=True, timeout=httpx2.Timeout(30.0, connect=10.0))
        try:
            for file in self.model.files:
                if not (self.staging / file.name).is_file():
                    self._fetch_verified(client, file)
        finally:
            if self._client is None:
                client.close()
        return self._install()

    def _on_disk(self) -> int:
        total = 0
        for file in self.model.files:
            for path in (self.staging / file.name, self.staging / f"{file.name}.part"):
                if path.is_file():
                    total += path.stat().st_size
        return total

    def _check_space(self) -> None:
        needed = max(0, self.model.size - self._on_disk()) + self._space_margin
        free = self._free_bytes(self.root)
        if free < needed:
            raise NotEnoughSpace(
                f"{self.model.title} needs {needed / MB:.0f} MB of free disk space in {self.root}, but only "
                f"{free / MB:.0f} MB are free. Free some space and try again."
            )

    def _fetch_verified(self, client: httpx2.Client, file: ModelFile) -> None:
        part = self.staging / f"{file.name}.part"
        server_sha = ""
        failure: Exception | None = None
        for _ in range(self._retries + 1):
            try:
                server_sha = self._fetch(client, file, part) or server_sha
                break
            except httpx2.TransportError as error:  # a dropped connection: resume from what arrived
                failure = error
        else:
            raise DownloadError(
                f"The download of {self.model.title} kept failing ({failure}). Check the connection and try again; "
                "it will carry on where it stopped."
            ) from failure
        self._verify(file, part, server_sha)
        os.replace(part, self.staging / file.name)

    def _fetch(self, client: httpx2.Client, file: ModelFile, part: Path) -> str:
        offset = part.stat().st_size if part.is_file() else 0
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        with client.stream("GET", file.url, headers=headers) as response:
            if response.status_code == 416 and offset:
                return _server_sha256(response)  # the part already holds the whole file
            if response.status_code == 206 and _range_start(response) == offset:
                mode = "ab"
            elif response.status_code == 200:
                mode, offset = "wb", 0  # the server ignored the range: start the file again
            else:
                raise DownloadError(
                    f"The server refused {file.name} of {self.model.title} (HTTP {response.status_code}). "
                    "Try again later."
                )
            length = response.headers.get("content-length")
            if length and length.isdigit():
                self._sizes[file.name] = offset + int(length)
            other_files = self._on_disk() - (part.stat().st_size if part.is_file() else 0)
            with part.open(mode) as out:
                # Unchunked: a fixed chunk size would hold back the bytes before a dropped connection.
                for data in response.iter_bytes():
                    if self._cancelled.is_set():
                        raise DownloadCancelled(f"The download of {self.model.title} was cancelled.")
                    self._write(out, data)
                    offset += len(data)
                    self._report(file, other_files + offset)
            return _server_sha256(response)

    def _write(self, out: BinaryIO, data: bytes) -> None:
        try:
            self._writer(out, data)
        except OSError as error:
            if error.errno in (errno.ENOSPC, errno.EDQUOT):
                raise NotEnoughSpace(
                    f"The disk filled up while downloading {self.model.title}. Free some space and try again; "
                    "it will carry on where it stopped."
                ) from error
            raise

    def _report(self, file: ModelFile, done: int) -> None:
        self._on_progress(DownloadProgress(self.model.name, file.name, done, max(done, sum(self._sizes.values()))))

    def _verify(self, file: ModelFile, part: Path, server_sha: str) -> None:
        expected = file.sha256 or server_sha
        if not expected:
            part.unlink(missing_ok=True)
            raise ChecksumMismatch(
                f"{self.model.title} cannot be installed: no checksum is known for {file.name}, so it cannot be "
                "checked. Nothing was installed."
            )
        digest = hashlib.sha256()
        with part.open("rb") as source:
            for block in iter(lambda: source.read(MB), b""):
                digest.update(block)
        if digest.hexdigest() != expected.lower():
            # A wrong file will not become right by resuming it: drop it so the next try starts clean.
            part.unlink(missing_ok=True)
            raise ChecksumMismatch(
                f"{file.name} of {self.model.title} arrived damaged or changed (its checksum does not match), so "
                "nothing was installed. Try the download again."
            )

    def _install(self) -> Path:
        marker = {"name": self.model.name, "files": {file.name: file.sha256 for file in self.model.files}}
        (self.staging / INSTALLED_MARKER).write_text(json.dumps(marker, indent=1), encoding="utf-8")
        old = self.root / f".old-{self.model.name}"
        shutil.rmtree(old, ignore_errors=True)
        if self.target.exists():
            # A rename onto an existing folder fails on Windows: move the old install aside first.
            os.replace(self.target, old)
        os.replace(self.staging, self.target)
        shutil.rmtree(old, ignore_errors=True)
        return self.target


def _range_start(response: httpx2.Response) -> int:
    match = re.match(r"bytes (\d+)-", response.headers.get("content-range", ""))
    return int(match.group(1)) if match else -1


def _server_sha256(response: httpx2.Response) -> str:
    """The SHA-256 the server states for the file: Hugging Face puts it in X-Linked-Etag (on the redirect to its CDN)
    or the ETag, for files stored in Git LFS. Empty when it states none."""
    for step in (response, *response.history):
        for header in ("x-linked-etag", "etag"):
            match = _SHA256.match(step.headers.get(header, "").strip().lower())
            if match:
                return match.group(1)
    return ""
