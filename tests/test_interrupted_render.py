"""A real newproject process stopped mid-render leaves no trace (Ctrl-C and SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from conftest import venv_bin


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_during_render_leaves_nothing(tiny_templates, tmp_path, signum):
    hooks = tiny_templates / "tiny" / "hooks"
    hooks.mkdir()
    # A slow hook keeps the render busy; it dies quietly so any traceback would be ours,
    # and says when it is ready so the signal never lands during its start-up.
    ready = tmp_path / "hook-ready"
    (hooks / "pre_gen_project.py").write_text(
        "import pathlib, signal, time\n"
        "signal.signal(signal.SIGINT, signal.SIG_DFL)\n"
        f"pathlib.Path({str(ready)!r}).touch()\n"
        "time.sleep(60)\n"
    )
    out = tmp_path / "out"
    process = subprocess.Popen(
        [venv_bin("newproject"), "new", "tiny", "--no-input", "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert time.monotonic() < deadline, "render never reached the hook"
        time.sleep(0.05)
    assert out.exists() and any(out.iterdir())  # the staging folder is there
    os.killpg(process.pid, signum)  # what a terminal does on Ctrl-C: the whole group
    output, _ = process.communicate(timeout=20)
    assert process.returncode == 128 + signum  # 130 for Ctrl-C, 143 for SIGTERM
    assert output == "Aborted.\n"
    assert not out.exists(), list(out.rglob("*"))
