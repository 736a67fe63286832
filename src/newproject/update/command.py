"""`newproject update [DIR]`: checks, the three renders, the merge, and what it says."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

import click

from ..answers import resolve_answers
from ..catalog import Gap, get_gap
from ..errors import NewprojectError, UnknownGapError, UsageError, shown
from ..shared import template_identity
from ..snapshot import SNAPSHOT_EXTRA_TRAILER, SNAPSHOT_TRAILER
from ..stopping import signals_as_interrupt
from .apply import WorkTree, all_or_nothing, changes, copy_objects, write_index, write_tree
from .git import Git, GitError
from .merge import Merged, is_protected, merge
from .record import RECORD, Record, parse_record, read_record, short
from .trees import Entry, Scratch, Tree

_IN_PROGRESS = {
    "MERGE_HEAD": "a merge",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase or `git am`",
}
_IDENT = re.compile(r"^(?P<name>.*) <(?P<email>[^<>]*)> \d+ [+-]\d{4}$")


class UpdateConflict(NewprojectError):
    """The update left (or would leave) conflicts to resolve."""


class Base(NamedTuple):
    """The commit the merge starts from, and the files it holds besides the render."""

    commit: str
    extras: Tree  # named by Newproject-Snapshot-Extra; carried into the template commit


def run_update(
    directory: Path | None,
    set_answers: Mapping[str, str],
    *,
    dry_run: bool = False,
    base_templates: Path | None = None,
) -> None:
    """Update the project in `directory` (None: the project holding the current folder)
    from today's template; see the package docstring."""
    if directory is None:
        project = _enclosing_project(Path.cwd())
        named = project.name
    else:
        project = Path(os.path.abspath(directory))
        named = shown(str(directory))
        if not project.is_dir():
            raise UsageError(f"{shown(str(directory))} is not a folder")
    record = read_record(project)
    gap = _gap(record.gap, None)
    answers = _theirs_answers(gap, record, set_answers)
    installed = template_identity().content_hash(gap.path)
    if installed == record.template_hash and answers == record.answers:
        click.echo(f"Already up to date with the template {record.describe()}.")
        return
    git = Git(project)
    head = _check_repository(git, project)
    user = _git_user(git, required=not dry_run)
    dropped = sorted(set(record.answers) - set(answers))
    if dropped:
        click.echo(f"The template no longer asks {', '.join(dropped)}: the answer is dropped.")
    # A signal now cleans the scratch folder up too; the project is not touched before apply.
    with (
        signals_as_interrupt(),
        tempfile.TemporaryDirectory(prefix="newproject-update-") as scratch_folder,
    ):
        scratch = Scratch(git, Path(scratch_folder))
        base_commit, extras = _base(scratch, git, record, gap, installed, base_templates, user)
        rendered = _render_tree(scratch, gap, answers, record.created)
        theirs_tree, carried = _with_extras(scratch, rendered, extras)
        theirs_hash = installed
        theirs_commit = scratch.commit(
            theirs_tree,
            [base_commit],
            _snapshot_message(f"Template {gap.id} {short(theirs_hash)}", rendered, carried),
            **user,
        )
        base = scratch.entries(base_commit)
        ours = scratch.entries(head)
        theirs = scratch.entries(theirs_tree)
        untouchable = _untouchable(git, set(base) | set(theirs), set(ours))
        merged = merge(scratch, base, ours, theirs, untouchable)
        found = changes(scratch, f"{head}^{{tree}}", merged.tree)
        click.echo(
            f"{'Would update' if dry_run else 'Updating'} {named} from the "
            f"template {gap.id}: {short(record.template_hash)} -> {short(theirs_hash)}"
        )
        _summarise(found, merged, base, ours, theirs, untouchable)
        conflicted = sorted(merged.conflicts)
        if dry_run:
            diff = scratch.git.run(
                "diff",
                "--no-ext-diff",
                "--color=always" if sys.stdout.isatty() else "--no-color",
                f"{head}^{{tree}}",
                merged.tree,
            )
            click.echo(diff.stdout.decode("utf-8", "replace"), nl=False)
            if conflicted:
                raise UpdateConflict(
                    f"the update would conflict in {', '.join(conflicted)}; "
                    "nothing was changed (--dry-run)"
                )
            click.echo("Nothing was changed (--dry-run).")
            return
        message = _update_message(gap, record, theirs_hash, conflicted, merged)
        copy_objects(scratch, git)
        worktree = WorkTree(project)
        with all_or_nothing(git, worktree):
            write_tree(worktree, scratch, found)
            write_index(git, merged.tree, merged.conflicts)
            if conflicted:
                _leave_merge_in_progress(git, theirs_commit, message, conflicted)
            else:
                new_head = git.text(
                    "commit-tree",
                    merged.tree,
                    "-p",
                    head,
                    "-p",
                    theirs_commit,
                    input=message.encode("utf-8"),
                    what="commit-tree",
                )
                git.run("update-ref", "-m", "newproject update", "HEAD", new_head, head)
    if conflicted:
        raise UpdateConflict(
            f"conflicts in {len(conflicted)} file{'s' if len(conflicted) > 1 else ''}: "
            f"{', '.join(conflicted)}. Resolve the <<<<<<< markers, `git add` the files and "
            "`git commit` (the message is prepared), or undo the update with `git merge --abort`"
        )
    short_head = new_head[:10]
    click.echo(
        f'Committed {short_head} "{message.splitlines()[0]}". '
        f"Undo it with: git revert -m 1 {short_head}"
    )


