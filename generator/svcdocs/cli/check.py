"""`svcdocs check`: the findings of every rule, as a CI gate."""

from __future__ import annotations

import sys

import click

from svcdocs.cli.common import friendly, input_options, read_report
from svcdocs.config import load_config
from svcdocs.render import findings as findings_out
from svcdocs.render import sarif
from svcdocs.render.locations import source_root
from svcdocs.rules import SEVERITY_ORDER, at_or_above


@click.command()
@input_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True)
@click.option("--fail-on", type=click.Choice([*reversed(SEVERITY_ORDER), "never"]), default="error",
              show_default=True, help="Exit 1 when a finding is at or above this severity.")
@friendly
def check(paths, namespace, config_path, fmt, fail_on):
    """Check the manifests against the rules (`svcdocs rules` lists them)."""
    report = read_report(paths, namespace, load_config(config_path))
    findings = report.findings
    if fmt == "text":  # click drops the colour off a terminal
        click.echo(findings_out.to_text(findings, report.model.inputs.routing_kinds), nl=False)
    elif fmt == "json":
        sys.stdout.write(findings_out.to_json(findings))
    elif fmt == "github":
        sys.stdout.write(findings_out.to_github(findings, source_root()))
    else:
        document = sarif.sarif_document(findings, source_root())
        left_out = sarif.fit_code_scanning(document)
        if left_out:
            click.echo(f"svcdocs: warning: {left_out}", err=True)
        sys.stdout.write(sarif.dumps(document))
    if fail_on != "never" and at_or_above(findings, fail_on):
        sys.exit(1)
