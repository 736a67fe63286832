"""The `newproject` command: parse, prompt, print, and map errors to exit codes.

Rendering, the catalog and validation live in their own modules and know
nothing of click.
"""

from __future__ import annotations

import os
import shlex
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import __version__
from .entry import exit_interrupted, first_in_chain
from .errors import NewprojectError, UsageError, one_line

if TYPE_CHECKING:
    from collections.abc import Callable

    from .catalog import Gap, Question

# Modules beyond click are imported inside the commands: `--help` stays fast.


class _Newproject(click.Group):
    """The command group; its `main` maps every expected failure to one line and an exit code.

    Usage errors (click's own and newproject's UsageError) exit 2, other expected
    failures 1, an interrupt 128 + its signal (130 for Ctrl-C); none shows a traceback.
    """

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as error:
            message = error.format_message().rstrip(".")
            if error.ctx is not None:
                message += f". See '{error.ctx.command_path} --help'"
            _fail(f"{message}.", 2)
        except click.ClickException as error:
            _fail(error.format_message(), error.exit_code)
        except NewprojectError as error:
            _fail(str(error), error.exit_code)
        except _Stopped as error:
            exit_interrupted(error.interrupt)
        except KeyboardInterrupt as error:
            exit_interrupted(error)
        except click.Abort as error:
            # click.prompt turns Ctrl-C and end-of-input into Abort; the menu's "q" is one.
            # A second Ctrl-C inside click's own handler can sit deeper in the chain.
            cause = first_in_chain(error, (KeyboardInterrupt, EOFError))
            if isinstance(cause, KeyboardInterrupt):
                exit_interrupted(cause)
            if isinstance(cause, EOFError):
                _fail(_INPUT_ENDED, 1)
            _fail("Aborted.", 1, prefix="")
        sys.exit(code if isinstance(code, int) else 0)

    def make_context(self, info_name, args, parent=None, **extra):
        # As in invoke: a Ctrl-C while the arguments are parsed is one line and 130 too.
        try:
            return super().make_context(info_name, args, parent, **extra)
        except KeyboardInterrupt as error:
            raise _Stopped(error) from None

    def invoke(self, ctx: click.Context):
        # click's main would print a blank line and turn these into a bare Abort.
        try:
            return super().invoke(ctx)
        except EOFError:
            raise NewprojectError(_INPUT_ENDED) from None
        except KeyboardInterrupt as error:
            raise _Stopped(error) from None


_INPUT_ENDED = "input ended before every question was answered"


class _Stopped(Exception):
    """Carries a KeyboardInterrupt past click's own handling of it."""

    def __init__(self, interrupt: KeyboardInterrupt):
        super().__init__()
        self.interrupt = interrupt


def _fail(message: str, code: int, prefix: str = "Error: ") -> None:
    click.echo(one_line(f"{prefix}{message}"), err=True)
    sys.exit(code)


@click.group(
    cls=_Newproject,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "-V", "--version", prog_name="newproject")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Turn a skill gap into a personal ML project that already runs.

    Without a command, shows the menu of gaps and asks a few questions.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(new)


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the catalog as JSON.")
def list_gaps(as_json: bool) -> None:
    """List the gaps newproject can help close."""
    import json
    import shutil

    from .catalog import load_catalog

    gaps = list(load_catalog().values())
    if as_json:
        click.echo(json.dumps([gap.as_dict() for gap in gaps], indent=2, ensure_ascii=False))
        return
    id_width = max(len(gap.id) for gap in gaps)
    pitch_width = max(20, shutil.get_terminal_size((100, 20)).columns - id_width - 3)
    click.echo(f"{'GAP':<{id_width}}   PITCH")
    for gap in gaps:
        lines = textwrap.wrap(gap.pitch, pitch_width) or [""]
        click.echo(f"{gap.id:<{id_width}}   {lines[0]}")
        for line in lines[1:]:
            click.echo(f"{'':<{id_width}}   {line}")


@main.command()
@click.argument("gap")
@click.option("--json", "as_json", is_flag=True, help="Print the gap as JSON.")
def info(gap: str, as_json: bool) -> None:
    """Describe one GAP: what it shows a reviewer, skills, datasets, time."""
    import json

    from .catalog import get_gap

    found = get_gap(gap)
    if as_json:
        data = found.as_dict()
        data["questions"] = {q.name: q.default for q in found.questions}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    import shutil

    width = max(40, shutil.get_terminal_size((88, 24)).columns - 1)

    def fill(text: str, indent: str = "") -> str:
        return textwrap.fill(
            text, width, subsequent_indent=indent, break_on_hyphens=False, break_long_words=True
        )

    click.echo(click.style(fill(f"{found.title} ({found.id})"), bold=True))
    click.echo(fill(found.pitch))
    click.echo()
    click.echo(fill(f"Shows a reviewer: {found.shows}"))
    for label, value in (
        ("Skills", ", ".join(found.skills)),
        ("Datasets", ", ".join(found.datasets)),
        ("Time", found.time),
        ("Create", f"newproject new {found.id}"),
    ):
        click.echo(fill(f"{label + ':':<10}{value}", " " * 10))


