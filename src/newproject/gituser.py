"""Who the user is to git: the defaults for the author questions and the first commit's author."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import NamedTuple

# Variables that would make git work on some other repository than the one asked for (set,
# for example, when newproject runs from inside a git hook).
GIT_LOCATION_VARS = frozenset(
    {
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_NAMESPACE",
        "GIT_PREFIX",
    }
)


def environment_for_git() -> dict[str, str]:
    """This process's environment without GIT_LOCATION_VARS."""
    return {key: value for key, value in os.environ.items() if key not in GIT_LOCATION_VARS}


class GitUser(NamedTuple):
    """The name and e-mail git would write on a commit; each None when git has none set."""

    name: str | None
    email: str | None


def git_user() -> GitUser:
    """`GIT_AUTHOR_NAME`/`GIT_AUTHOR_EMAIL`, else `user.name`/`user.email` from git's
    system and global config (read from /, outside any repository, whose own config is
    not the new project's), else `EMAIL` for the address, as git itself falls back."""
    config: dict[str, str] = {}
    git = shutil.which("git")
    if git:
        try:
            result = subprocess.run(
                [git, "config", "-z", "--get-regexp", r"^user\.(name|email)$"],
                capture_output=True,
                text=True,
                cwd=os.sep,
                env=environment_for_git(),
                timeout=10,
            )
        except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
            result = None
        if result is not None and result.returncode == 0:
            for entry in result.stdout.split("\0"):
                key, _, value = entry.partition("\n")
                if key in ("user.name", "user.email") and value:
                    config[key] = value  # the last value wins, as in git
    name = os.environ.get("GIT_AUTHOR_NAME") or config.get("user.name")
    email = (
        os.environ.get("GIT_AUTHOR_EMAIL") or config.get("user.email") or os.environ.get("EMAIL")
    )
    return GitUser(name or None, email or None)
