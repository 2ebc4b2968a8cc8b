"""`svcdocs check`: the findings of every rule, as a CI gate."""

from __future__ import annotations

import sys

import click

from svcdocs.cli.common import friendly, input_options
from svcdocs.cli.environments import environment_options, read_reports
from svcdocs.config import load_config
from svcdocs.render import environment_findings as findings_out
from svcdocs.render import sarif
from svcdocs.render.locations import source_root
from svcdocs.rules import SEVERITY_ORDER, at_or_above


@click.command()
@input_options
@environment_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True)
@click.option("--fail-on", type=click.Choice([*reversed(SEVERITY_ORDER), "never"]), default="error",
              show_default=True, help="Exit 1 when a finding is at or above this severity.")
@friendly
def check(paths, namespace, config_path, environments, fmt, fail_on):
    """Check the manifests against the rules (`svcdocs rules` lists them).

    With several environments, each finding names its environment.
    """
    reports = read_reports(paths, namespace, load_config(config_path), environments, say_not_rendered=False)
    if fmt == "text":
        click.echo(findings_out.to_text(reports), nl=False)  # click drops the colour off a terminal
    elif fmt == "json":
        sys.stdout.write(findings_out.to_json(reports))
    elif fmt == "github":
        sys.stdout.write(findings_out.to_github(reports, source_root()))
    else:
        document = findings_out.to_sarif(reports, source_root())
        left_out = sarif.fit_code_scanning(document)
        if left_out:
            click.echo(f"svcdocs: warning: {left_out}", err=True)
        sys.stdout.write(sarif.dumps(document))
    findings = [f for _, report in reports.reports for f in report.findings]
    if fail_on != "never" and at_or_above(findings, fail_on):
        sys.exit(1)