@main.command()
@click.argument("gap", required=False)
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder in which the project folder is created.",
)
@click.option("--no-input", is_flag=True, help="Ask nothing; use defaults, --answers and --set.")
@click.option(
    "--set",
    "set_options",
    multiple=True,
    metavar="KEY=VALUE",
    help="Answer a question (repeatable); wins over --answers.",
)
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML or JSON file of answers.",
)
@click.option("--no-git", is_flag=True, help="Skip `git init` and the first commit.")
def new(
    gap: str | None,
    output_dir: Path,
    no_input: bool,
    set_options: tuple[str, ...],
    answers_file: Path | None,
    no_git: bool,
) -> None:
    """Render a ready-to-run project for GAP (asks which gap when omitted)."""
    from .answers import AnswersFile, parse_set_options, read_answers_file
    from .catalog import get_gap, load_catalog

    interactive = not no_input
    if interactive and not sys.stdin.isatty():
        raise UsageError(
            "standard input is not a terminal; use `newproject new GAP --no-input` in scripts"
        )
    from_file = read_answers_file(answers_file) if answers_file else AnswersFile({})
    supplied = {**from_file.answers, **parse_set_options(list(set_options))}
    gap = gap or from_file.gap  # a project's .newproject.json names its gap
    if gap is not None:
        chosen = get_gap(gap)
    elif no_input:
        raise UsageError("--no-input needs a GAP; see `newproject list`")
    else:
        chosen = _choose_gap_or_help(load_catalog())

    _render_gap(
        chosen,
        supplied,
        interactive,
        output_dir,
        git=not no_git,
        created=from_file.created,
        announce=lambda project: _print_next_steps(chosen, project, git=not no_git),
    )


@main.command()
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML or JSON file: role, domain, levels (and project answers for --then-new).",
)
@click.option("--role", help="The role you are aiming at (see --example for the names).")
@click.option("--domain", help="general, driving, robotics or ar (default general).")
@click.option(
    "--level",
    "level_items",
    multiple=True,
    metavar="SKILL=LEVEL",
    help="Your level 0-4 (or its name) in one skill (repeatable); wins over --answers.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the recommendation as JSON.")
@click.option("--no-input", is_flag=True, help="Ask nothing; every answer comes from the options.")
@click.option("--example", is_flag=True, help="Print an answers file to fill in, and exit.")
@click.option("--then-new", is_flag=True, help="Then render the first suggested gap.")
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="With --then-new: folder in which the project folder is created.",
)
@click.option(
    "--set",
    "set_options",
    multiple=True,
    metavar="KEY=VALUE",
    help="With --then-new: answer a project question (repeatable).",
)
@click.option("--no-git", is_flag=True, help="With --then-new: skip `git init`.")
def recommend(
    answers_file: Path | None,
    role: str | None,
    domain: str | None,
    level_items: tuple[str, ...],
    as_json: bool,
    no_input: bool,
    example: bool,
    then_new: bool,
    output_dir: Path,
    set_options: tuple[str, ...],
    no_git: bool,
) -> None:
    """Recommend which gap to close first, and why.

    Asks at most 12 quick questions: your target role, domain and level in each skill the
    gaps exercise (only what --answers and the flags leave open). Ranks every gap by a
    documented score (docs/recommender.md) and prints the top 3 with reasons, the order to do
    them in and the command that renders the first.
    """
    from .recommender import command
    from .recommender.output import as_json as recommendation_json
    from .recommender.output import as_text as recommendation_text

    if example:
        click.echo(command.example_answers())
        return
    interactive = not no_input and sys.stdin.isatty()
    if then_new and not no_input and (as_json or not sys.stdin.isatty()):
        raise UsageError("--then-new with --json or without a terminal needs --no-input")
    recommendation, profiles = command.gather_recommendation(
        answers_file, role, domain, level_items, interactive=interactive, err=as_json
    )
    if not then_new:
        output = recommendation_json if as_json else recommendation_text
        click.echo(output(recommendation, profiles))
        return
    from .answers import parse_set_options
    from .catalog import get_gap

    supplied = {**recommendation.answers.project, **parse_set_options(list(set_options))}
    first = get_gap(recommendation.first)
    if not as_json:
        click.echo(recommendation_text(recommendation, profiles) + "\n")
    if as_json:
        project = _render_gap(first, supplied, interactive, output_dir, git=not no_git)
        click.echo(recommendation_json(recommendation, profiles, created=project))
    else:
        _render_gap(
            first,
            supplied,
            interactive,
            output_dir,
            git=not no_git,
            announce=lambda project: _print_next_steps(first, project, git=not no_git),
        )


