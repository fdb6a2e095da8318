"""Model downloads against a real local HTTP server: progress, resume after a dropped transfer and after a cancel,
a wrong checksum, a full disk, and an atomic install."""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from desktop.speech.downloads import (
    ChecksumMismatch,
    DownloadCancelled,
    DownloadError,
    DownloadProgress,
    ModelDownload,
    NotEnoughSpace,
)
from desktop.speech.models import ModelFile, SpeechModel, check_model_dir, installed_models
from tests.speech.model_server import ModelServer, Served

CONFIG = b'{"suppress_ids": [1, 2], "lang_ids": [50259]}'
WEIGHTS = os.urandom(3 * 1024 * 1024 + 123)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def server() -> Iterator[ModelServer]:
    running = ModelServer(
        {
            "/m/config.json": Served(CONFIG),
            "/m/model.bin": Served(WEIGHTS),
            "/m/tokenizer.json": Served(b'{"model": {}}'),
            "/m/vocabulary.txt": Served(b"a\nb\n"),
        }
    )
    running.start()
    yield running
    running.stop()


def test_model(server: ModelServer, **hashes: str | None) -> SpeechModel:
    bodies = {name.rsplit("/", 1)[1]: served.body for name, served in server.files.items()}
    files = tuple(
        ModelFile(name, f"{server.url}/m/{name}", len(body), hashes.get(name.replace(".", "_"), sha(body)))
        for name, body in bodies.items()
    )
    return SpeechModel("base.en", "Whisper base (English)", files)


test_model.__test__ = False  # type: ignore[attr-defined]


def test_download_installs_verified_model_with_progress(server: ModelServer, tmp_path: Path) -> None:
    seen: list[DownloadProgress] = []
    folder = ModelDownload(test_model(server), tmp_path, on_progress=seen.append).run()
    assert folder == tmp_path / "speech-models" / "base.en"
    assert (folder / "model.bin").read_bytes() == WEIGHTS
    assert check_model_dir(folder) == []
    assert installed_models(tmp_path) == ["base.en"]
    assert not (tmp_path / "speech-models" / ".download-base.en").exists()
    assert [p.done for p in seen] == sorted(p.done for p in seen)
    assert seen[-1].done == seen[-1].total == sum(len(s.body) for s in server.files.values())
    assert len(seen) > 40  # progress while the weights arrive, not only at the end


def test_dropped_transfer_resumes_from_where_it_stopped(server: ModelServer, tmp_path: Path) -> None:
    server.files["/m/model.bin"].drops, server.files["/m/model.bin"].drop_after = 2, 1_000_000
    folder = ModelDownload(test_model(server), tmp_path).run()
    assert (folder / "model.bin").read_bytes() == WEIGHTS
    ranges = [rng for path, rng in server.requests if path == "/m/model.bin"]
    assert ranges == ["", "bytes=1000000-", "bytes=2000000-"]


def test_transfer_that_keeps_failing_reports_and_resumes_later(server: ModelServer, tmp_path: Path) -> None:
    server.files["/m/model.bin"].drops, server.files["/m/model.bin"].drop_after = 3, 500_000
    with pytest.raises(DownloadError, match="kept failing.*carry on where it stopped"):
        ModelDownload(test_model(server), tmp_path, retries=1).run()
    assert installed_models(tmp_path) == []
    part = tmp_path / "speech-models" / ".download-base.en" / "model.bin.part"
    assert part.stat().st_size == 1_000_000
    ModelDownload(test_model(server), tmp_path).run()
    assert [r for p, r in server.requests if p == "/m/model.bin"][-2:] == ["bytes=1000000-", "bytes=1500000-"]
    assert installed_models(tmp_path) == ["base.en"]


def test_server_that_ignores_range_restarts_the_file(server: ModelServer, tmp_path: Path) -> None:
    served = server.files["/m/model.bin"]
    served.drops, served.drop_after, served.ignore_range = 1, 700_000, True
    folder = ModelDownload(test_model(server), tmp_path).run()
    assert (folder / "model.bin").read_bytes() == WEIGHTS


