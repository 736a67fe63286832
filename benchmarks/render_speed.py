"""How fast newproject answers and renders, against stock cookiecutter on the same template.

    .venv/bin/python benchmarks/render_speed.py [--runs 5] [GAP ...]

Prints, per gap, the median wall time of `newproject new GAP --no-input` (with its
git init and first commit, and with --no-git) and of stock
`cookiecutter REPO --directory templates/GAP --no-input`, each a fresh process,
runs interleaved, and the ratio newproject / cookiecutter (target: <= 1.0).
Also the medians of `newproject --help` and `newproject list` (target: < 150 ms).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
GAPS = ("3d-scene-understanding", "custom-model-architecture", "dl-fundamentals")


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gaps", nargs="*", default=list(GAPS))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        timed([str(BIN / "newproject"), "--version"], work)  # warm the file cache first
        for label, command in (("--help", ["--help"]), ("list", ["list"])):
            times = [timed([str(BIN / "newproject"), *command], work) for _ in range(args.runs)]
            print(f"newproject {label:<7} median {statistics.median(times) * 1000:6.0f} ms")
        for gap in args.gaps:
            commands = {
                "newproject": [str(BIN / "newproject"), "new", gap, "--no-input"],
                "newproject --no-git": [
                    str(BIN / "newproject"),
                    "new",
                    gap,
                    "--no-input",
                    "--no-git",
                ],
                "cookiecutter": [
                    str(BIN / "cookiecutter"),
                    str(REPO),
                    "--directory",
                    f"templates/{gap}",
                    "--no-input",
                ],
            }
            times: dict[str, list[float]] = {name: [] for name in commands}
            for run in range(args.runs):
                for name, command in commands.items():
                    out = work / f"{gap}-{name.replace(' ', '')}-{run}"
                    times[name].append(timed([*command, "-o", str(out)], work))
            medians = {name: statistics.median(values) for name, values in times.items()}
            files = sum(
                1
                for p in next((work / f"{gap}-cookiecutter-0").iterdir()).rglob("*")
                if p.is_file()
            )
            print(f"\n{gap} ({files} files), medians of {args.runs} runs:")
            for name, median in medians.items():
                print(f"  {name:<20} {median:6.3f} s")
            stock = medians["cookiecutter"]
            for name in ("newproject", "newproject --no-git"):
                print(f"  ratio {name} / cookiecutter {medians[name] / stock:.2f}")


if __name__ == "__main__":
    main()
