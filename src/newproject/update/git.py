"""Running git for the update: one line of git's own words when it fails."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import NewprojectError, one_line
from ..gituser import environment_for_git

# Settings that would make a scratch merge act for the user: their hooks, an automatic
# gc, large-file downloads, a pager.
_QUIET = ("-c", "core.hooksPath=/dev/null", "-c", "gc.auto=0", "-c", "core.pager=cat")


class GitError(NewprojectError):
    """git failed; the message is git's own first error line."""


class Git:
    """git in one folder, with an environment of its own (a scratch index, say)."""

    def __init__(self, cwd: Path, env: Mapping[str, str] | None = None):
        self.cwd = cwd
        self.executable = shutil.which("git")
        if self.executable is None:
            raise NewprojectError("newproject update needs git, and git is not on PATH")
        base = environment_for_git()
        base["GIT_LFS_SKIP_SMUDGE"] = "1"
        self.env = {**base, **(env or {})}

    def with_env(self, **env: str) -> Git:
        """The same git with more environment (GIT_INDEX_FILE=..., an identity)."""
        other = Git.__new__(Git)
        other.cwd, other.executable, other.env = self.cwd, self.executable, {**self.env, **env}
        return other

    def run(
        self,
        *args: str,
        input: bytes | None = None,
        ok: Sequence[int] = (0,),
        what: str | None = None,
    ) -> subprocess.CompletedProcess:
        """`git ARGS` (bytes in, bytes out); GitError unless its exit status is in `ok`."""
        result = subprocess.run(
            [self.executable, *_QUIET, *args],
            cwd=self.cwd,
            env=self.env,
            input=input,
            capture_output=True,
        )
        if result.returncode not in ok:
            raise GitError(f"git {what or args[0]} failed: {message(result.stderr)}")
        return result

    def text(self, *args: str, **kwargs) -> str:
        """`git ARGS`' output as text, stripped."""
        return self.run(*args, **kwargs).stdout.decode("utf-8", "surrogateescape").strip()


def message(stderr: bytes) -> str:
    """git's most telling line: the first `fatal:` or `error:`, else the last one."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    chosen = next((line for line in lines if line.startswith(("fatal:", "error:"))), None)
    return one_line(chosen or (lines[-1] if lines else "no message"))
