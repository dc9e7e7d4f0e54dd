"""Settings that belong to one web app, read by library code that does not import Flask.

The web app keeps each settings object in its own ``app.extensions[key]`` and registers,
once, a reader that looks them up on the *current* app (:func:`set_reader`). Library
code asks :func:`current` for a key and gets that app's object inside an app or request
context; outside one (scripts, benches, ticks run without the app) it gets the settings
of an enclosing :func:`scope`, else the default it names. Callers that know better pass
their settings to the library functions explicitly.

The reader is the same function for every app, so creating a second app (a test server,
an HTTPS variant) never changes what the first one sees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

#: Given a key, the current app's settings object under it, or None (no app context).
Reader = Callable[[str], object | None]

_reader: Reader | None = None
_scoped: ContextVar[Mapping[str, object] | None] = ContextVar("app_settings", default=None)


def set_reader(reader: Reader) -> None:
    """Where :func:`current` looks (the web app registers a current-app lookup)."""
    global _reader
    _reader = reader


@contextmanager
def scope(settings: Mapping[str, object]) -> Iterator[None]:
    """Within the block, outside an app context, read settings from ``settings`` (key ->
    object, e.g. an app's ``extensions``): for code that calls the libraries directly on
    an app's behalf, such as tests, without pushing that app's context."""
    token = _scoped.set(settings)
    try:
        yield
    finally:
        _scoped.reset(token)


def current(key: str, kind: type[T], default: T) -> T:
    """The current app's ``kind`` object under ``key``; outside an app, the enclosing
    :func:`scope`'s; else ``default``."""
    value = _reader(key) if _reader is not None else None
    if value is None:
        scoped = _scoped.get()
        value = scoped.get(key) if scoped is not None else None
    return value if isinstance(value, kind) else default
