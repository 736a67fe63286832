#!/usr/bin/env bash
# Set up a development environment in ./.venv: PyTorch's CPU build (for the
# generated projects' integration tests), newproject in editable mode, test tools.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
TORCH_VERSION="${TORCH_VERSION:-2.13.0}"

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# Pinned first: an unpinned torch would pull a multi-GB CUDA build.
.venv/bin/python -m pip install --quiet "torch==${TORCH_VERSION}"
.venv/bin/python -m pip install --quiet -e ".[test]"
# What the generated projects need (torch is already pinned above): the fast tests run their
# core and engine tests, and the integration tests' `make setup` then finds it all installed.
.venv/bin/python -m pip install --quiet -r <(.venv/bin/python scripts/project_requirements.py)
echo "Ready: .venv ($(.venv/bin/python -c 'import torch; print("torch", torch.__version__)'))"
