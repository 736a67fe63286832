"""Write the latest ablation into README.md: python -m PACKAGE.report [--ablation runs/NAME]

Replaces the text between `<!-- results:start -->` and `<!-- results:end -->` with the
ablation's table, its figure (copied to docs/ablation.png, as runs/ is not committed) and the
command that reproduces them.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

START, END = "<!-- results:start -->", "<!-- results:end -->"


def latest_ablation(runs_dir: str | Path = "runs") -> Path:
    """The ablation folder under `runs_dir` whose table was written last."""
    tables = sorted(Path(runs_dir).glob("*/ablation.md"), key=lambda p: p.stat().st_mtime)
    if not tables:
        raise SystemExit(f"no ablation in {runs_dir}/ yet: run `make smoke` or `make ablate` first")
    return tables[-1].parent


def results_section(ablation: Path, figure: str) -> str:
    """Markdown for the README: where the numbers come from, the table, the figure."""
    manifest = json.loads((ablation / "ablation.json").read_text())
    table = (ablation / "ablation.md").read_text().strip()
    return (
        f"Latest ablation (`{ablation}`), reproduced by:\n\n"
        f"```bash\n{manifest['command']}\npython -m {__package__}.report\n```\n\n"
        f"{table}\n\n"
        f"![Test accuracy against FLOPs and CPU latency, Pareto front marked]({figure})\n"
    )


def replace_between_markers(text: str, body: str, source: str = "README.md") -> str:
    """`text` with everything between the results markers replaced by `body`."""
    if START not in text or END not in text or text.index(START) > text.index(END):
        raise SystemExit(f"{source}: needs the markers {START} and {END} (in that order)")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{body}{END}{tail}"


def main(argv=None) -> Path:
    parser = argparse.ArgumentParser(description="Put the latest ablation into README.md.")
    parser.add_argument("--ablation", help="runs/NAME (default: the newest ablation)")
    parser.add_argument("--runs-dir", default="runs")
    parser.add_argument("--readme", default="README.md")
    args = parser.parse_args(argv)
    ablation = Path(args.ablation) if args.ablation else latest_ablation(args.runs_dir)
    readme = Path(args.readme)
    figure = readme.parent / "docs" / "ablation.png"
    figure.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ablation / "ablation.png", figure)
    body = results_section(ablation, figure.relative_to(readme.parent).as_posix())
    readme.write_text(replace_between_markers(readme.read_text(), body, str(readme)))
    print(f"[report] {readme}: results of {ablation}; figure {figure}")
    return readme


if __name__ == "__main__":
    main()
