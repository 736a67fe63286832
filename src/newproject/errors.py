"""Errors the user can cause; the CLI prints each as one line and exits non-zero."""


class NewprojectError(Exception):
    """An expected failure with a message meant for the user."""


class UnknownGapError(NewprojectError):
    """The gap id names no template."""


class InvalidAnswerError(NewprojectError):
    """An answer (or answers file) that cannot be used."""


class TargetExistsError(NewprojectError):
    """The project folder already exists; newproject never touches it."""


class RenderError(NewprojectError):
    """The template failed to render; nothing was left behind."""


class UsageError(NewprojectError):
    """Input the user can correct (an unknown name, a value out of range, a malformed file).

    The CLI prints it as one line and exits 2, as click does for its own usage errors.
    """

    exit_code = 2
