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
