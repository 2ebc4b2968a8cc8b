"""What every command does as command-line tools do: `--color auto|always|never`
(auto: NO_COLOR, then FORCE_COLOR, then whether the output is a terminal; see
no-color.org and force-color.org) and `--quiet` (only the command's output and
its errors: no notes, warnings, progress or summaries on stderr)."""

from __future__ import annotations

import os

import click

COLOR = ("auto", "always", "never")
_QUIET = "svcdocs.quiet"


def color_from(choice: str, environ=os.environ) -> bool | None:
    """True or False to force colour on or off, None to ask the terminal."""
    if choice != "auto":
        return choice == "always"
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return None


def _set_color(ctx: click.Context, _param: click.Parameter, value: str) -> None:
    ctx.color = color_from(value)  # click.echo asks the current context


def _set_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    ctx.meta[_QUIET] = value


def with_conventions(command: click.Command) -> click.Command:
    """COMMAND with --color and --quiet (added once)."""
    if not any(p.name == "color" for p in command.params):
        command.params += [
            click.Option(["--color"], type=click.Choice(COLOR), default="auto", show_default=True,
                         expose_value=False, callback=_set_color, is_eager=True,
                         help="Colour the output: auto (a terminal, unless NO_COLOR is set or FORCE_COLOR is), "
                              "always or never."),
            click.Option(["--quiet", "-q"], is_flag=True, expose_value=False, callback=_set_quiet,
                         help="Print only the output and errors: no notes, warnings, progress or summary on stderr."),
        ]
    return command


def quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(_QUIET))


def say(text: str) -> None:
    """A note, a warning or a summary on stderr, unless --quiet."""
    if not quiet():
        click.echo(text, err=True)
