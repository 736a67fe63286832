"""The three-way merge, done by git itself in the scratch repository.

Before merging, what an update must never touch is taken out of all three trees: the
results between the README's markers (written by the project's report), and the protected
paths (runs, data, checkpoints, anything the project ignores). After merging they are put
back exactly as the project has them. git's own merge (rename detection, the user's
`merge.conflictStyle`) writes standard conflict markers: `<<<<<<< HEAD` for the project,
`>>>>>>> template` for today's template.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from .trees import Entry, Scratch, Tree

README = "README.md"
RESULTS_START, RESULTS_END = "<!-- results:start -->", "<!-- results:end -->"
_RESULTS = re.compile(re.escape(RESULTS_START) + "(.*?)" + re.escape(RESULTS_END), re.DOTALL)
_BLANK = RESULTS_START + RESULTS_END
# Top-level folders and file types that hold a project's runs, data and weights.
PROTECTED_FOLDERS = frozenset({"runs", "data", "checkpoints"})
PROTECTED_SUFFIXES = (".pt", ".pth", ".ckpt", ".safetensors", ".onnx", ".npz", ".npy", ".h5")
OURS_LABEL, THEIRS_LABEL = "HEAD", "template"


class Stage(NamedTuple):
    """One side of a conflicted path in the index (1 base, 2 the project, 3 the template)."""

    mode: str
    oid: str
    stage: int


class Merged(NamedTuple):
    """The merged tree, its conflicts (path -> stages) and git's CONFLICT lines."""

    tree: str
    conflicts: dict[str, list[Stage]]
    messages: list[str]
    readme_kept: bool  # the template's README lost the results markers: the project's stays


def is_protected(path: str) -> bool:
    """A path under runs/, data/ or checkpoints/, or a weights or array file anywhere."""
    return path.split("/", 1)[0] in PROTECTED_FOLDERS or path.lower().endswith(PROTECTED_SUFFIXES)


def merge(
    scratch: Scratch,
    base: Tree,
    ours: Tree,
    theirs: Tree,
    untouchable: Callable[[str], bool],
) -> Merged:
    """Merge `theirs` into `ours` from `base`; paths `untouchable` keep `ours`' entries."""
    blocks = _results_blocks(scratch, ours)
    inputs = [_without(scratch, tree, untouchable, bool(blocks)) for tree in (base, ours, theirs)]
    base_commit = scratch.commit(scratch.build_tree(inputs[0]), [], "base")
    ours_commit = scratch.commit(scratch.build_tree(inputs[1]), [base_commit], "ours")
    theirs_commit = scratch.commit(scratch.build_tree(inputs[2]), [base_commit], "theirs")
    git = scratch.git
    git.run("update-ref", "refs/heads/yours", ours_commit)
    git.run("update-ref", f"refs/heads/{THEIRS_LABEL}", theirs_commit)
    git.run("symbolic-ref", "HEAD", "refs/heads/yours")
    git.run("reset", "--quiet", "--hard")
    result = git.run(
        "merge", "--no-ff", "--no-commit", "--no-edit", THEIRS_LABEL, ok=(0, 1), what="merge"
    )
    messages = [
        line
        for line in result.stdout.decode("utf-8", "replace").splitlines()
        if line.startswith("CONFLICT")
    ]
    conflicts = _unmerged(scratch)
    git.run("add", "--all")
    merged = scratch.entries(git.text("write-tree"))
    readme_kept = False
    if blocks:
        if README in merged:
            text = _reinsert(scratch.blob(merged[README].oid), blocks)
            if text is None:  # the results cannot be placed: the README stays as it is
                merged[README] = ours[README]
                conflicts.pop(README, None)
                readme_kept = True
            else:
                merged[README] = Entry(merged[README].mode, scratch.write_blob(text))
        if README in conflicts:
            conflicts[README] = [
                _with_results(scratch, stage, blocks) for stage in conflicts[README]
            ]
    for path in [path for path in merged if untouchable(path)]:
        del merged[path]
    merged.update({path: entry for path, entry in ours.items() if untouchable(path)})
    return Merged(scratch.build_tree(merged), conflicts, messages, readme_kept)


def _with_results(scratch: Scratch, stage: Stage, blocks: list[bytes]) -> Stage:
    """A README conflict stage with the project's results in place (`git checkout --ours`
    then gives the README exactly as it was)."""
    text = _reinsert(scratch.blob(stage.oid), blocks)
    return stage if text is None else Stage(stage.mode, scratch.write_blob(text), stage.stage)


def _results_blocks(scratch: Scratch, ours: Tree) -> list[bytes]:
    if README not in ours:
        return []
    text = scratch.blob(ours[README].oid).decode("utf-8", "surrogateescape")
    return [match.encode("utf-8", "surrogateescape") for match in _RESULTS.findall(text)]


def _without(scratch: Scratch, tree: Tree, untouchable: Callable[[str], bool], blank: bool) -> Tree:
    """`tree` without the untouchable paths and, when `blank`, with empty README results."""
    kept = {path: entry for path, entry in tree.items() if not untouchable(path)}
    if blank and README in kept:
        text = scratch.blob(kept[README].oid).decode("utf-8", "surrogateescape")
        blanked = _RESULTS.sub(_BLANK, text).encode("utf-8", "surrogateescape")
        kept[README] = Entry(kept[README].mode, scratch.write_blob(blanked))
    return kept


def _reinsert(merged: bytes, blocks: list[bytes]) -> bytes | None:
    """`merged` with the project's results back between each empty pair of markers."""
    text = merged.decode("utf-8", "surrogateescape")
    pieces = text.split(_BLANK)
    found = len(pieces) - 1
    if found == 0 or (found != len(blocks) and len(blocks) != 1):
        return None
    fills = blocks if found == len(blocks) else blocks * found
    out = [pieces[0]]
    for fill, piece in zip(fills, pieces[1:], strict=True):
        out += [RESULTS_START, fill.decode("utf-8", "surrogateescape"), RESULTS_END, piece]
    return "".join(out).encode("utf-8", "surrogateescape")


def _unmerged(scratch: Scratch) -> dict[str, list[Stage]]:
    out = scratch.git.run("ls-files", "-u", "-z").stdout
    conflicts: dict[str, list[Stage]] = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, oid, stage = meta.decode().split(" ")
        name = path.decode("utf-8", "surrogateescape")
        conflicts.setdefault(name, []).append(Stage(mode, oid, int(stage)))
    return conflicts
