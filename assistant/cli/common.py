"""What every ``briefing`` command shares: errors as one line, the assistant on ``--store``, the
``--store`` option, JSON of dates, progress lines for work that takes seconds."""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

from assistant.errors import BriefingError

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Print a ``BriefingError`` as one line, ``Error: …``, on stderr and exit 1 (never a traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BriefingError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def open_assistant(store: str | None, *, create: bool = False) -> Any:
    """The assistant on ``store``; only ``ingest`` creates a store (a misspelt path must not
    become an empty store that answers "the articles don't say")."""
    from assistant import Assistant

    context = click.get_current_context(silent=True)
    params = context.find_root().params if context else {}
    return Assistant(
        vectorstore_dir=store, chroma_url=params.get("chroma_url"), catalog_url=params.get("catalog_url"), create=create
    )


def jsonable(value: Any) -> Any:
    """``json.dumps(default=…)`` for dates."""
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


store_option = click.option(
    "--store", "store", default=None, metavar="DIR", help="Vector store folder (default: vectorstore/)."
)


class Steps:
    """Progress on stderr for work that takes seconds (a model loads, then writes): one line as each
    step starts, with the time so far. Off for work that takes a second (``enabled=False``)."""

    def __init__(self, what: str, enabled: bool) -> None:
        self.what = what
        self.enabled = enabled
        self.started = time.perf_counter()

    def __call__(self, step: str) -> None:
        if self.enabled:
            click.echo(f"{self.what}: {step}… ({time.perf_counter() - self.started:.0f} s)", err=True)