@main.command(short_help="Bring template changes into a project (a three-way merge).")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option(
    "--set",
    "set_options",
    multiple=True,
    metavar="KEY=VALUE",
    help="Change an answer for today's template (repeatable).",
)
@click.option(
    "--dry-run", is_flag=True, help="Print the diff the update would make; change nothing."
)
@click.option(
    "--base-templates",
    type=click.Path(file_okay=False, path_type=Path),
    help="Templates folder holding the version the project was made from, when neither "
    "newproject nor the project's history has it.",
)
def update(
    directory: Path | None, set_options: tuple[str, ...], dry_run: bool, base_templates: Path | None
) -> None:
    """Bring today's template into the project in DIRECTORY (default: the project here).

    A three-way merge from the template the project records: your changes are kept, the
    template's are applied, and a line both changed gets git's conflict markers (exit 1,
    the files listed). Needs a clean git tree; the update is one commit you can revert.
    Never touches runs/, data/, checkpoints/ or the README's results.
    """
    from .answers import parse_set_options
    from .update.command import run_update

    run_update(
        directory,
        parse_set_options(list(set_options)),
        dry_run=dry_run,
        base_templates=base_templates,
    )


@main.command("template-repo")
@click.argument("gap")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--set",
    "set_options",
    multiple=True,
    metavar="KEY=VALUE",
    help="A neutral answer (repeatable), e.g. license=Apache-2.0; wins over --answers.",
)
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML or JSON file of neutral answers.",
)
@click.option("--no-git", is_flag=True, help="Skip `git init` and the first commit.")
def template_repo(
    gap: str,
    directory: Path,
    set_options: tuple[str, ...],
    answers_file: Path | None,
    no_git: bool,
) -> None:
    """Write a GitHub template repository for GAP into DIRECTORY.

    As pushed it is the gap's project with neutral names (the defaults, or --set); a
    repository made from it with "Use this template" is personalised by its first-run
    workflow (names from the new repository's name, author from its creator) and committed.
    """
    from .answers import load_answers_file, parse_set_options, resolve_answers
    from .catalog import get_gap
    from .render import TemplateEnvironment
    from .template_repo import write_template_repo

    supplied = load_answers_file(answers_file) if answers_file else {}
    supplied.update(parse_set_options(list(set_options)))
    chosen = get_gap(gap)
    answers = resolve_answers(chosen, supplied, TemplateEnvironment(chosen).render_default)
    written = write_template_repo(chosen, answers, directory, git=not no_git)
    try:
        shown = written.relative_to(Path.cwd())
    except ValueError:
        shown = written
    name = written.name
    click.echo(click.style(f"Created template repository {shown} ({chosen.title}).", fg="green"))
    click.echo("Next: push it to GitHub and mark it as a template, e.g. with the GitHub CLI:")
    click.echo(f"  cd {shown}")
    click.echo(f"  gh repo create {name} --public --source . --push")
    click.echo("  gh repo edit --template")
    click.echo('Then "Use this template" makes personalised copies of it.')


@main.command()
@click.argument(
    "directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--run", "run_commands", is_flag=True, help="Also run `make lint` and `make test`.")
@click.option("--explain", metavar="ID", help="Print what rule ID checks and how to fix it.")
def check(directory: Path, as_json: bool, run_commands: bool, explain: str | None) -> None:
    """Check how far the project in DIRECTORY is from a portfolio piece.

    Each rule has an id, a one-line check, the next step when it fails and a section in
    docs/check.md. Exit status 1 when a rule of level error fails.
    """
    from .check import check_project
    from .check.docs import explain as explain_rule

    if explain:
        click.echo(explain_rule(explain))
        return
    if not directory.is_dir():
        raise UsageError(f"{directory} is not a folder")
    if not (directory / "README.md").is_file() and not (directory / "pyproject.toml").is_file():
        raise UsageError(f"{directory} is not a project folder (no README.md, no pyproject.toml)")
    report = check_project(directory, run=run_commands)
    if as_json:
        from .check.output import as_json as report_json

        click.echo(report_json(report, __version__))
    else:
        import shutil

        from .check.output import as_text

        width = max(60, min(100, shutil.get_terminal_size((100, 20)).columns))
        click.echo(as_text(report, width=width, style=click.style))
    sys.exit(report.exit_code)


