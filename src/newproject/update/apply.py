"""Write a merged tree into the project: every change, or (on any error or interrupt) none.

The project's tree is clean when this runs, so each file's current bytes are the committed
ones: the undo log keeps them and puts them back if anything fails before the update is
final (the new commit, or the merge state git's own commands then continue from).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

from ..errors import NewprojectError, shown
from ..stopping import signals_as_interrupt, signals_blocked
from .git import Git
from .merge import Stage
from .trees import EXECUTABLE, GITLINK, SYMLINK, Entry, Scratch


class Change(NamedTuple):
    """One path whose entry differs between the project's HEAD and the merged tree."""

    path: str
    old: Entry | None
    new: Entry | None


def changes(scratch: Scratch, old_tree: str, new_tree: str) -> list[Change]:
    """Every path that differs between two trees (renames as a delete and an add)."""
    out = scratch.git.run("diff-tree", "-r", "-z", "--no-renames", old_tree, new_tree).stdout
    fields = out.split(b"\0")
    found = []
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        if not meta.startswith(b":"):
            continue
        old_mode, new_mode, old_oid, new_oid, _status = meta[1:].decode().split(" ")
        name = path.decode("utf-8", "surrogateescape")
        old = None if set(old_oid) == {"0"} else Entry(old_mode, old_oid)
        new = None if set(new_oid) == {"0"} else Entry(new_mode, new_oid)
        found.append(Change(name, old, new))
    return found


def copy_objects(scratch: Scratch, project: Git) -> None:
    """The objects the scratch repository made, into the project (content-addressed files:
    adding them changes nothing the project sees until a commit or index refers to them)."""
    target = Path(project.text("rev-parse", "--git-path", "objects"))
    target = target if target.is_absolute() else project.cwd / target
    for folder in scratch.objects.iterdir():
        if len(folder.name) != 2 or not folder.is_dir():
            continue
        for obj in folder.iterdir():
            destination = target / folder.name / obj.name
            if destination.exists():
                continue
            destination.parent.mkdir(exist_ok=True)
            temporary = destination.with_name(f"tmp_obj_newproject_{obj.name}")
            shutil.copyfile(obj, temporary)
            os.chmod(temporary, 0o444)
            os.replace(temporary, destination)


class WorkTree:
    """Writes into the project's folder, remembering how to undo each write."""

    def __init__(self, root: Path):
        self.root = root
        self._undo: list[Callable[[], None]] = []

    def check(self, change: Change) -> None:
        """Refuse, before anything is written, a change the folder cannot take."""
        path = self.root / change.path
        for parent in path.relative_to(self.root).parents:
            folder = self.root / parent
            if (
                parent != Path(".")
                and (folder.is_symlink() or folder.exists())
                and not (folder.is_dir() and not folder.is_symlink())
            ):
                raise NewprojectError(
                    f"cannot update {shown(change.path)}: {shown(str(parent))} is not a folder"
                )
        if change.new is not None and path.is_dir() and not path.is_symlink():
            raise NewprojectError(f"cannot update {shown(change.path)}: it is a folder here")

    def put(self, path: str, entry: Entry, content: bytes) -> None:
        target = self.root / path
        self._remember(target)
        self._make_parents(target.parent)
        temporary = target.with_name(f".{target.name}.newproject-tmp")
        if entry.mode == SYMLINK:
            temporary.unlink(missing_ok=True)
            os.symlink(os.fsdecode(content), temporary)
        else:
            with open(temporary, "wb") as handle:
                handle.write(content)
            os.chmod(
                temporary, 0o777 & ~_umask() if entry.mode == EXECUTABLE else 0o666 & ~_umask()
            )
        os.replace(temporary, target)

    def remove(self, path: str) -> None:
        target = self.root / path
        self._remember(target)
        target.unlink()
        parent = target.parent
        while parent != self.root and not any(parent.iterdir()):
            parent.rmdir()
            self._undo.append(lambda folder=parent: folder.mkdir(exist_ok=True))
            parent = parent.parent

    def rollback(self) -> None:
        """Undo every write, newest first."""
        for undo in reversed(self._undo):
            with contextlib.suppress(OSError):
                undo()
        self._undo.clear()

    def _remember(self, target: Path) -> None:
        if target.is_symlink():
            link = os.readlink(target)

            def restore_link():
                target.unlink(missing_ok=True)
                os.symlink(link, target)

            self._undo.append(restore_link)
        elif target.exists():
            content, mode = target.read_bytes(), target.stat().st_mode

            def restore_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.is_symlink():
                    target.unlink()
                target.write_bytes(content)
                os.chmod(target, mode)

            self._undo.append(restore_file)
        else:
            self._undo.append(lambda: target.unlink(missing_ok=True))

    def _make_parents(self, folder: Path) -> None:
        missing = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for path in reversed(missing):
            path.mkdir()
            self._undo.append(lambda made=path: _remove_if_empty(made))


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def all_or_nothing(project: Git, worktree: WorkTree) -> Iterator[None]:
    """Run the writes; on an error, Ctrl-C or SIGTERM put the files and the index back."""
    try:
        with signals_as_interrupt():
            yield
    except BaseException:
        with signals_blocked():
            worktree.rollback()
            with contextlib.suppress(NewprojectError):
                project.run("read-tree", "HEAD")
                project.run("update-index", "-q", "--refresh", ok=(0, 1))
        raise


def write_tree(worktree: WorkTree, scratch: Scratch, found: list[Change]) -> None:
    """Put every change into the folder (submodules are left to git)."""
    for change in found:
        worktree.check(change)
    contents = scratch.blobs(
        change.new.oid for change in found if change.new and change.new.mode != GITLINK
    )
    for change in found:
        if change.new is None:
            if change.old is not None and change.old.mode != GITLINK:
                worktree.remove(change.path)
        elif change.new.mode != GITLINK:
            worktree.put(change.path, change.new, contents[change.new.oid])


def write_index(project: Git, tree: str, conflicts: dict[str, list[Stage]]) -> None:
    """The project's index: the merged tree, and each conflicted path's three stages, so
    `git status`, `git checkout --ours/--theirs`, `git mergetool` and `git commit` (which
    refuses until they are resolved) work as after any `git merge`."""
    project.run("read-tree", tree)
    if conflicts:
        lines = []
        for path, stages in sorted(conflicts.items()):
            name = path.encode("utf-8", "surrogateescape")
            zero = "0" * len(stages[0].oid)
            lines.append(f"0 {zero}\t".encode() + name + b"\0")
            for stage in stages:
                lines.append(f"{stage.mode} {stage.oid} {stage.stage}\t".encode() + name + b"\0")
        project.run("update-index", "-z", "--index-info", input=b"".join(lines))
    project.run("update-index", "-q", "--refresh", ok=(0, 1))
