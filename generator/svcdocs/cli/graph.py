"""`svcdocs graph`: the graph, exposure, entry points, patterns and findings."""

from __future__ import annotations

import sys

import click

from svcdocs.cli.common import Failure, friendly, input_options, load_options
from svcdocs.cli.environments import environment_options, read_reports
from svcdocs.config import load_config
from svcdocs.render import environments_json, graph_json, graph_text
from svcdocs.runtime import gc_paused


@click.command()
@input_options
@environment_options
@click.option("--format", "fmt", type=click.Choice(["json", "dot", "mermaid"]), default="json", show_default=True)
@friendly
def graph(paths, namespace, config_path, render, allow_remote, environments, fmt):
    """Print the service graph, exposure, entry points, patterns and findings.

    With several environments, json prints one graph per environment
    (svcdocs.environments/v1); dot and mermaid draw one: pick it with --env.
    """
    config = load_config(config_path)
    reports = read_reports(paths, namespace, config, environments, load_options(config, render, allow_remote))
    report = reports.single
    if report is None and fmt != "json":
        names = ", ".join(e.name for e, _ in reports.reports)
        raise Failure(f"{len(reports.reports)} environments ({names}); --format {fmt} draws one: "
                      "pick it with --env PATH, or use --format json")
    with gc_paused():  # the document is a million small objects, as the report is
        if report is None:
            text = graph_json.dumps(environments_json.environments_document(reports))
        elif fmt == "json":
            text = graph_json.dumps({**graph_json.graph_document(report), **environments_json.discovery_json(reports)})
        elif fmt == "dot":
            text = graph_text.to_dot(report)
        else:
            text = graph_text.to_mermaid(report)
    sys.stdout.write(text)
