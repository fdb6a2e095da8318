"""A throwaway PostgreSQL cluster from Debian's binaries: initdb and pg_ctl in a temporary folder, on a free loopback
port, run as the `postgres` system user when the tests run as root (PostgreSQL refuses to run as root)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from server_process import free_port

APT_HINT = "apt-get install -y postgresql (Debian's initdb and pg_ctl in /usr/lib/postgresql/*/bin)"


def find_bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class PostgresCluster:
    bin_dir: Path
    root: Path
    port: int
    runas: list[str]

    @property
    def url(self) -> str:
        return f"postgres://roleplay@127.0.0.1:{self.port}/roleplay"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.runas, *args], check=True, capture_output=True, timeout=120)

    @classmethod
    def start(cls) -> PostgresCluster:
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise FileNotFoundError(f"no PostgreSQL server binaries: {APT_HINT}")
        root = Path(tempfile.mkdtemp(prefix="roleplay-pg-"))
        runas: list[str] = []
        if os.geteuid() == 0:
            # initdb refuses root; Debian's package made the `postgres` user, who gets only this folder.
            shutil.chown(root, "postgres", "postgres")
            runas = ["runuser", "-u", "postgres", "--"]
        cluster = cls(bin_dir, root, free_port(), runas)
        data = root / "data"
        cluster._run(
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "roleplay",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        )
        options = (
            f"-p {cluster.port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
            " -c full_page_writes=off -c max_connections=200"
        )
        # -w: pg_ctl returns once the server accepts connections (a condition, not a sleep)
        cluster._run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start")
        cluster._run(
            str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "roleplay", "roleplay"
        )
        return cluster

    def stop(self) -> None:
        try:
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
