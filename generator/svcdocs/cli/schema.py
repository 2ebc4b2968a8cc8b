"""`svcdocs schema NAME`: the JSON Schema of the config or of a JSON output."""

from __future__ import annotations

import sys

import click

from svcdocs import schemas


@click.command()
@click.argument("name", required=False, metavar="[NAME]", type=click.Choice(schemas.NAMES))
def schema(name):
    """Print the JSON Schema NAME (draft 2020-12); without NAME, list them.

    config is .svcdocs.yaml's (for editors: yaml-language-server, VS Code);
    the others are the documents of graph, check, diff, reach and rules
    --format json.
    """
    if name is not None:
        sys.stdout.write(schemas.text(name))
        return
    width = max(map(len, schemas.NAMES))
    for each in schemas.NAMES:
        click.echo(f"{each:<{width}}  {schemas.load(each)['title']}")
