"""The shipped bundle: how long PyInstaller takes to build it, its size on disk, and the cold start of the bundled app
to its first painted window beside the same app run from source, alternating in the same run.

Both sides run the real app (`roleplay-trainer` from the bundle, `python -m desktop` from source) with
ROLEPLAY_SMOKE_QUIT_AFTER_PAINT=1 and a fresh ROLEPLAY_HOME each time: the app prints "painted" from inside the first
paint of its window and "opened" once the database is open and every screen is built, then quits (desktop/smoke.py).
As in benchmarks/cold_start.py, the parent notes the time just before it starts the process and when each line arrives.

Targets: the bundle under 250 MB on disk; the bundled window painted in under 1.5 s (median).
Run: .venv/bin/python benchmarks/bundle.py [--runs 15] [--display offscreen|xvfb] [--no-build]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.cold_start import display_env  # noqa: E402 (same displays as the from-source benchmark)
from benchmarks.common import median, percentile  # noqa: E402

SIZE_TARGET_MB = 250
COLD_START_TARGET_S = 1.5
RESULTS = ROOT / "benchmarks" / "results" / "bundle.json"
BUNDLE = ROOT / "dist" / "Roleplay Trainer"


def build(work: Path) -> float:
    """A clean PyInstaller build (fresh work folder, no cache) into dist/; returns the seconds it took."""
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("pyinstaller")), "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(ROOT / "dist"), "--workpath", str(work), str(ROOT / "roleplay.spec")],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - started


def size_on_disk(folder: Path) -> dict[str, float]:
    """Allocated blocks and the files' own sizes, in MB (10^6 bytes; `du -h` shows MiB); symbolic links count once."""
    allocated = apparent = files = 0
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        stat = path.stat()
        allocated += stat.st_blocks * 512
        apparent += stat.st_size
        files += 1
    return {
        "on_disk_mb": allocated / 1e6,
        "on_disk_mib": allocated / 2**20,
        "apparent_mb": apparent / 1e6,
        "files": files,
    }


def largest_parts(folder: Path, count: int = 8) -> list[tuple[str, float]]:
    """The biggest top-level parts of _internal, for deciding what to trim next."""
    internal = folder / "_internal"
    parts = []
    for child in internal.iterdir():
        paths = [child] if child.is_file() else [p for p in child.rglob("*") if p.is_file()]
        parts.append((child.name, sum(p.stat().st_size for p in paths if not p.is_symlink()) / 1e6))
    return sorted(parts, key=lambda part: part[1], reverse=True)[:count]


def measure(command: list[str], env: dict[str, str]) -> dict[str, float]:
    home = tempfile.mkdtemp(prefix="roleplay-bundle-bench-")
    try:
        started = time.perf_counter()
        child = subprocess.Popen(
            command,
            cwd=home,
            env={**env, "ROLEPLAY_HOME": home, "ROLEPLAY_SMOKE_QUIT_AFTER_PAINT": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        marks: dict[str, float] = {}
        for line in child.stdout:
            word = line.strip()
            if word in ("painted", "opened"):
                marks[word] = time.perf_counter() - started
        child.wait(60)
        if child.returncode != 0 or "painted" not in marks:
            raise RuntimeError(f"{command[0]} exited {child.returncode} after {sorted(marks)}")
        return marks
    finally:
        shutil.rmtree(home, ignore_errors=True)


def stats(samples: list[float]) -> dict[str, float]:
    return {"median": median(samples), "p95": percentile(samples, 0.95), "min": min(samples)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--display", choices=("offscreen", "xvfb"), default="xvfb" if shutil.which("Xvfb") else "offscreen"
    )
    parser.add_argument("--no-build", action="store_true", help="measure the bundle already in dist/")
    args = parser.parse_args()

    build_s = None
    if not args.no_build:
        with tempfile.TemporaryDirectory(prefix="roleplay-pyinstaller-") as work:
            build_s = build(Path(work))
    size = size_on_disk(BUNDLE)

    env, server = display_env(args.display)
    env = {k: v for k, v in env.items() if k not in ("PYTHON_KEYRING_BACKEND", "PYTHONPATH")}
    bundled_cmd = [str(BUNDLE / ("roleplay.exe" if sys.platform == "win32" else "roleplay-trainer"))]
    source_cmd = [sys.executable, "-m", "desktop"]
    try:
        measure(bundled_cmd, env)  # warm the file cache once for each, so every sample is a warm-disk start
        measure(source_cmd, env)
        samples: dict[str, list[float]] = {"bundle_painted": [], "bundle_opened": [], "source_painted": [],
                                           "source_opened": []}  # fmt: skip
        for _ in range(args.runs):
            for side, command in (("bundle", bundled_cmd), ("source", source_cmd)):
                marks = measure(command, env)
                samples[f"{side}_painted"].append(marks["painted"])
                samples[f"{side}_opened"].append(marks.get("opened", float("nan")))
    finally:
        if server is not None:
            server.stop()

    result = {
        "display": args.display,
        "runs": args.runs,
        "build_s": build_s,
        "size": size,
        "largest_parts_mb": largest_parts(BUNDLE),
        **{key: stats(values) for key, values in samples.items()},
        "ratio_painted_bundle_over_source": median(samples["bundle_painted"]) / median(samples["source_painted"]),
        "targets": {"size_on_disk_mb": SIZE_TARGET_MB, "bundle_painted_median_s": COLD_START_TARGET_S},
    }
    result["pass"] = size["on_disk_mb"] < SIZE_TARGET_MB and result["bundle_painted"]["median"] < COLD_START_TARGET_S
    print(f"Bundle: {BUNDLE}")
    if build_s is not None:
        print(f"clean build                 {build_s:8.1f} s")
    print(f"size on disk                {size['on_disk_mb']:8.1f} MB  (= {size['on_disk_mib']:.1f} MiB; "
          f"{size['apparent_mb']:.1f} MB in {size['files']} files; target < {SIZE_TARGET_MB} MB)")  # fmt: skip
    print(f"Cold start, {args.runs} runs each, alternating, display {args.display}")
    print(f"{'':28}{'median':>10}{'p95':>10}{'min':>10}")
    for label, key in (("bundle: window painted", "bundle_painted"), ("source: window painted", "source_painted"),
                       ("bundle: data opened", "bundle_opened"), ("source: data opened", "source_opened")):  # fmt: skip
        row = result[key]
        print(f"{label:28}{row['median']:>9.3f}s{row['p95']:>9.3f}s{row['min']:>9.3f}s")
    print(f"ratio bundle / source (painted medians): {result['ratio_painted_bundle_over_source']:.2f}")
    verdict = "PASS" if result["pass"] else "FAIL"
    print(f"targets: < {SIZE_TARGET_MB} MB and painted < {COLD_START_TARGET_S:g} s: {verdict}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
