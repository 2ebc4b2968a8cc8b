"""The changed part of the graph as a Mermaid flowchart: added nodes and edges
green with "+", removed red, dashed, with "−", changed amber, unchanged ones
grey. GitHub draws at most 500 edges and 50,000 characters; past that the
caller falls back to a table."""

from __future__ import annotations

from svcdocs.graph import Edge
from svcdocs.render.escape import mermaid_text
from svcdocs.review import ENTRY, ChangedPart, PartNode
from svcdocs.review.readable import where as route_where

MAX_EDGES = 500
MAX_CHARS = 50_000

SIGNS = {"added": "+ ", "removed": "− ", "changed": "~ "}
ARROWS = {"added": "==>", "removed": "-.->", "changed": "-->", "context": "-->"}
NODE_STYLES = {
    "added": "fill:#dafbe1,stroke:#1a7f37,color:#0f5323,stroke-width:2px",
    "removed": "fill:#ffebe9,stroke:#cf222e,color:#82071e,stroke-width:2px,stroke-dasharray:5 5",
    "changed": "fill:#fff8c5,stroke:#9a6700,color:#4d2d00,stroke-width:2px",
    "context": "fill:#f6f8fa,stroke:#d0d7de,color:#8c959f",
}
# An unchanged end of a changed edge looks like the rest of the unchanged context.
NODE_CLASS = {"touched": "context"}
LINK_STYLES = {
    "added": "stroke:#1a7f37,stroke-width:2px",
    "removed": "stroke:#cf222e,stroke-width:2px,stroke-dasharray:5 5",
    "changed": "stroke:#9a6700,stroke-width:2px",
    "context": "stroke:#d0d7de",
}


def flowchart(part: ChangedPart) -> str:
    ids = {node.id: f"n{i}" for i, node in enumerate(part.nodes)}
    lines = ["flowchart LR"]
    lines += [f'  {ids[node.id]}["{_node_label(node)}"]' for node in part.nodes]
    for e in part.edges:
        label = SIGNS.get(e.status, "") + edge_summary(e.edge)
        lines.append(f'  {ids[e.edge.source]} {ARROWS[e.status]}|"{mermaid_text(label)}"| {ids[e.edge.target]}')
    for status, style in NODE_STYLES.items():
        members = [ids[n.id] for n in part.nodes if NODE_CLASS.get(n.status, n.status) == status]
        if members:
            lines.append(f"  classDef {status} {style}")
            lines.append(f"  class {','.join(members)} {status}")
    for status, style in LINK_STYLES.items():
        links = [str(i) for i, e in enumerate(part.edges) if e.status == status]
        if links:
            lines.append(f"  linkStyle {','.join(links)} {style}")
    return "\n".join(lines) + "\n"


def fits(part: ChangedPart, source: str) -> bool:
    return len(part.edges) <= MAX_EDGES and len(source) <= MAX_CHARS


def _node_label(node: PartNode) -> str:
    kind = node.kind + (f" ({node.type})" if node.type else "")
    lines = [SIGNS.get(node.status, "") + kind]
    if node.kind not in ("Internet",):
        lines.append(f"{node.namespace}/{node.name}" if node.namespace else node.name)
    if node.before != node.after:
        lines.append(f"{node.before or '—'} → {node.after or '—'}")
    elif node.after:
        lines.append(node.after)
    return "<br/>".join(mermaid_text(line) for line in lines)


def edge_summary(edge: Edge) -> str:
    """The edge's kind with where it leads: `routes shop.example.com/api :80`."""
    if edge.kind == ENTRY:
        return "way in"
    where = route_where(edge.host, edge.path) if edge.kind == "routes" else (edge.host or "") + (edge.path or "")
    parts = [edge.kind, where, f":{edge.port}" if edge.port is not None else "",
             f"listener {edge.listener}" if edge.listener else ""]
    return " ".join(p for p in parts if p)
