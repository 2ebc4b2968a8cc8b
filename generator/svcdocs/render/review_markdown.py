"""`svcdocs diff --format markdown`: the review as one pull-request comment.

The comment leads with a one-line verdict, then the exposure changes, the entry
points, a Mermaid diagram of the changed part of the graph, and the details in
collapsible sections. It stays under GitHub's 65,536-character limit: when the
whole comment is longer, the least important parts go first (the diagram's
unchanged context, the list of changed edges, the diagram, then rows of the
tables from the bottom up) and the comment says what was left out. Every text
from a manifest is escaped; the words and layout are in
templates/review/comment.md.j2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Callable

from svcdocs.render.escape import markdown_text
from svcdocs.render.review_charts import chart_sections
from svcdocs.render.review_mermaid import MAX_CHARS, MAX_EDGES, edge_summary, fits, flowchart
from svcdocs.render.templates import environment
from svcdocs.analysis.reach.ports import ALL
from svcdocs.analysis.reach.ports import text as conn_text
from svcdocs.review import Change, EntryPointChange, ExposureChange, FieldChange, ReachChange, Review, verdict
from svcdocs.review.readable import ROUTE, where

MARKER = "<!-- svcdocs-review -->"
LIMIT = 65_536  # GitHub's limit on a comment; measured in UTF-8 bytes, which are never fewer than characters
SUMMARY_LIMIT = 1 << 20  # GitHub's limit on a step's job summary (1 MiB)
LIMIT_NAMES = {LIMIT: "GitHub's limit of 65,536 characters", SUMMARY_LIMIT: "the job summary's limit of 1 MiB"}
MAX_FIELDS = 8  # changed fields listed per object
MAX_WORKLOADS = 5  # workloads listed per entry point
MAX_NEUTRAL = 3  # objects named per kind of change that never changes what can reach what
SIGNS = {"added": "➕", "removed": "➖", "changed": "✏️", "new": "➕", "resolved": "✔️", "raised": "⬆️", "lowered": "⬇️",
         "gained": "🔓", "lost": "🔒"}
_BLANK_LINES = re.compile(r"\n{3,}")  # the template's optional parts leave runs of them
SECTIONS = ("exposure", "entrypoints", "reach", "objects", "edges", "findings", "unread", "unmodelled")
# Tables whose rows go when the comment is too long, least important first.
ROW_CUTS = ("objects", "findings", "reach", "entrypoints", "exposure", "unmodelled", "unread")
TITLES = {"exposure": "exposure changes", "entrypoints": "entry points", "reach": "reachability changes",
          "objects": "objects", "edges": "edges", "findings": "findings", "unread": "files not read",
          "unmodelled": "objects of kinds svcdocs does not model"}
CHANGES = {"entrypoints": ("added", "removed"), "reach": ("gained", "lost"), "objects": ("added", "removed", "changed"),
           "edges": ("added", "removed", "changed"), "findings": ("new", "resolved"),
           "unread": ("added", "removed"), "unmodelled": ("added", "removed", "changed")}
MAX_TARGETS = 5  # workloads named in one row of reachability changes
MAX_TOP_LINES = 20  # lines of one list at the top of the comment


@dataclass(frozen=True)
class Cut:
    """What the comment leaves out to fit the limit."""

    context: bool = False  # the diagram's unchanged context
    edges: bool = False  # the list of changed edges
    diagram: bool = False
    rows: dict[str, int] = field(default_factory=dict)  # section -> rows shown at most


def comment(review: Review, base: str, head: str, limit: int = LIMIT, *, title: str | None = None,
            marker: str = MARKER) -> str:
    """The comment for a review of `base` (BASE's label) against `head`. A
    section of a longer comment (one environment's) has its own `title`, no
    marker, and no footer when `base` and `head` are empty."""
    rows = {name: list(_ROWS[name](review)) for name in SECTIONS}
    fixed = {"marker": marker, "verdict": markdown_text(title or verdict(review)), "empty": review.empty,
             "base": markdown_text(base), "head": markdown_text(head), "counts": _counts(rows),
             "neutral": _neutral_line(review),
             "limit": LIMIT_NAMES.get(limit, f"a limit of {limit:,} bytes"),
             "warnings": [markdown_text(c.sentence()) for c in review.renderings],
             "toward_absent": top_lines([markdown_text(way_in_toward(e)) for e in review.toward_absent]),
             "unseen": top_lines([markdown_text(u.sentence()) for u in review.unseen]),
             "notes": [markdown_text(note) for note in review.notes],
             "charts": chart_sections(review, display),
             "unrendered": [markdown_text(sentence) for sentence in review.base_unrendered],
             "unjudged_pass": not review.fail_on_unmodelled,
             "unmodelled_inert": all(c.inert for c in review.unmodelled)}
    render = partial(_render, review, fixed, rows,
                     (flowchart(review.part), flowchart(review.part.without_context())))
    cut = Cut()
    text = render(cut)
    steps = (("context", any(n.status == "context" for n in review.part.nodes)),
             ("edges", bool(review.edges)), ("diagram", bool(review.part.edges)))
    for name, applies in steps:
        if _size(text) < limit:
            return text
        if applies:
            cut = replace(cut, **{name: True})
            text = render(cut)
    for name in ROW_CUTS:
        if _size(text) < limit:
            return text
        cut, text = _shorten(render, cut, text, name, len(rows[name]), limit)
    return text


def _shorten(render: Callable[[Cut], str], cut: Cut, text: str, name: str, total: int, limit: int) -> tuple[Cut, str]:
    """The most rows of one table that fit, from the size of an average row:
    a few renders, not one per row."""
    if not total:
        return cut, text
    without = replace(cut, rows={**cut.rows, name: 0})
    text_without = render(without)
    if _size(text_without) >= limit:
        return without, text_without
    shown = min(total - 1, int((limit - 1 - _size(text_without)) * total / (_size(text) - _size(text_without))))
    while shown > 0:
        fewer = replace(cut, rows={**cut.rows, name: shown})
        text_fewer = render(fewer)
        if _size(text_fewer) < limit:
            return fewer, text_fewer
        shown = shown * 9 // 10
    return without, text_without


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _render(review: Review, fixed: dict[str, Any], rows: dict[str, list], diagrams: tuple[str, str], cut: Cut) -> str:
    """The comment with what `cut` leaves out; `fixed` holds what no cut changes."""
    part = review.part.without_context() if cut.context else review.part
    diagram = diagrams[1] if cut.context else diagrams[0]
    too_big = not fits(part, diagram)
    sections = {name: _section(rows[name], cut.rows.get(name)) for name in SECTIONS}
    text = environment().get_template("review/comment.md.j2").render(
        **fixed, **sections,
        diagram=None if cut.diagram or too_big or not part.edges else diagram.rstrip("\n"),
        too_big={"edges": len(part.edges), "chars": len(diagram), "max_edges": MAX_EDGES, "max_chars": MAX_CHARS}
        if too_big and not cut.diagram else None,
        show_edges=not cut.edges, left_out=_left_out(rows, cut),
    )
    return _BLANK_LINES.sub("\n\n", text)


def top_lines(lines: list[str]) -> list[str]:
    """Lines said at the top of a comment, at most MAX_TOP_LINES."""
    if len(lines) <= MAX_TOP_LINES:
        return lines
    return lines[:MAX_TOP_LINES - 1] + [f"and {len(lines) - MAX_TOP_LINES + 1} more (`--format json` has every one)"]


def way_in_toward(entry) -> str:
    """`HTTPProxy default/root: root.bar.com /blog → Service default/blog:80 (internet)`."""
    where = " ".join(p for p in (entry.host, entry.path) if p) or "every host and path"
    port = f":{entry.port}" if entry.port is not None else ""
    return f"{display(entry.via)}: {where} → {display(entry.service)}{port} ({entry.level})"


def _section(rows: list, shown: int | None) -> dict[str, Any]:
    shown = len(rows) if shown is None else shown
    return {"rows": rows[:shown], "hidden": len(rows) - shown}


def _left_out(rows: dict[str, list], cut: Cut) -> list[str]:
    notes = []
    if cut.context:
        notes.append("the unchanged context of the diagram")
    if cut.edges:
        notes.append("the list of changed edges")
    if cut.diagram:
        notes.append("the diagram")
    for name, shown in cut.rows.items():
        total = len(rows[name])
        notes.append(f"{total - shown} of {total} rows of {TITLES[name]}" if shown
                     else f"all {total} rows of {TITLES[name]}" if total != 1 else f"the one row of {TITLES[name]}")
    return notes


def _counts(rows: dict[str, list[dict]]) -> dict[str, int]:
    """`raised`, `lowered`, and `<section>_<change>` (`objects_added`) for every
    section and change: of the rows of each table, so that a heading counts
    what its table lists."""
    counts = {change: sum(1 for r in rows["exposure"] if r["tally"] == change) for change in ("raised", "lowered")}
    for name, changes in CHANGES.items():
        for change in changes:
            counts[f"{name}_{change}"] = sum(1 for r in rows[name] if r["tally"] == change)
    return counts


# --- Rows: every cell escaped here, so the template only lays them out -------

def _exposure_rows(review: Review):
    for c in review.exposure:
        yield {
            "tally": "raised" if c.up else "lowered",
            "sign": SIGNS["raised" if c.up else "lowered"],
            "object": markdown_text(display(c.object)),
            "before": _admitted(c.before, c.admitted_before) if c.before else "—",
            "after": _admitted(f"**{c.after}**" if c.raised else c.after, c.admitted_after, c.after)
            if c.after else "— (removed)",
            "through": _through(c),
        }


def _admitted(shown: str, admitted: str | None, declared: str | None = None) -> str:
    """A declared level, and what the NetworkPolicies admit when that differs."""
    declared = declared or shown
    if admitted is None or admitted == declared:
        return shown
    return f"{shown} (NetworkPolicies admit: {admitted})"


def _through(change: ExposureChange) -> str:
    reasons = ", ".join(markdown_text(display(r)) for r in change.reasons_after)
    if change.raised or not change.reasons_before:
        return reasons
    gone = ", ".join(markdown_text(display(r)) for r in change.reasons_before if r not in change.reasons_after)
    return "; ".join(p for p in (reasons, f"no longer {gone}" if gone else "") if p)


def _entrypoint_rows(review: Review):
    for c in review.entrypoints:
        entry = c.entry
        workloads = [markdown_text(display(w)) for w in entry.workloads]
        if len(workloads) > MAX_WORKLOADS:
            workloads[MAX_WORKLOADS:] = [f"and {len(workloads) - MAX_WORKLOADS} more"]
        yield {
            "tally": c.change,
            "sign": SIGNS[c.change],
            "level": entry.level,
            "via": markdown_text(_way_in(c)),
            "route": markdown_text(_route(entry)),
            "workloads": ", ".join(workloads) or "none",
        }


def _route(entry) -> str:
    """`shop.example.com/api → shop/api:8080` for a router's way in; the Service:port for the others."""
    target = f"{display(entry.service, kind=False)}:{entry.port}" if entry.service else f"port {entry.port}"
    if entry.kind not in ("ingress", "route"):
        return target
    return f"{where(entry.host, entry.path)} → {target if entry.service else display(entry.workloads[0])}" \
        if entry.service or entry.workloads else where(entry.host, entry.path)


def _way_in(change: EntryPointChange) -> str:
    entry = change.entry
    if entry.kind in ("ingress", "route"):
        return display(entry.via)
    if entry.kind == "nodeport":
        return f"NodePort {entry.node_port}" if entry.node_port else "NodePort"
    return {"loadbalancer": "LoadBalancer", "external-ip": "externalIPs", "host-port": "hostPort"}[entry.kind]


def _object_rows(review: Review):
    """Objects added, removed, or changed in what can reach what (the rest is one line)."""
    for c in review.objects:
        if not c.neutral:
            yield {"tally": c.change, "sign": SIGNS[c.change], "object": markdown_text(display(c.object)),
                   "what": _what(c)}


def _what(change: Change) -> str:
    fields = [f for f in change.fields if not f.neutral]
    if change.change != "changed":  # what an added or removed router or policy opens
        lines = [change.change] + [_opened(f) for f in fields[:MAX_FIELDS]]
    else:
        lines = [_field(f) for f in fields[:MAX_FIELDS]]
    if len(fields) > MAX_FIELDS:
        lines.append(f"and {len(fields) - MAX_FIELDS} more")
    return "<br>".join(lines)


def _field(change: FieldChange) -> str:
    """`type: ClusterIP → LoadBalancer`; a route added or removed as `➕ route host/path → Service:port`."""
    if change.field == ROUTE:
        return f"{SIGNS['removed'] if change.after is None else SIGNS['added']} route " \
               f"{markdown_text(change.before if change.after is None else change.after)}"
    return f"{markdown_text(change.field)}: {_value(change.before)} → {_value(change.after)}"


def _opened(change: FieldChange) -> str:
    text = markdown_text(change.after if change.before is None else change.before)
    return f"route {text}" if change.field == ROUTE else f"{markdown_text(change.field)}: {text}"


def _neutral_line(review: Review) -> str:
    """The changes that never change what can reach what, in one line: by what
    they are, each with its objects (and, for one, before and after)."""
    by_kind: dict[str, list[tuple[str, object]]] = {}
    for c in review.objects:
        for f in c.fields:
            if f.neutral:
                by_kind.setdefault(f.neutral, []).append((c.object, f))
    parts = []
    for kind, items in by_kind.items():
        objects = list(dict.fromkeys(o for o, _ in items))
        if len(items) == 1:
            (obj, f), = items
            parts.append(f"{kind} of {markdown_text(display(obj))} ({_value(f.before)} → {_value(f.after)})")
            continue
        shown = ", ".join(markdown_text(display(o)) for o in objects[:MAX_NEUTRAL])
        more = f" and {len(objects) - MAX_NEUTRAL} more" if len(objects) > MAX_NEUTRAL else ""
        parts.append(f"{kind if kind.endswith('s') else kind + 's'} of {shown}{more}")
    return "; ".join(parts)


def _value(text: str | None) -> str:
    return "—" if text is None or text == "" else markdown_text(text)


def _edge_rows(review: Review):
    for c in review.edges:
        edge = markdown_text(_edge_detail(c.edge))
        if c.before is not None:
            edge = f"{markdown_text(_edge_detail(c.before))} → {edge}"
        yield {"tally": c.change, "sign": SIGNS[c.change], "source": markdown_text(display(c.edge.source)), "edge": edge,
               "target": markdown_text(display(c.edge.target))}


def _edge_detail(edge) -> str:
    """An edge's summary, with the port mapping of `selects` and the variables of `calls`."""
    parts = [edge_summary(edge)]
    parts += [f"{p.port}→{p.target_port}→{p.container_port if p.container_port is not None else '?'}"
              for p in edge.ports]
    if edge.env:
        parts.append("through " + ", ".join(edge.env))
    return " ".join(parts)


def _finding_rows(review: Review):
    for c in review.findings:
        f = c.finding
        yield {"tally": c.change, "sign": SIGNS[c.change], "severity": f.severity, "rule": markdown_text(f.rule),
               "object": markdown_text(display(f.object)), "message": markdown_text(f.message),
               "where": markdown_text(f"{f.file}:{f.line}")}


def _unread_rows(review: Review):
    for c in review.unread:
        yield {"tally": c.change, "sign": SIGNS[c.change], "file": markdown_text(c.file),
               "why": markdown_text(c.reason)}


def _unmodelled_rows(review: Review):
    for c in review.unmodelled:
        yield {"tally": c.change, "sign": SIGNS[c.change], "object": markdown_text(display(c.object)),
               "kind": markdown_text(c.kind),
               "change": c.change + (" (a kind that opens no way in)" if c.inert else "")}


def _reach_rows(review: Review):
    for c in review.reach:
        targets = [markdown_text(display(t)) for t in c.targets]
        if len(targets) > MAX_TARGETS:
            targets[MAX_TARGETS:] = [f"and {len(targets) - MAX_TARGETS} more"]
        yield {
            "tally": c.change,
            "sign": SIGNS[c.change],
            "targets": ", ".join(targets) if len(c.targets) == 1 else
            f"{len(c.targets)} workloads of {markdown_text(c.namespace)}: {', '.join(targets)}",
            "change": "now reachable from" if c.change == "gained" else "no longer reachable from",
            "source": markdown_text(_reach_source(c)),
            "ports": markdown_text("every port" if c.conn == ALL else conn_text(c.conn)),
            "because": ", ".join(f"{markdown_text(display(p))} {change}" for p, change in c.because),
        }


def _reach_source(change: ReachChange) -> str:
    if change.source_kind == "internet":
        return "the internet"
    if change.source_kind == "any":
        return "any pod of any namespace"
    shown = list(change.sources[:MAX_TARGETS])
    more = f" and {len(change.sources) - MAX_TARGETS} more" if len(change.sources) > MAX_TARGETS else ""
    if change.source_kind == "namespace":
        return f"every pod of namespace{'s' * (len(change.sources) > 1)} {', '.join(shown)}{more}"
    return ", ".join(display(s) for s in shown) + more


_ROWS = {"exposure": _exposure_rows, "entrypoints": _entrypoint_rows, "reach": _reach_rows, "objects": _object_rows,
         "edges": _edge_rows, "findings": _finding_rows, "unread": _unread_rows, "unmodelled": _unmodelled_rows}


def display(object_id: str, kind: bool = True) -> str:
    """`Service/shop/web` as `Service shop/web` (or `shop/web`); other text as it is."""
    parts = object_id.split("/", 2)
    if len(parts) != 3:
        return object_id if len(parts) == 1 or not kind else " ".join(parts)
    name = f"{parts[1]}/{parts[2]}" if parts[1] else parts[2]
    return f"{parts[0]} {name}" if kind else name
