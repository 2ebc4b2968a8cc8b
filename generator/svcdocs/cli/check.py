"""`svcdocs check`: the findings of every rule, as a CI gate."""

from __future__ import annotations

import sys

import click

from svcdocs.cli.common import friendly, input_options, load_options, read_report
from svcdocs.config import load_config
from svcdocs.render import findings as findings_out
from svcdocs.render import sarif
from svcdocs.render.locations import source_root
from svcdocs.rules import SEVERITY_ORDER, at_or_above
from svcdocs.state.output import write_output


@click.command()
@input_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True)
@click.option("--fail-on", type=click.Choice([*reversed(SEVERITY_ORDER), "never"]), default="error",
              show_default=True, help="Exit 1 when a finding is at or above this severity.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write to FILE (through a temporary file beside it; never through a link), not stdout.")
@friendly
def check(paths, namespace, config_path, render, allow_remote, fmt, fail_on, output):
    """Check the manifests against the rules (`svcdocs rules` lists them)."""
    config = load_config(config_path)
    findings = read_report(paths, namespace, config, load_options(config, render, allow_remote)).findings
    if fmt == "text" and output is None:
        click.echo(findings_out.to_text(findings), nl=False)  # click drops the colour off a terminal
    elif fmt == "text":
        write_output(output, click.unstyle(findings_out.to_text(findings)))
    elif fmt == "json":
        emit(findings_out.to_json(findings), output)
    elif fmt == "github":
        emit(findings_out.to_github(findings, source_root()), output)
    else:
        emit(sarif.dumps(sarif.sarif_document(findings, source_root())), output)
    if fail_on != "never" and at_or_above(findings, fail_on):
        sys.exit(1)


def emit(text: str, output: str | None) -> None:
    """To stdout, or to the file named with -o."""
    if output is None:
        sys.stdout.write(text)
    else:
        write_output(output, text)
