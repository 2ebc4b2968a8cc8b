"""`svcdocs reach`: who can reach whom under the network policies of every kind."""

from __future__ import annotations

import sys

import click

from svcdocs.analysis.reach import connections, endpoints_named
from svcdocs.cli.common import Failure, friendly, input_options, load_options
from svcdocs.cli.conventions import say
from svcdocs.cli.environments import environment_options, read_reports
from svcdocs.config import load_config
from svcdocs.render import policy_notice, reach_text
from svcdocs.runtime import gc_paused

FORMATS = ("txt", "json", "csv", "md", "dot")


@click.command()
@input_options
@environment_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="txt", show_default=True)
@click.option("--focus", metavar="WORKLOAD",
              help="Only connections from or to this workload: name, ns/name, ns/name[Kind] or Kind/ns/name.")
@click.option("--explain", is_flag=True, help="Say which policies allow or deny each pair, with file and line.")
@friendly
def reach(paths, namespace, config_path, render, allow_remote, environments, fmt, focus, explain):
    """List every connection the network policies allow: src => dst : conn.

    The same endpoints, connection strings and JSON as netpol-analyzer's
    `list`: workloads (ns/name[Kind]), address ranges outside the cluster
    (a.b.c.d-e.f.g.h[External]) and {ingress-controller} for the traffic that
    Ingresses and routes bring in. A repository of several environments is
    read one environment at a time: pick it with --env.
    """
    config = load_config(config_path)
    reports = read_reports(paths, namespace, config, environments, load_options(config, render, allow_remote))
    report = reports.single
    if report is None:
        names = ", ".join(e.name for e, _ in reports.reports)
        raise Failure(f"{len(reports.reports)} environments ({names}); reach reads one: pick it with --env NAME")
    found = report.analysis.reach
    notice = policy_notice.unapplied(report.model.inputs.unapplied_policies)
    for line in ([f"note: {notice}"] if notice else []) + policy_notice.parts_not_applied(report.model.policies):
        say(line)
    wanted = None
    if focus is not None:
        wanted = endpoints_named(found.engine, focus)
        if not wanted:
            raise Failure(f"--focus {focus}: no such workload in the input")
    with gc_paused():  # pairs are many small objects; see svcdocs.runtime
        pairs = connections(found.engine, list(found.backends), wanted, denied=explain)
        text = reach_text.render(fmt, pairs, found, explain, focused=wanted is not None)
    sys.stdout.write(text)