def _enclosing_project(folder: Path) -> Path:
    """The nearest folder from `folder` up that holds a record (as git finds its repository)."""
    for candidate in (folder, *folder.parents):
        if (candidate / RECORD).is_file():
            return candidate
    return folder  # read_record says what is missing


def _check_repository(git: Git, project: Path) -> str:
    """The project's HEAD commit, after checking there is nothing an update could lose."""
    try:
        top = git.text("rev-parse", "--show-toplevel")
    except GitError:
        raise UsageError(
            f"{shown(str(project))} is not a git repository. Commit the project first "
            "(git init && git add -A && git commit -m 'Initial commit'): the update is one "
            "commit you can revert"
        ) from None
    if Path(top).resolve() != project.resolve():
        raise UsageError(
            f"{shown(str(project))} is inside the git repository {shown(top)}; newproject "
            "update works on a project that is a repository of its own"
        )
    head = git.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", ok=(0, 1)).stdout
    if not head.strip():
        raise UsageError(
            f"{shown(str(project))} has no commit yet; commit it first (`git commit --no-edit` "
            "takes the message newproject prepared)"
        )
    for name, what in _IN_PROGRESS.items():
        if _git_path(git, name).exists():
            raise UsageError(
                f"{what} is in progress in {shown(str(project))}; finish or abort it first"
            )
    status = git.run("status", "--porcelain=v1", "-z", "--untracked-files=all").stdout
    # Runs, data and checkpoints the update never touches may stay uncommitted.
    dirty = [path for path in _status_paths(status) if not is_protected(path)]
    if dirty:
        listed = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise UsageError(
            f"the project has uncommitted changes ({listed}); commit or stash them first, "
            "so that the update is one commit you can revert"
        )
    return head.decode().strip()


def _status_paths(status: bytes) -> list[str]:
    """The paths of `git status --porcelain=v1 -z` (a rename's second field skipped)."""
    fields = status.split(b"\0")
    paths, skip = [], False
    for field in fields:
        if skip or len(field) < 4:
            skip = False
            continue
        paths.append(field[3:].decode("utf-8", "replace"))
        skip = field[:1] in (b"R", b"C")  # the original path follows
    return paths


def _git_path(git: Git, name: str) -> Path:
    path = Path(git.text("rev-parse", "--git-path", name))
    return path if path.is_absolute() else git.cwd / path


def _gap(gap_id: str, root: Path | None) -> Gap:
    try:
        return get_gap(gap_id, root)
    except UnknownGapError:
        where = f"the templates in {shown(str(root))}" if root else "this newproject's templates"
        raise NewprojectError(f"the project's gap {shown(gap_id)} is not in {where}") from None


def _theirs_answers(gap: Gap, record: Record, set_answers: Mapping[str, str]) -> dict[str, str]:
    """The recorded answers the template still asks, then `--set`, checked as in `new`."""
    from ..render import TemplateEnvironment

    known = {question.name for question in gap.questions}
    supplied = {key: value for key, value in record.answers.items() if key in known}
    supplied.update(set_answers)
    return resolve_answers(gap, supplied, TemplateEnvironment(gap).render_default)


