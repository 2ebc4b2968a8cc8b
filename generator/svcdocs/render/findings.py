"""`svcdocs check` output: text for a terminal, GitHub workflow commands, JSON.

Every format takes the findings already sorted by file and line.
"""

from __future__ import annotations

from collections import Counter
from itertools import groupby
from typing import Iterable

import click

from svcdocs.render.escape import visible
from svcdocs.render.graph_json import dumps, finding_json
from svcdocs.render.locations import relative_to
from svcdocs.model import Ingress, Object, ResourceBackend
from svcdocs.rules import SEVERITY_ORDER, Finding

SCHEMA = "svcdocs.findings/v1"
COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}
GITHUB_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def to_text(findings: Iterable[Finding], routing_kinds: tuple[tuple[str, int], ...] = (),
            unread: Iterable[tuple[Ingress, ResourceBackend]] = (), inside: Iterable[tuple[Object, str]] = ()) -> str:
    """`file:line: severity rule-id: message`, a blank line between files, and a
    summary. Styled with click.style; click.echo drops the colour off a terminal.
    Routing objects svcdocs skipped (`routing_kinds`) and Ingress backends of
    kinds it does not read (`unread`) are said first: the ways in they may
    open are in no finding; so are routers whose controller is reached only
    inside the cluster (`inside`: the router and why)."""
    findings = list(findings)
    blocks = [skipped_routing(routing_kinds)] if routing_kinds else []
    blocks += [unread_backend(ingress, resource) for ingress, resource in unread]
    blocks += [router_inside(router, note) for router, note in inside]
    for _, group in groupby(findings, key=lambda f: f.file):
        blocks.append("\n".join(_text_line(f) for f in group))
    return "\n\n".join(blocks + [summary(findings)]) + "\n"


def skipped_routing(routing_kinds: tuple[tuple[str, int], ...]) -> str:
    """One line on the routing objects svcdocs did not read."""
    count = sum(n for _, n in routing_kinds)
    kinds = ", ".join(f"{visible(kind)} {n}" for kind, n in routing_kinds)
    return click.style("note:", fg="yellow", bold=True) + (
        f" skipped {_count(count, 'object')} of kinds that route traffic, which svcdocs does not read ({kinds}): "
        f"the ways in they may open are not checked; describe them under router-kinds in .svcdocs.yaml")


def unread_backend(ingress: Ingress, resource: ResourceBackend) -> str:
    """One line on an Ingress backend of a kind svcdocs does not read."""
    where = f"{ingress.namespace}/{ingress.name}"
    served = f"{resource.host or ''}{resource.path or ''}" or "requests that match no rule"
    kind = f"{resource.kind} ({resource.group})" if resource.group else resource.kind
    return click.style("note:", fg="yellow", bold=True) + visible(
        f" {ingress.file}:{resource.line}: Ingress {where} sends {served} to {kind} {resource.name}, a kind svcdocs "
        f"does not read: where that traffic goes is not checked")


def router_inside(router: Object, note: str) -> str:
    """One line on a router that opens no way in: its controller is reached only inside the cluster."""
    where = f"{router.namespace}/{router.name}" if router.namespace else router.name
    return click.style("note:", fg="yellow", bold=True) + visible(
        f" {router.file}:{router.name_line}: {router.kind} {where} is {note}")


def _text_line(finding: Finding) -> str:
    where = click.style(f"{visible(finding.file)}:{finding.line}:", bold=True)
    severity = click.style(finding.severity, fg=COLOURS[finding.severity], bold=finding.severity == "error" or None)
    rule = click.style(f"{finding.rule}:", dim=True)
    return f"{where} {severity} {rule} {visible(finding.message)}"


def summary(findings: list[Finding]) -> str:
    """`3 findings in 2 files: 1 error, 2 warnings`, or `No findings.`"""
    if not findings:
        return "No findings."
    counts = Counter(f.severity for f in findings)
    parts = [_count(counts[s], s) for s in reversed(SEVERITY_ORDER) if counts[s]]
    files = len({f.file for f in findings})
    return f"{_count(len(findings), 'finding')} in {_count(files, 'file')}: {', '.join(parts)}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 or noun == "info" else f"{n} {noun}s"


def to_github(findings: Iterable[Finding], root: str) -> str:
    """GitHub Actions workflow commands: one annotation per finding, its file
    relative to the repository `root`."""
    lines = []
    for f in findings:
        file = relative_to(root, f.file) or f.file
        props = f"file={_github_property(file)},line={f.line},title={_github_property(f'svcdocs {f.rule}')}"
        lines.append(f"::{GITHUB_LEVELS[f.severity]} {props}::{_github_data(f.message)}")
    return "".join(line + "\n" for line in lines)


def _github_data(text: str) -> str:
    """A workflow command's message: control, zero-width and bidi characters as
    `\\uXXXX` (a terminal escape or a reversed run of text in a CI log would
    mislead), then GitHub's own escapes."""
    return visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def to_json(findings: Iterable[Finding]) -> str:
    return dumps({"schema": SCHEMA, "findings": [finding_json(f) for f in findings]})
