"""`svcdocs graph`: the graph, exposure, entry points, patterns and findings."""

from __future__ import annotations

import sys

import click

from svcdocs.cli.common import friendly, input_options, load_options, read_report
from svcdocs.config import load_config
from svcdocs.render import graph_json, graph_text


@click.command()
@input_options
@click.option("--format", "fmt", type=click.Choice(["json", "dot", "mermaid"]), default="json", show_default=True)
@friendly
def graph(paths, namespace, config_path, render, allow_remote, fmt):
    """Print the service graph, exposure, entry points, patterns and findings."""
    config = load_config(config_path)
    report = read_report(paths, namespace, config, load_options(config, render, allow_remote))
    if fmt == "json":
        text = graph_json.dumps(graph_json.graph_document(report))
    elif fmt == "dot":
        text = graph_text.to_dot(report)
    else:
        text = graph_text.to_mermaid(report)
    sys.stdout.write(text)