def _choose_gap_or_help(catalog: dict[str, Gap]) -> Gap:
    """The gap menu, with "help me choose" as its last entry."""
    from .menu import choose_gap
    from .recommender.command import HELP_ME_CHOOSE, help_me_choose

    picked = choose_gap([*catalog.values(), HELP_ME_CHOOSE])
    return help_me_choose(catalog) if picked is HELP_ME_CHOOSE else picked


def _render_gap(
    gap: Gap,
    supplied: dict[str, str],
    interactive: bool,
    output_dir: Path,
    *,
    git: bool,
    created: str | None = None,
    announce: Callable[[Path], None] | None = None,
) -> Path:
    """Answer `gap`'s questions (asking when `interactive`) and render it; returns the project.

    The author questions default to the user's git identity, which also authors the first
    commit; without one the answers do, unless they are the template's placeholders, and
    then the project is left with its files staged and no commit.
    """
    from .answers import resolve_answers
    from .render import TemplateEnvironment, render_project

    known = _usable_git_user(gap)
    environment = TemplateEnvironment(gap)
    answers = resolve_answers(
        gap, supplied, environment.render_default, _ask if interactive else None, defaults=known
    )
    author = (
        known.get("author_name", answers["author_name"]),
        known.get("author_email", answers["author_email"]),
    )
    placeholders = {q.name: q.default for q in gap.questions}
    commit = author[0] != placeholders.get("author_name") and author[1] != placeholders.get(
        "author_email"
    )
    return render_project(
        gap,
        answers,
        output_dir,
        git=git,
        commit=commit,
        author=author,
        created=created,
        announce=announce,
    )


def _usable_git_user(gap: Gap) -> dict[str, str]:
    """The user's git name and e-mail, each only where it passes the author question's
    check (a value git itself would refuse, say): the defaults and the commit's author."""
    from .answers import check_answer
    from .errors import InvalidAnswerError
    from .gituser import git_user

    user = git_user()
    questions = {question.name: question for question in gap.questions}
    usable = {}
    for name, value in (("author_name", user.name), ("author_email", user.email)):
        if value and name in questions:
            try:
                usable[name] = check_answer(questions[name], value)
            except InvalidAnswerError:
                continue
    return usable


def _ask(question: Question, default: str, check) -> str:
    def value_proc(value: str) -> str:
        try:
            return check(value)
        except NewprojectError as error:
            raise click.UsageError(str(error)) from None

    if question.choices:
        # The check accepts any case and returns the canonical spelling; click.Choice only
        # lists the choices after the prompt (unless the prompt lists them itself).
        return click.prompt(
            question.prompt,
            default=default,
            type=click.Choice(question.choices, case_sensitive=False),
            show_choices=question.show_choices,
            value_proc=value_proc,
        )
    return click.prompt(question.prompt, default=default, value_proc=value_proc)


# PyTorch's CPU build at the version newproject tests, installed before `make setup`: an
# unpinned torch from PyPI pulls a multi-GB CUDA build. The generated README says the same.
TORCH_CPU_INSTALL = 'pip install "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu'


def _print_next_steps(gap: Gap, project: Path, *, git: bool = True) -> None:
    try:
        shown = project.relative_to(Path.cwd())
    except ValueError:
        shown = project
    click.echo(click.style(f"Created {shown} ({gap.title}).", fg="green"))
    if git and (project / ".git" / "MERGE_MSG").exists():
        click.echo(
            "No first commit yet: git has no name and e-mail for you. Tell git who you are,\n"
            "then commit (the message is prepared):\n"
            '  git config --global user.name "Ada Lovelace"\n'
            "  git config --global user.email ada@example.org\n"
            f"  git -C {shlex.quote(str(shown))} commit --no-edit"
        )
    click.echo("Next:")
    click.echo(f"  cd {shlex.quote(str(shown))}")
    if not os.environ.get("VIRTUAL_ENV"):
        click.echo("  python3 -m venv .venv && . .venv/bin/activate")
    click.echo(f"  {TORCH_CPU_INSTALL}   # PyTorch's CPU build first (skips the multi-GB CUDA one)")
    click.echo("  make setup    # install the project and its dev tools into the active venv")
    click.echo("  make smoke    # train, evaluate and report offline in a minute or two")
