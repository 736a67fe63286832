"""The `newproject` command's outermost frame: a Ctrl-C at any moment after Python has
started ends with one line and exit code 130, never a traceback.

The console script imports this module first; it imports nothing itself, so the
window between Python's own start-up and the guard below is a handful of bytecodes.
(A Ctrl-C during CPython's start-up, before any newproject code runs, is CPython's.)
"""

import sys

# Interrupts CPython swallowed (a KeyboardInterrupt raised inside a weakref callback or
# __del__ is only reported as "Exception ignored"): raised again at the next check.
_swallowed: list[BaseException] = []


def run() -> None:
    """Run the CLI (`newproject.cli.main`) under the interrupt guard."""
    try:
        try:
            sys.unraisablehook = _quiet_about_interrupts
            from .cli import main

            main(prog_name="newproject")
        except KeyboardInterrupt as error:
            _ignore_further_interrupts()
            exit_interrupted(error)
        except Exception as error:
            # Python wraps a Ctrl-C that lands in some machinery (a class's __set_name__ while
            # a module is imported) into another error: still an interrupt, not a crash.
            interrupt = first_in_chain(error, (KeyboardInterrupt,))
            if interrupt is None:
                raise
            _ignore_further_interrupts()
            exit_interrupted(interrupt)
    except SystemExit:
        _ignore_further_interrupts()  # the exit is decided: a late Ctrl-C changes nothing
        raise


def first_in_chain(error: BaseException, kinds: tuple[type, ...]) -> BaseException | None:
    """The first exception of `kinds` among `error` and the causes and contexts behind it."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kinds):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def raise_if_interrupted() -> None:
    """Raise the interrupt CPython swallowed, if any; called before each point of no return."""
    if _swallowed:
        raise _swallowed.pop()


def _quiet_about_interrupts(unraisable) -> None:
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        _swallowed.append(unraisable.exc_value)
    else:
        sys.__unraisablehook__(unraisable)


def _ignore_further_interrupts() -> None:
    # Only the real command does this: in-process callers (tests) keep their handlers.
    for _ in range(5):
        try:
            import signal

            signal.signal(signal.SIGINT, signal.SIG_IGN)
            return
        except KeyboardInterrupt:
            continue


def exit_interrupted(error: BaseException | None = None) -> None:
    """One line on stderr and exit 128 + the signal (130 for SIGINT)."""
    signum = getattr(error, "signum", 2)
    for _ in range(5):  # each try is short; another Ctrl-C may land inside one
        try:
            # At a terminal the ^C echo ends the prompt's line; the message gets its own.
            lead = "\n" if sys.stderr.isatty() else ""
            sys.stderr.write(f"{lead}Aborted.\n")
            sys.stderr.flush()
            break
        except KeyboardInterrupt:
            continue
        except Exception:  # stderr closed: the exit code still tells
            break
    sys.exit(128 + signum)
