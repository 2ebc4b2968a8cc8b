"""`svcdocs diff --format json`: the review's content for tools (schema
`svcdocs.review/v1`), with entry points, edges and findings in the same form as
the `svcdocs.graph/v1` document."""

from __future__ import annotations

from typing import Any

from svcdocs.analysis.reach.ports import text as conn_text
from svcdocs.render.graph_json import edge_json, entrypoint_json, finding_json
from svcdocs.review import Review, Unseen, verdict

SCHEMA = "svcdocs.review/v1"


def unseen_json(unseen: Unseen) -> dict[str, Any]:
    return {"file": unseen.file, "line": unseen.line or None, "kind": unseen.kind, "reason": unseen.reason}


def review_document(review: Review, base: str, head: str) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "base": base,
        "head": head,
        "verdict": verdict(review),
        "more_exposed": review.more_exposed,
        "unjudged": review.unjudged,
        "fails": review.fails,
        "notes": list(review.notes),
        "rendering": [{"path": c.path, "before": c.before, "after": c.after} for c in review.renderings],
        "base_not_rendered": list(review.base_unrendered),
        "unseen": [unseen_json(u) for u in review.unseen],
        "toward_absent": [entrypoint_json(e) for e in review.toward_absent],
        "not_read": [{"change": c.change, "file": c.file, "reason": c.reason} for c in review.unread],
        "unmodelled": [{"change": c.change, "object": c.object, "kind": c.kind, "inert": c.inert}
                       for c in review.unmodelled],
        "exposure": [{
            "object": c.object, "kind": c.kind, "before": c.before, "after": c.after, "raised": c.raised,
            "reasons_before": list(c.reasons_before), "reasons_after": list(c.reasons_after),
            "admitted_before": c.admitted_before, "admitted_after": c.admitted_after,
        } for c in review.exposure],
        "reach": [{
            "change": c.change, "workloads": list(c.targets), "namespace": c.namespace, "sources": list(c.sources),
            "source_kind": c.source_kind, "conn": conn_text(c.conn), "from_outside": c.from_outside,
            "because": [{"policy": p, "change": change} for p, change in c.because],
        } for c in review.reach],
        "entrypoints": [{"change": c.change, **entrypoint_json(c.entry)} for c in review.entrypoints],
        "objects": [{
            "change": c.change, "object": c.object, "kind": c.kind, "neutral": c.neutral,
            "fields": [{"field": f.field, "before": f.before, "after": f.after} for f in c.fields],
        } for c in review.objects],
        "edges": [{"change": c.change, **edge_json(c.edge), **({"before": edge_json(c.before)} if c.before else {})}
                  for c in review.edges],
        "findings": [{"change": c.change, **finding_json(c.finding)} for c in review.findings],
        **({"charts": [chart_json(c) for c in review.charts]} if review.charts else {}),
        "graph": {
            "nodes": [{"id": n.id, "kind": n.kind, "status": n.status, "type": n.type, "before": n.before,
                       "after": n.after} for n in review.part.nodes],
            "edges": [{"status": e.status, **edge_json(e.edge)} for e in review.part.edges],
        },
    }


def chart_json(change) -> dict[str, Any]:
    """A chart bump (review.charts.ChartChange): versions, and what the new chart changes."""
    return {"release": change.release, "chart": change.chart, "before": change.before, "after": change.after,
            "values_changed": change.values_changed, "objects": [o.object for o in change.objects],
            "entrypoints": [{"change": e.change, **entrypoint_json(e.entry)} for e in change.entrypoints],
            "findings": [{"change": f.change, **finding_json(f.finding)} for f in change.findings]}
