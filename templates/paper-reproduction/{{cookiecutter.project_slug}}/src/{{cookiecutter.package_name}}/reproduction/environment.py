"""What a reproduction ran on: software versions, hardware, threads and the code's commit,
recorded beside the runs so the report's checklist is filled from facts, not from memory."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from functools import lru_cache
from importlib import metadata

PACKAGES = ("torch", "numpy", "scipy", "scikit-learn", "matplotlib", "pyyaml", "jsonschema")


def package_versions() -> dict[str, str | None]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_state(folder: str = ".") -> dict[str, str | bool | None]:
    """The commit of the code that ran, and whether the work tree had uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=10
        )
        if commit.returncode != 0:
            return {"commit": None, "dirty": None}
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}
    except (OSError, subprocess.TimeoutExpired):
        return {"commit": None, "dirty": None}


def hardware() -> dict:
    """CPU and, when there is one, GPU of this machine."""
    import torch

    info = {
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "cuda_available": torch.cuda.is_available(),
        "gpus": [],
    }
    if torch.cuda.is_available():
        info["cuda_version"] = torch.version.cuda
        info["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return info


@lru_cache(maxsize=1)
def _static() -> dict:
    # Versions and hardware do not change while a process runs; reading package metadata
    # scans every installed distribution, so a reproduction of many runs reads it once.
    return {"packages": package_versions(), "hardware": hardware()}


def environment() -> dict:
    """Everything above, plus Python and the operating system."""
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        **_static(),
        "git": git_state(),
    }