def _git_user(git: Git, *, required: bool) -> dict[str, str]:
    """The environment that makes the user the author of the commits the update keeps."""
    found = {}
    for ident, prefix in (
        ("GIT_AUTHOR_IDENT", "GIT_AUTHOR"),
        ("GIT_COMMITTER_IDENT", "GIT_COMMITTER"),
    ):
        result = git.run("var", ident, ok=(0, 128))
        match = _IDENT.match(result.stdout.decode("utf-8", "replace").strip())
        if result.returncode != 0 or match is None:
            if required:
                raise NewprojectError(
                    "git needs your name and e-mail to commit the update: git config --global "
                    'user.name "Ada Lovelace"; git config --global user.email ada@example.org'
                )
            return {}
        found[f"{prefix}_NAME"], found[f"{prefix}_EMAIL"] = match["name"], match["email"]
    return found


def _base(
    scratch: Scratch,
    git: Git,
    record: Record,
    gap: Gap,
    installed: str,
    base_templates: Path | None,
    user: Mapping[str, str],
) -> Base:
    """The commit holding the pristine base: a snapshot in the project's history, else the
    recorded template rendered again (installed, or from `base_templates`)."""
    snapshot = find_snapshot(scratch, git, record)
    if snapshot:
        return snapshot
    if installed == record.template_hash:
        source = gap
    elif base_templates is not None:
        source = _gap(record.gap, Path(os.path.abspath(base_templates)))
        found = template_identity().content_hash(source.path)
        if found != record.template_hash:
            raise UsageError(
                f"{shown(str(base_templates))} holds {source.id} {short(found)}, not the "
                f"template the project records ({record.describe()})"
            )
    else:
        raise NewprojectError(
            f"cannot rebuild the template the project was made from ({record.describe()}): "
            "it is not the installed one and the project's history holds no snapshot of it. "
            "Get those templates (that newproject version or commit) and run again with "
            "--base-templates PATH/templates"
        )
    tree = _render_tree(scratch, source, record.answers, record.created, check=False)
    message = _snapshot_message(
        f"Template {record.gap} {short(record.template_hash)}, as the project was made", tree
    )
    return Base(scratch.commit(tree, [], message, **user), {})


def find_snapshot(scratch: Scratch, git: Git, record: Record) -> Base | None:
    """The newest commit in HEAD's history that holds the pristine render `record` names
    (and, when its Newproject-Snapshot-Extra trailers name them, files besides it)."""
    out = git.run(
        "log", "--format=%H %T%n%B%x00", "--fixed-strings", f"--grep={SNAPSHOT_TRAILER}: ", "HEAD"
    ).stdout.decode("utf-8", "replace")
    for chunk in out.split("\0"):
        lines = chunk.strip("\n").splitlines()
        if not lines or " " not in lines[0]:
            continue
        commit, tree = lines[0].split(" ", 1)
        named = _trailer(lines[1:], SNAPSHOT_TRAILER)
        extra_paths = set(_trailer(lines[1:], SNAPSHOT_EXTRA_TRAILER))
        if not named or (not extra_paths and named[-1] != tree):
            continue  # amended since: not a pristine render any more
        shown_record = git.run("cat-file", "blob", f"{commit}:{RECORD}", ok=(0, 128))
        if shown_record.returncode != 0:
            continue
        try:
            theirs = parse_record(shown_record.stdout.decode("utf-8"), RECORD)
        except (NewprojectError, UnicodeDecodeError):
            continue
        if (theirs.gap, theirs.answers, theirs.template_hash) == (
            record.gap,
            record.answers,
            record.template_hash,
        ):
            if not extra_paths:
                return Base(commit, {})
            # The render is the commit's tree less the extras (a tree built in the scratch
            # repository only: the project's .git stays as it was).
            entries = scratch.entries(tree)
            if not extra_paths <= set(entries):
                continue
            render = {path: entry for path, entry in entries.items() if path not in extra_paths}
            if scratch.build_tree(render) != named[-1]:
                continue  # changed since: not a pristine render any more
            return Base(commit, {path: entries[path] for path in sorted(extra_paths)})
    return None


def _trailer(lines: Iterable[str], key: str) -> list[str]:
    """The values of the `key: value` lines among `lines`."""
    return [line.split(":", 1)[1].strip() for line in lines if line.startswith(f"{key}:")]


