"""The `newproject` command: parse, prompt, print, and map errors to exit codes.

Rendering, the catalog and validation live in their own modules and know
nothing of click.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import __version__
from .entry import exit_interrupted
from .errors import NewprojectError, UsageError, one_line

if TYPE_CHECKING:
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
            if isinstance(error.__context__, KeyboardInterrupt):
                exit_interrupted(error.__context__)
            if isinstance(error.__context__, EOFError):
                _fail(_INPUT_ENDED, 1)
            _fail("Aborted.", 1, prefix="")
        sys.exit(code if isinstance(code, int) else 0)

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
    click.echo(click.style(f"{found.title} ({found.id})", bold=True))
    click.echo(found.pitch)
    click.echo()
    click.echo(textwrap.fill(f"Shows a reviewer: {found.shows}", 88))
    click.echo(f"Skills:   {', '.join(found.skills)}")
    click.echo(f"Datasets: {', '.join(found.datasets)}")
    click.echo(f"Time:     {found.time}")
    click.echo(f"Create:   newproject new {found.id}")


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
    from .answers import load_answers_file, parse_set_options
    from .catalog import get_gap, load_catalog

    interactive = not no_input
    if interactive and not sys.stdin.isatty():
        raise UsageError(
            "standard input is not a terminal; use `newproject new GAP --no-input` in scripts"
        )
    supplied = load_answers_file(answers_file) if answers_file else {}
    supplied.update(parse_set_options(list(set_options)))
    if gap is not None:
        chosen = get_gap(gap)
    elif no_input:
        raise UsageError("--no-input needs a GAP; see `newproject list`")
    else:
        chosen = _choose_gap_or_help(load_catalog())

    project = _render_gap(chosen, supplied, interactive, output_dir, git=not no_git)
    _print_next_steps(chosen, project)


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
    project = _render_gap(first, supplied, interactive, output_dir, git=not no_git)
    if as_json:
        click.echo(recommendation_json(recommendation, profiles, created=project))
    else:
        _print_next_steps(first, project)


def _choose_gap_or_help(catalog: dict[str, Gap]) -> Gap:
    """The gap menu, with "help me choose" as its last entry."""
    from .menu import choose_gap
    from .recommender.command import HELP_ME_CHOOSE, help_me_choose

    picked = choose_gap([*catalog.values(), HELP_ME_CHOOSE])
    return help_me_choose(catalog) if picked is HELP_ME_CHOOSE else picked


def _render_gap(
    gap: Gap, supplied: dict[str, str], interactive: bool, output_dir: Path, *, git: bool
) -> Path:
    """Answer `gap`'s questions (asking when `interactive`) and render it; returns the project."""
    from .answers import resolve_answers
    from .render import TemplateEnvironment, render_project

    environment = TemplateEnvironment(gap)
    answers = resolve_answers(
        gap, supplied, environment.render_default, _ask if interactive else None
    )
    return render_project(gap, answers, output_dir, git=git)


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


def _print_next_steps(gap: Gap, project: Path) -> None:
    try:
        shown = project.relative_to(Path.cwd())
    except ValueError:
        shown = project
    click.echo(click.style(f"Created {shown} ({gap.title}).", fg="green"))
    click.echo("Next:")
    click.echo(f"  cd {shown}")
    click.echo("  make setup    # install (into the active venv, else ./.venv)")
    click.echo("  make smoke    # train, evaluate and report offline in about a minute")
