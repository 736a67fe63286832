"""Registries: named constructors of one kind (models, datasets, blocks, ...), built from config.

One style everywhere. A folder's ``__init__.py`` creates the registry::

    MODELS = Registry("model", package=__name__)

and each file in the folder registers what it defines::

    @MODELS.register("pointnet")
    class PointNet(nn.Module): ...

The registry imports every module of its package the first time it is asked for a name, so a
new model is one new file and one config line (``model: {name: my_model, ...}``); nothing else
has to import it.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from .errors import ConfigError

T = TypeVar("T")


class Registry:
    """Name -> constructor (a class or a function) of one kind of thing."""

    def __init__(self, kind: str, package: str | None = None):
        self.kind = kind
        self._package = package
        self._entries: dict[str, Callable[..., Any]] = {}
        self._discovered = package is None

    def register(self, name: str | None = None) -> Callable[[T], T]:
        """Decorator: register a class or function under `name` (default: its lower-case name)."""

        def add(obj: T) -> T:
            self.add(name or obj.__name__.lower(), obj)
            return obj

        return add

    def add(self, name: str, obj: Callable[..., Any]) -> None:
        """Register `obj` under `name`; a second, different object under one name is an error."""
        existing = self._entries.get(name)
        if existing is not None and _qualified(existing) != _qualified(obj):
            raise ValueError(
                f"{self.kind} {name!r} is registered twice: {_qualified(existing)} and "
                f"{_qualified(obj)}"
            )
        self._entries[name] = obj  # the same object again (a module reload) replaces it

    def names(self) -> list[str]:
        """Every registered name, sorted."""
        self._discover()
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        self._discover()
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def get(self, name: str) -> Callable[..., Any]:
        """The constructor registered as `name`, or a ConfigError listing the registered names."""
        self._discover()
        if name not in self._entries:
            known = sorted(self._entries)
            close = difflib.get_close_matches(str(name), known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(
                f"unknown {self.kind} {name!r}{hint} (registered: {', '.join(known) or 'none'})"
            )
        return self._entries[name]

    def build(self, spec: Mapping[str, Any] | str, **context: Any) -> Any:
        """Call the constructor named by ``spec["name"]`` with spec's other keys as keyword
        options, plus `context` (what the caller knows, e.g. ``num_classes``).

        An option the constructor does not take is a ConfigError naming the ones it does."""
        options = {"name": spec} if isinstance(spec, str) else dict(spec)
        if options.get("name") is None:
            raise ConfigError(f"no {self.kind} named: set {self.kind}.name (one of {self})")
        name = options.pop("name")
        constructor = self.get(name)
        clash = sorted(set(options) & set(context))
        if clash:
            raise ConfigError(
                f"{self.kind} {name!r}: {', '.join(clash)} is set by the project, not the config"
            )
        _check_options(self.kind, name, constructor, options)
        return constructor(**options, **context)

    def __str__(self) -> str:
        return ", ".join(self.names())

    def _discover(self) -> None:
        if self._discovered:
            return
        self._discovered = True
        package = importlib.import_module(self._package)
        for module in pkgutil.iter_modules(package.__path__):
            if not module.name.startswith("_"):
                importlib.import_module(f"{self._package}.{module.name}")


def _check_options(kind: str, name: str, constructor: Callable, options: Mapping) -> None:
    try:
        parameters = inspect.signature(constructor).parameters.values()
    except (TypeError, ValueError):  # no signature to read: let the call decide
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return
    accepted = [
        p.name
        for p in parameters
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    ]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ConfigError(
            f"{kind} {name!r} takes no option {', '.join(map(repr, unknown))} "
            f"(its options: {', '.join(accepted) or 'none'})"
        )


def _qualified(obj: object) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"