def _with_extras(scratch: Scratch, rendered: str, extras: Tree) -> tuple[str, list[str]]:
    """The template commit's tree: the render, plus the base's files besides the render as
    they are there (unless the render now has a file of that name, or one in its way), so
    the merge leaves them as the project has them. Returns the tree and the carried paths."""
    if not extras:
        return rendered, []
    entries: dict[str, Entry] = scratch.entries(rendered)
    folders = {parent for path in entries for parent in _parents(path)}
    carried = {
        path: entry
        for path, entry in extras.items()
        if path not in entries
        and path not in folders
        and not any(parent in entries for parent in _parents(path))
    }
    if not carried:
        return rendered, []
    return scratch.build_tree({**entries, **carried}), sorted(carried)


def _parents(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:end]) for end in range(1, len(parts))]


def _render_tree(
    scratch: Scratch,
    gap: Gap,
    answers: Mapping[str, str],
    created: str | None,
    *,
    check: bool = True,
) -> str:
    from ..render import render_project

    with tempfile.TemporaryDirectory(prefix="newproject-render-") as out:
        project = render_project(
            gap, answers, Path(out), git=False, created=created, check_answers=check
        )
        return scratch.tree_of_folder(project)


def _snapshot_message(subject: str, tree: str, extras: Iterable[str] = ()) -> str:
    extra = "".join(f"{SNAPSHOT_EXTRA_TRAILER}: {path}\n" for path in extras)
    besides = (
        " (and, besides it, the files named below, carried over from the project)" if extra else ""
    )
    return (
        f"{subject}\n\nA pristine render of the template with the project's answers{besides}, "
        f"kept as the base of the next `newproject update`.\n\n{SNAPSHOT_TRAILER}: {tree}\n"
        f"{extra}"
    )


def _untouchable(git: Git, template_paths: set[str], tracked: set[str]) -> Callable[[str], bool]:
    """Protected paths, and the paths the template would add where the project ignores files."""
    candidates = sorted(template_paths - tracked)
    ignored: set[str] = set()
    if candidates:
        listing = b"".join(path.encode("utf-8", "surrogateescape") + b"\0" for path in candidates)
        out = git.run("check-ignore", "-z", "--stdin", input=listing, ok=(0, 1)).stdout
        ignored = {p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p}
    return lambda path: is_protected(path) or path in ignored


def _summarise(found, merged: Merged, base: Tree, ours: Tree, theirs: Tree, untouchable) -> None:
    changed = {change.path for change in found}
    for change in found:
        if change.path in merged.conflicts:
            label = "conflict"
        elif ours.get(change.path) != base.get(change.path) and theirs.get(change.path) != base.get(
            change.path
        ):
            label = "merged"
        elif change.new is None:
            label = "deleted"
        elif change.old is None:
            label = "added"
        else:
            label = "updated"
        click.echo(f"  {label:<9} {change.path}")
    kept = [
        path
        for path in ours
        if path in base
        and ours[path] != base[path]
        and path not in changed
        and not untouchable(path)
    ]
    if kept:
        files = f"{len(kept)} file{'s' if len(kept) > 1 else ''}"
        click.echo(f"Kept your changes to {files} the template did not change.")
    if merged.readme_kept:
        click.echo("README.md kept as it is: the template's has no results markers to hold yours.")
    for line in merged.messages:
        click.echo(f"  {line}")


def _update_message(gap: Gap, record: Record, theirs_hash: str, conflicted, merged: Merged) -> str:
    lines = [
        f"Update from the template {gap.id} "
        f"({short(record.template_hash)} -> {short(theirs_hash)})",
        "",
        "Merged by `newproject update`: your changes kept, the template's applied. Undo it",
        "with `git revert -m 1 <this commit>`.",
    ]
    if conflicted:
        lines += ["", "# Conflicts:", *(f"#\t{path}" for path in conflicted)]
    return "\n".join(lines) + "\n"


def _leave_merge_in_progress(git: Git, theirs_commit: str, message: str, conflicted) -> None:
    """The state `git merge` leaves on a conflict: `git commit` finishes the update (a merge
    commit with the template as second parent), `git merge --abort` undoes it."""
    written = []
    try:
        for name, text in (
            ("MERGE_MSG", message),
            ("MERGE_MODE", "no-ff"),
            ("MERGE_HEAD", f"{theirs_commit}\n"),
        ):
            path = _git_path(git, name)
            written.append(path)
            path.write_text(text, encoding="utf-8")
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
