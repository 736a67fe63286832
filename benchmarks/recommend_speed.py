"""How fast `newproject recommend` answers from a file (target: under 150 ms).

    .venv/bin/python benchmarks/recommend_speed.py [--runs 15]

Each run is a fresh process, as a user or a script meets it:
`newproject recommend --answers f.yaml --json` and the same from a JSON file, interleaved with
`newproject --version` (the reference: interpreter and click start-up, measured in the same run
so a loaded machine shows as a high reference). Prints the medians, the ratios against the
reference and the recommender's own share (median minus reference). Numbers, never a verdict
that a test depends on: timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TARGET_MS = 150
# The deployment-strong perception engineer aiming at applied CV (tests/test_personas.py).
ANSWERS = {
    "role": "applied-cv",
    "domain": "driving",
    "levels": {
        "dl-fundamentals": 1,
        "model-design": 1,
        "experiment-rigor": 1,
        "3d-perception": 1,
        "detection-tracking": 2,
        "lidar": 1,
        "deployment": 4,
        "ml-engineering": 3,
    },
}


def timed_ms(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    newproject = str(BIN / "newproject")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        yaml_file = work / "answers.yaml"
        yaml_file.write_text(
            f"role: {ANSWERS['role']}\ndomain: {ANSWERS['domain']}\nlevels:\n"
            + "".join(f"  {skill}: {level}\n" for skill, level in ANSWERS["levels"].items())
        )
        json_file = work / "answers.json"
        json_file.write_text(json.dumps(ANSWERS))
        commands = {
            "newproject --version (reference)": [newproject, "--version"],
            "recommend --answers f.yaml --json": [
                newproject,
                "recommend",
                "--answers",
                str(yaml_file),
                "--json",
            ],
            "recommend --answers f.json --json": [
                newproject,
                "recommend",
                "--answers",
                str(json_file),
                "--json",
            ],
            "recommend --answers f.yaml (text)": [
                newproject,
                "recommend",
                "--answers",
                str(yaml_file),
            ],
        }
        for command in commands.values():  # warm the file cache
            timed_ms(command, work)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(timed_ms(command, work))
    medians = {name: statistics.median(values) for name, values in times.items()}
    reference = medians["newproject --version (reference)"]
    print(f"medians of {args.runs} runs, each a fresh process (target < {TARGET_MS} ms):")
    for name, median in medians.items():
        spread = f"min {min(times[name]):6.1f}  max {max(times[name]):6.1f}"
        line = f"  {name:<36} {median:6.1f} ms   ({spread})"
        if name != "newproject --version (reference)":
            line += f"   ratio {median / reference:4.2f}   own {median - reference:5.1f} ms"
            line += "   under target" if median < TARGET_MS else "   OVER TARGET"
        print(line)


if __name__ == "__main__":
    main()
