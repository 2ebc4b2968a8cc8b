"""Where the Jinja2 templates are, installed or from a checkout, and an
environment to render them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2


def template_dir() -> Path:
    """`svcdocs/templates` in an installed wheel, else the checkout's top-level `templates/`."""
    here = Path(__file__).resolve()
    installed = here.parent.parent / "templates"
    return installed if installed.is_dir() else here.parents[3] / "templates"


@lru_cache(maxsize=None)
def environment(autoescape: bool = False) -> jinja2.Environment:
    """Templates by path under `template_dir()` ("review/comment.md.j2"). Autoescape
    is off by default, for Markdown: its callers escape with render.escape.
    `count` says a number with its noun: `{{ n|count("file") }}` is `1 file`, `2 files`."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir()),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["count"] = count
    return env


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`1 file`, `2 files`; `plural` where adding an s is not it (`policies`, `ways in`)."""
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"
