"""Shared test settings and helpers: one thread (small models run fastest on one), the tiny
config, and a throw-away project folder (claims/, README.md, docs/) to reproduce claims in."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest
import torch
import yaml

torch.set_num_threads(1)

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "configs" / "tiny.yaml"
README = (
    "# Test project\n\n## Results\n\n<!-- results:start -->\nnothing yet\n<!-- results:end -->\n"
)

# A claim that our data supports: true labels beat random labels on test accuracy.
REAL_VS_RANDOM = {
    "claim": "A network trained on true labels generalises far better than one on random labels.",
    "paper": {
        "title": "Understanding deep learning requires rethinking generalization",
        "authors": "Chiyuan Zhang, Samy Bengio, Moritz Hardt, Benjamin Recht, Oriol Vinyals",
        "year": 2017,
        "venue": "ICLR 2017",
    },
    "source": {"location": "Figure 1c", "quote": "test error grows with the label noise"},
    "reported": {"value": None, "text": "qualitative"},
    "metric": {"name": "accuracy", "split": "test", "checkpoint": "last", "direction": "higher"},
    "experiments": {
        "random": {"set": {"task.label_noise": 1.0}},
        "true": {"set": {"task.label_noise": 0.0}},
    },
    "seeds": 3,
    "rule": {"name": "difference", "baseline": "random", "treatment": "true", "min_effect": 0.2},
    "deviations": [{"aspect": "data", "paper": "CIFAR-10", "ours": "300 digits", "why": "speed"}],
    "hyperparameter_search": "none",
}


def contradicted() -> dict:
    """The same experiments, claiming the opposite: random labels generalise better."""
    claim = yaml.safe_load(yaml.safe_dump(REAL_VS_RANDOM))
    claim["claim"] = "Random labels give a higher test accuracy than true labels."
    claim["rule"] = {"name": "difference", "baseline": "true", "treatment": "random"}
    return claim


def write_claim(folder: Path, claim_id: str, claim: dict, config: Path = TINY) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{claim_id}.yaml"
    path.write_text(yaml.safe_dump({**claim, "config": str(config)}, sort_keys=False))
    return path


@contextlib.contextmanager
def inside(folder: Path):
    """Run with `folder` as the working directory (reproduce and report use relative paths)."""
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield folder
    finally:
        os.chdir(before)


def make_project(folder: Path) -> Path:
    """A folder laid out like this project: configs/, claims/, docs/, README.md."""
    (folder / "configs").mkdir(parents=True, exist_ok=True)
    shutil.copy(TINY, folder / "configs" / "tiny.yaml")
    (folder / "docs").mkdir(exist_ok=True)
    shutil.copy(ROOT / "docs" / "report_notes.md", folder / "docs" / "report_notes.md")
    (folder / "README.md").write_text(README)
    return folder


@pytest.fixture(scope="session")
def reproduced(tmp_path_factory):
    """One tiny reproduction of a supported and a contradicted claim (3 seeds, shared runs),
    then the report: (project folder, reproduce's return value, report's return value)."""
    from {{ cookiecutter.package_name }} import report, reproduce

    project = make_project(tmp_path_factory.mktemp("project"))
    write_claim(project / "claims", "true-beats-random", REAL_VS_RANDOM)
    write_claim(project / "claims", "random-beats-true", contradicted())
    with inside(project):
        done = reproduce.main(["runs_dir=runs"])
        written = report.main([])
    return project, done, written