def test_wrong_checksum_installs_nothing_and_says_so(server: ModelServer, tmp_path: Path) -> None:
    model = test_model(server, model_bin="0" * 64)
    with pytest.raises(ChecksumMismatch, match="model.bin of Whisper base.*nothing was installed"):
        ModelDownload(model, tmp_path).run()
    assert installed_models(tmp_path) == []
    assert not (tmp_path / "speech-models" / "base.en").exists()
    # The damaged file is not kept to be "resumed": the next try fetches it whole.
    assert not (tmp_path / "speech-models" / ".download-base.en" / "model.bin.part").exists()


def test_unpinned_file_is_checked_against_the_servers_sha256(server: ModelServer, tmp_path: Path) -> None:
    server.files["/m/model.bin"].etag = sha(WEIGHTS)
    assert ModelDownload(test_model(server, model_bin=None), tmp_path).run().is_dir()


def test_unpinned_file_without_a_stated_checksum_is_refused(server: ModelServer, tmp_path: Path) -> None:
    with pytest.raises(ChecksumMismatch, match="no checksum is known for model.bin"):
        ModelDownload(test_model(server, model_bin=None), tmp_path).run()
    assert installed_models(tmp_path) == []


def test_too_little_disk_space_stops_before_the_first_byte(server: ModelServer, tmp_path: Path) -> None:
    download = ModelDownload(test_model(server), tmp_path, free_bytes=lambda _: 40 * 1024 * 1024)
    with pytest.raises(NotEnoughSpace, match=r"needs 35 MB of free disk space .* only 10 MB are free"):
        ModelDownload(test_model(server), tmp_path, free_bytes=lambda _: 10 * 1024 * 1024).run()
    assert server.requests == []
    assert download.run().is_dir()  # 40 MB free is enough for 3 MB and the margin


def test_disk_filling_up_mid_transfer_is_reported_and_resumable(server: ModelServer, tmp_path: Path) -> None:
    written = [0]

    def fills_at_two_mb(out: BinaryIO, data: bytes) -> None:
        if written[0] + len(data) > 2 * 1024 * 1024:
            raise OSError(errno.ENOSPC, "No space left on device")
        written[0] += len(data)
        out.write(data)

    with pytest.raises(NotEnoughSpace, match="disk filled up"):
        ModelDownload(test_model(server), tmp_path, writer=fills_at_two_mb).run()
    assert installed_models(tmp_path) == []
    folder = ModelDownload(test_model(server), tmp_path).run()
    assert (folder / "model.bin").read_bytes() == WEIGHTS
    assert [r for p, r in server.requests if p == "/m/model.bin"][-1].startswith("bytes=")


def test_cancel_keeps_the_part_and_the_next_run_resumes(server: ModelServer, tmp_path: Path) -> None:
    def cancel_after_a_megabyte(progress: DownloadProgress) -> None:
        if progress.file == "model.bin" and progress.done > 1024 * 1024:
            download.cancel()

    download = ModelDownload(test_model(server), tmp_path, on_progress=cancel_after_a_megabyte)
    with pytest.raises(DownloadCancelled, match="cancelled"):
        download.run()
    assert installed_models(tmp_path) == []
    part = tmp_path / "speech-models" / ".download-base.en" / "model.bin.part"
    kept = part.stat().st_size
    assert 0 < kept < len(WEIGHTS)
    ModelDownload(test_model(server), tmp_path).run()
    assert [r for p, r in server.requests if p == "/m/model.bin"][-1] == f"bytes={kept}-"
    assert installed_models(tmp_path) == ["base.en"]


def test_reinstall_replaces_the_old_folder_whole(server: ModelServer, tmp_path: Path) -> None:
    first = ModelDownload(test_model(server), tmp_path).run()
    (first / "stale.txt").write_text("from the old install")
    second = ModelDownload(test_model(server), tmp_path).run()
    assert second == first and not (second / "stale.txt").exists()
    assert sorted(p.name for p in (tmp_path / "speech-models").iterdir()) == ["base.en"]


def test_discard_forgets_partial_files(server: ModelServer, tmp_path: Path) -> None:
    server.files["/m/model.bin"].drops, server.files["/m/model.bin"].drop_after = 5, 100_000
    download = ModelDownload(test_model(server), tmp_path, retries=0)
    with pytest.raises(DownloadError):
        download.run()
    download.discard()
    assert not download.staging.exists()
