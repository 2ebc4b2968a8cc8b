"""`svcdocs check` over several environments, and what was not rendered.

Each finding names its environment: `[overlays/prod]` before its message in
text and GitHub annotations, an `environment` key in JSON, and an
`environment` property in SARIF (whose fingerprints then tell the same
finding in two environments apart). The summary counts the findings of each
environment and says, with its reason, every input that was not rendered.
"""

from __future__ import annotations

import os
from collections import Counter
from itertools import groupby
from typing import Iterable

from svcdocs.load.discovery_renders import NotRendered
from svcdocs.model.routers import unread_backends
from svcdocs.analysis.controllers import INSIDE
from svcdocs.model import Object
from svcdocs.pipeline import EnvironmentReports, Report
from svcdocs.render import findings as single
from svcdocs.render import policy_notice
from svcdocs.render import sarif
from svcdocs.render.environments_json import not_rendered_json
from svcdocs.render.escape import visible
from svcdocs.render.graph_json import dumps, finding_json
from svcdocs.rules import Finding


def tagged(reports: EnvironmentReports) -> list[tuple[str, Finding]]:
    """(environment, finding) in environment order, each environment's findings by file and line."""
    return [(environment.name, f) for environment, report in reports.reports for f in report.findings]


def _in(environment: str, finding: Finding) -> Finding:
    return Finding(finding.rule, finding.severity, finding.object, finding.file, finding.line,
                   f"[{environment}] {finding.message}")


def to_text(reports: EnvironmentReports) -> str:
    if reports.single is not None:
        model = reports.single.model
        text = single.to_text(reports.single.findings, model.inputs.routing_kinds, unread_backends(model.ingresses),
                              inside(reports.single), model.inputs.unapplied_policies)
        return text + not_rendered_text(reports.not_rendered)
    routing: Counter = Counter()
    unapplied: Counter = Counter()
    for _, report in reports.reports:
        routing.update(dict(report.model.inputs.routing_kinds))
        unapplied.update(dict(report.model.inputs.unapplied_policies))
    blocks = [single.skipped_routing(tuple(sorted(routing.items())))] if routing else []
    if unapplied:
        blocks.append("note: " + policy_notice.unapplied(tuple(sorted(unapplied.items()))))
    blocks += list(dict.fromkeys(single.unread_backend(*pair) for _, report in reports.reports
                                 for pair in unread_backends(report.model.ingresses)))
    blocks += list(dict.fromkeys(single.router_inside(*pair) for _, report in reports.reports
                                 for pair in inside(report)))
    for environment, group in groupby(tagged(reports), key=lambda pair: pair[0]):
        for _, by_file in groupby(group, key=lambda pair: pair[1].file):
            blocks.append("\n".join(single._text_line(_in(environment, f)) for _, f in by_file))
    return "\n\n".join(blocks + [summary(reports)]) + "\n" + not_rendered_text(reports.not_rendered)


def inside(report: Report) -> list[tuple[Object, str]]:
    """The routers whose controller is reached only inside the cluster, with why."""
    notes = report.analysis.router_notes
    return [(report.graph.nodes[i], note) for i, note in notes.items()
            if note.startswith(INSIDE) and hasattr(report.graph.nodes.get(i), "file")]


def summary(reports: EnvironmentReports) -> str:
    """The overall count, then one line per environment."""
    everything = [f for _, f in tagged(reports)]
    lines = [single.summary(everything).rstrip(".") + f" ({_count(len(reports.reports), 'environment')})"
             if everything else f"No findings in {_count(len(reports.reports), 'environment')}."]
    for environment, report in reports.reports:
        counts = Counter(f.severity for f in report.findings)
        parts = ", ".join(single._count(counts[s], s) for s in ("error", "warning", "info") if counts[s])
        lines.append(f"  {visible(environment.name)}: {parts or 'no findings'}")
    for environment in reports.empty:
        lines.append(f"  {visible(environment.name)}: holds no manifest svcdocs reads")
    return "\n".join(lines)


def not_rendered_text(items: Iterable[NotRendered]) -> str:
    items = list(items)
    if not items:
        return ""
    lines = [f"\nNot rendered ({len(items)}):"]
    several = len({item.environment for item in items}) > 1  # which environment, where it differs
    lines += [f"  {f'[{visible(item.environment)}] ' if several and item.environment else ''}"
              f"{visible(str(item)).replace('svcdocs <command> -', 'svcdocs check -')}" for item in items]
    return "\n".join(lines) + "\n"


def to_json(reports: EnvironmentReports) -> str:
    if reports.single is not None:
        document = {"schema": single.SCHEMA, "findings": [finding_json(f) for f in reports.single.findings]}
    else:
        document = {"schema": single.SCHEMA,
                    "findings": [{**finding_json(f), "environment": e} for e, f in tagged(reports)]}
    if reports.not_rendered:
        document["not_rendered"] = [not_rendered_json(n) for n in reports.not_rendered]
    return dumps(document)


def to_github(reports: EnvironmentReports, root: str) -> str:
    if reports.single is not None:
        text = single.to_github(reports.single.findings, root)
    else:
        text = single.to_github([_in(e, f) for e, f in tagged(reports)], root)
    for item in reports.not_rendered:
        text += f"::notice title=svcdocs not rendered::{single._github_data(visible(str(item)))}\n"
    return text


def to_sarif(reports: EnvironmentReports, root: str) -> dict:
    """The SARIF document (before `sarif.fit_code_scanning` and `sarif.dumps`)."""
    if reports.single is not None:
        document = sarif.sarif_document(reports.single.findings, root)
    else:
        pairs = tagged(reports)
        document = sarif.sarif_document([_in(e, f) for e, f in pairs], root, environments=[e for e, _ in pairs])
    if reports.not_rendered:
        document["runs"][0]["invocations"] = [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [{
                "level": "warning",
                "message": {"text": f"{item.what} not rendered: {item.reason}"
                            + (f"; instead: {item.instead}" if item.instead else "")},
                **({"locations": [{"physicalLocation": {"artifactLocation": sarif.artifact(item.file, root),
                                                        "region": {"startLine": item.line}}}]}
                   if os.path.isfile(item.file) else {}),
            } for item in reports.not_rendered],
        }]
    return document


def _count(n: int, noun: str) -> str:
    return single._count(n, noun)
