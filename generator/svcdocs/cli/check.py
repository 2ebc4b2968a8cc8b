"""`svcdocs check`: the findings of every rule, as a CI gate."""

from __future__ import annotations

import sys

import click

from svcdocs.cli.common import NoManifests, friendly, input_options, load_options
from svcdocs.cli.conventions import say
from svcdocs.cli.environments import environment_options, read_reports
from svcdocs.config import load_config
from svcdocs.render import environment_findings as findings_out
from svcdocs.render import sarif
from svcdocs.render.locations import source_root
from svcdocs.rules import SEVERITY_ORDER, at_or_above
from svcdocs.state.output import write_output


@click.command()
@input_options
@environment_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True)
@click.option("--fail-on", type=click.Choice([*reversed(SEVERITY_ORDER), "never"]), default="error",
              show_default=True, help="Exit 1 when a finding is at or above this severity.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write to FILE (through a temporary file beside it; never through a link), not stdout.")
@click.option("--allow-empty", is_flag=True,
              help="Pass when the PATHs hold no Kubernetes manifest (as the pre-commit hook does, for a commit "
                   "whose YAML files are not manifests), instead of exit 2.")
@friendly
def check(paths, namespace, config_path, render, allow_remote, environments, fmt, fail_on, output, allow_empty):
    """Check the manifests against the rules (`svcdocs rules` lists them).

    With several environments, each finding names its environment.
    """
    config = load_config(config_path)
    try:
        reports = read_reports(paths, namespace, config, environments, load_options(config, render, allow_remote),
                               say_not_rendered=False)
    except NoManifests as e:
        if not allow_empty:
            raise
        say(f"svcdocs: {e.message}; nothing to check")
        return
    if fmt == "text" and output is None:
        click.echo(findings_out.to_text(reports), nl=False)  # click drops the colour off a terminal
    elif fmt == "text":
        write_output(output, click.unstyle(findings_out.to_text(reports)))
    elif fmt == "json":
        emit(findings_out.to_json(reports), output)
    elif fmt == "github":
        emit(findings_out.to_github(reports, source_root()), output)
    else:
        document = findings_out.to_sarif(reports, source_root())
        left_out = sarif.fit_code_scanning(document)
        if left_out:
            say(f"svcdocs: warning: {left_out}")
        emit(sarif.dumps(document), output)
    findings = [f for _, report in reports.reports for f in report.findings]
    if fail_on != "never" and at_or_above(findings, fail_on):
        sys.exit(1)


def emit(text: str, output: str | None) -> None:
    """To stdout, or to the file named with -o."""
    if output is None:
        sys.stdout.write(text)
    else:
        write_output(output, text)
