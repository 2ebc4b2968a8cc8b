"""The `svcdocs` command. Thin commands: read options, run the pipeline, render.

Each command lives in its own module here and is registered below.
Exit status: 0 success; 1 findings at or above --fail-on, or new exposure with
--fail-on-exposure; 2 usage errors, unreadable paths, or no manifests at all.
"""

from __future__ import annotations

import click

from svcdocs import __version__
from svcdocs.cli.build import build
from svcdocs.cli.check import check
from svcdocs.cli.diff import diff
from svcdocs.cli.graph import graph
from svcdocs.cli.reach import reach
from svcdocs.cli.rules import rules
from svcdocs.cli.serve import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="svcdocs")
def main() -> None:
    """Document the architecture that Kubernetes manifests describe."""


main.add_command(graph)
main.add_command(check)
main.add_command(rules)
main.add_command(diff)
main.add_command(build)
main.add_command(serve)
main.add_command(reach)
