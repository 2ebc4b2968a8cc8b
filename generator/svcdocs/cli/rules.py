"""`svcdocs rules`: the rule catalogue, rendered from the rule modules."""

from __future__ import annotations

import sys

import click

from svcdocs.render import rules_doc

RENDER = {"text": rules_doc.to_text, "markdown": rules_doc.to_markdown, "json": rules_doc.to_json}


@click.command()
@click.option("--format", "fmt", type=click.Choice(list(RENDER)), default="text", show_default=True)
def rules(fmt):
    """List the rules: id, default severity, why each matters and how to fix it."""
    sys.stdout.write(RENDER[fmt]())
