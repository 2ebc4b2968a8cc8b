"""The `svcdocs` command. Thin commands: read options, run the pipeline, render.

Each command lives in its own module here and is registered below by name;
a command's module is imported only when that command runs (or help lists
it), so `svcdocs graph` does not pay for the site's and the review's imports.
Exit status: 0 success; 1 findings at or above --fail-on, or new exposure with
--fail-on-exposure; 2 usage errors, unreadable paths, or no manifests at all.
"""

from __future__ import annotations

import importlib

import click

import svcdocs

# name -> the module (in svcdocs.cli) that defines it, as a function of that name
COMMANDS = {"graph": "graph", "check": "check", "rules": "rules", "diff": "diff", "build": "build",
            "serve": "serve", "reach": "reach", "schema": "schema"}


class _Commands(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module = COMMANDS.get(name)
        if module is None:
            return None
        from svcdocs.cli.conventions import with_conventions

        return with_conventions(getattr(importlib.import_module(f"svcdocs.cli.{module}"), name))


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"svcdocs, version {svcdocs.__version__}")
        ctx.exit()


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version and exit.")
def main() -> None:
    """Document the architecture that Kubernetes manifests describe."""
