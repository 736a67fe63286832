"""Trees and commits in a scratch repository that borrows the project's objects.

The scratch repository reads the project's objects through git's alternates and writes
its own into a temporary folder, so building and merging trees leaves the project's
`.git` exactly as it was (what `--dry-run` promises). Only `apply` copies the objects a
finished update needs into the project.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from .git import Git

# The identity of commits that never leave the scratch repository.
SCRATCH_IDENTITY = {
    "GIT_AUTHOR_NAME": "newproject",
    "GIT_AUTHOR_EMAIL": "newproject@localhost",
    "GIT_COMMITTER_NAME": "newproject",
    "GIT_COMMITTER_EMAIL": "newproject@localhost",
}
REGULAR, EXECUTABLE, SYMLINK, GITLINK = "100644", "100755", "120000", "160000"


class Entry(NamedTuple):
    """One path of a tree: its git mode and object id."""

    mode: str
    oid: str


Tree = dict[str, Entry]


class Scratch:
    """A throwaway repository in `folder` that sees every object of `project`."""

    def __init__(self, project: Git, folder: Path):
        self.folder = folder
        self.work = folder / "work"
        objects = Path(project.text("rev-parse", "--git-path", "objects"))
        objects = objects if objects.is_absolute() else project.cwd / objects
        Git(folder).run("init", "--quiet", str(self.work))
        alternates = self.work / ".git" / "objects" / "info" / "alternates"
        alternates.write_text(f"{objects.resolve()}\n", encoding="utf-8")
        self.git = Git(self.work, SCRATCH_IDENTITY)
        self._index = 0

    @property
    def objects(self) -> Path:
        """Where the scratch repository writes the objects it makes."""
        return self.work / ".git" / "objects"

    def tree_of_folder(self, folder: Path) -> str:
        """The tree of every file under `folder`, byte for byte (no filters, no ignores)."""
        files, links = [], {}
        for root, dirs, names in os.walk(folder):
            dirs.sort()
            for name in [*names, *(d for d in dirs if os.path.islink(os.path.join(root, d)))]:
                path = Path(root, name)
                relative = path.relative_to(folder).as_posix()
                if path.is_symlink():
                    links[relative] = os.readlink(path).encode("utf-8", "surrogateescape")
                else:
                    files.append((relative, path))
        entries: Tree = {}
        if files:
            listing = "".join(f"{path}\n" for _, path in files).encode("utf-8", "surrogateescape")
            out = self.git.text("hash-object", "-w", "--no-filters", "--stdin-paths", input=listing)
            for (relative, path), oid in zip(files, out.split(), strict=True):
                executable = os.stat(path).st_mode & stat.S_IXUSR
                entries[relative] = Entry(EXECUTABLE if executable else REGULAR, oid)
        for relative, target in links.items():
            entries[relative] = Entry(SYMLINK, self.write_blob(target))
        return self.build_tree(entries)

    def entries(self, treeish: str) -> Tree:
        """Path -> Entry of every file in `treeish` (gitlinks included)."""
        out = self.git.run("ls-tree", "-r", "-z", "--full-tree", treeish).stdout
        tree: Tree = {}
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            mode, _, oid = meta.decode().split(" ")
            tree[path.decode("utf-8", "surrogateescape")] = Entry(mode, oid)
        return tree

    def build_tree(self, entries: Mapping[str, Entry]) -> str:
        """The tree holding exactly `entries`."""
        self._index += 1
        index = self.folder / f"index-{self._index}"
        git = self.git.with_env(GIT_INDEX_FILE=str(index))
        git.run("read-tree", "--empty")
        listing = b"".join(
            f"{entry.mode} {entry.oid}\t".encode() + path.encode("utf-8", "surrogateescape") + b"\0"
            for path, entry in sorted(entries.items())
        )
        git.run("update-index", "-z", "--index-info", input=listing)
        tree = git.text("write-tree")
        index.unlink(missing_ok=True)
        return tree

    def write_blob(self, data: bytes) -> str:
        return self.git.text("hash-object", "-w", "--no-filters", "--stdin", input=data)

    def blob(self, oid: str) -> bytes:
        return self.git.run("cat-file", "blob", oid).stdout

    def blobs(self, oids: Iterable[str]) -> dict[str, bytes]:
        """The content of each blob, read by one `git cat-file --batch`."""
        wanted = sorted(set(oids))
        if not wanted:
            return {}
        out = self.git.run("cat-file", "--batch", input="".join(f"{o}\n" for o in wanted).encode())
        data, found, at = out.stdout, {}, 0
        for oid in wanted:
            header_end = data.index(b"\n", at)
            _, kind, size = data[at:header_end].decode().split(" ")
            start = header_end + 1
            found[oid] = data[start : start + int(size)]
            at = start + int(size) + 1
        return found

    def commit(self, tree: str, parents: Iterable[str], message: str, **identity: str) -> str:
        args = ["commit-tree", tree, "--no-gpg-sign"]
        for parent in parents:
            args += ["-p", parent]
        git = self.git.with_env(**identity) if identity else self.git
        return git.text(*args, input=message.encode("utf-8"))
