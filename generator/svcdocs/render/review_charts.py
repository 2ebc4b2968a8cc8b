"""The chart bumps of a review (review.charts), as the comment shows them:
a heading per release (`podinfo 6.9.2 → 6.9.3`) and one line per thing the
new chart changes in exposure, ways in, objects and findings. Every text
from a manifest is escaped here; values are never shown."""

from __future__ import annotations

from typing import Any, Callable

from svcdocs.render.escape import markdown_text
from svcdocs.review import Review

MAX_LINES = 12
SHOWN_KINDS = ("Service", "Ingress", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "Gateway", "Deployment",
               "StatefulSet", "DaemonSet", "NetworkPolicy")
VERBS = {"added": "adds", "removed": "removes", "changed": "changes"}


def chart_sections(review: Review, display: Callable[..., str]) -> list[dict[str, Any]]:
    """`display` shows an object id as the rest of the comment does (`Service shop/web`)."""
    return [{"heading": markdown_text(c.heading), "release": markdown_text(c.release), "lines": _lines(c, display),
             "values_changed": c.values_changed} for c in review.charts]


def _lines(change, display: Callable[..., str]) -> list[str]:
    lines = []
    for c in change.entrypoints:
        entry = c.entry
        where = "".join(x for x in (entry.host or "", entry.path or "") if x)
        target = f"{display(entry.service, kind=False)}:{entry.port}" if entry.service else f"port {entry.port}"
        word = "new way in" if c.change == "added" else "way in removed"
        lines.append(" ".join(x for x in (f"{word}: {markdown_text(display(entry.via))}", markdown_text(where),
                                          f"→ {markdown_text(target)} ({entry.level})") if x))
    for c in change.exposure:
        lines.append(f"{markdown_text(display(c.object))}: {c.before or 'new'} → {c.after or 'removed'}")
    for c in change.objects:
        if c.kind in SHOWN_KINDS:
            fields = f" ({markdown_text(', '.join(f.field for f in c.fields[:4]))})" if c.fields else ""
            lines.append(f"{VERBS[c.change]} {markdown_text(display(c.object))}{fields}")
    for c in change.findings:
        word = "new finding" if c.change == "new" else "resolves"
        lines.append(f"{word} {markdown_text(c.finding.rule)} on {markdown_text(display(c.finding.object))}")
    if len(lines) > MAX_LINES:
        lines[MAX_LINES:] = [f"and {len(lines) - MAX_LINES} more, in the tables below"]
    return lines or ["no change in exposure, ways in, Services, workloads or findings"]
