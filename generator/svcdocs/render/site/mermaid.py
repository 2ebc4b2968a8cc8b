"""A DiagramSpec as a Mermaid flowchart, for machines without Graphviz.

Mermaid renders label markup as live HTML even in strict mode, so every label
goes through `mermaid_text` (anything but plain characters becomes `#code;`),
and the whole source is HTML-escaped into the page. The site serves its own
copy of Mermaid; nothing is loaded from a CDN.
"""

from __future__ import annotations

import html
import re

from svcdocs.render.escape import mermaid_text, visible
from svcdocs.render.site import spec as s
from svcdocs.render.palette import EDGE, GHOST, GHOST_TEXT, LEVEL_COLOURS, NEUTRAL
from svcdocs.render.site.names import url_from

SHAPES = {  # opening and closing brackets by node kind
    "Internet": ("([", "])"), "Network": ("([", "])"), "Nodes": ("([", "])"),
    "Ingress": ("{{", "}}"), "Gateway": ("{{", "}}"), "External": ("[(", ")]"), "Namespace": ("[", "]"),
    "More": ("[", "]"), "Service": ("(", ")"),
}
WORKLOAD_SHAPE = ("[/", "/]")
ROUTER_SHAPE = ("{{", "}}")
# Router and gateway kinds of the families (model/routers/), by the kind part of their ids.
ROUTER_KINDS = frozenset({
    "ListenerSet", "XListenerSet", "Gateway.networking.istio.io", "VirtualService", "HTTPProxy", "IngressRoute",
    "IngressRouteTCP", "IngressRouteUDP", "TraefikService", "Route", "DomainMapping", "VirtualServer",
    "VirtualServerRoute", "TransportServer", "MultiClusterIngress",
})
LOAD_BALANCER_SHAPE = ("[[", "]]")  # a double border, as in the SVG
ARROWS = {"entry": "==>", "calls": "-.->", "aliases": "-.->"}
TYPE_STYLES = {"NodePort": "stroke-width:4px", "headless": "stroke-dasharray:6 3",
               "ExternalName": "stroke-dasharray:2 2"}
_UNSAFE_TOOLTIP = re.compile(r"[^A-Za-z0-9 ./:_@=,+-]")


def to_mermaid(spec: s.DiagramSpec) -> str:
    ids = {node.id: f"n{i}" for i, node in enumerate(spec.nodes)}
    lines = ["flowchart TB" if spec.grid else "flowchart LR"]
    lines += [_node(node, ids) for node in spec.nodes if not node.cluster]
    for i, cluster in enumerate(spec.clusters):
        lines.append(f'  subgraph c{i}["{mermaid_text(cluster.label)}"]')
        lines += ["  " + _node(node, ids) for node in spec.nodes if node.cluster == cluster.id]
        lines.append("  end")
    for edge in spec.edges:
        arrow = ARROWS.get(edge.kind, "-->")
        text = "<br/>".join(mermaid_text(line) for line in edge.label)
        label = f'|"{text}"|' if text else ""
        lines.append(f"  {ids[edge.source]} {arrow}{label} {ids[edge.target]}")
    if spec.grid:  # invisible links stack each column of the map
        rows = s.grid_rows(spec)
        lines += [f"  {ids[upper[i]]} ~~~ {ids[lower[i]]}" for upper, lower in zip(rows, rows[1:])
                  for i in range(min(len(upper), len(lower)))]
    lines += _styles(spec, ids)
    for node in spec.nodes:
        if node.link:
            tip = ": ".join(part for part in (node.tooltip, node.why) if part)
            lines.append(f'  click {ids[node.id]} href "{url_from(spec.page, *node.link)}" "{_tooltip(tip)}"')
    return "\n".join(lines) + "\n"


def _node(node: s.Node, ids: dict[str, str]) -> str:
    opening, closing = _shape(node)
    text = "<br/>".join(mermaid_text(line) for line in node.label)
    return f'  {ids[node.id]}{opening}"{text}"{closing}'


def _shape(node: s.Node) -> tuple[str, str]:
    if node.look == "LoadBalancer":
        return LOAD_BALANCER_SHAPE
    if node.kind in SHAPES:
        return SHAPES[node.kind]
    if node.kind.endswith("Route") or node.kind in ROUTER_KINDS:
        return ROUTER_SHAPE
    if node.kind in ("MultiClusterService", "ServiceEntry"):
        return SHAPES["Service"]
    return WORKLOAD_SHAPE


def _styles(spec: s.DiagramSpec, ids: dict[str, str]) -> list[str]:
    lines = []
    for level, (stroke, fill) in [*LEVEL_COLOURS.items(), ("neutral", NEUTRAL), ("ghost", GHOST)]:
        members = [ids[n.id] for n in spec.nodes if _class(n) == level]
        if members:
            dash = ",stroke-dasharray:4 3" if level == "ghost" else ""
            text = GHOST_TEXT if level == "ghost" else stroke
            lines.append(f"  classDef {level} fill:{fill},stroke:{stroke},color:{text},stroke-width:2px{dash}")
            lines.append(f"  class {','.join(members)} {level}")
    for node in spec.nodes:
        if node.look in TYPE_STYLES:
            lines.append(f"  style {ids[node.id]} {TYPE_STYLES[node.look]}")
    for i, edge in enumerate(spec.edges):
        colour, text = (LEVEL_COLOURS[edge.level][0],) * 2 if edge.level else (EDGE, GHOST_TEXT)
        lines.append(f"  linkStyle {i} stroke:{colour},color:{text}")
    return lines


def _class(node: s.Node) -> str:
    if node.look == "ghost":
        return "ghost"
    return node.level if node.level in LEVEL_COLOURS else "neutral"


def _tooltip(value: str) -> str:
    return _UNSAFE_TOOLTIP.sub(" ", visible(value))


def block(source: str) -> str:
    """The raw HTML that mkdocs-material turns into a drawing."""
    return f'<pre class="mermaid"><code>{html.escape(source)}</code></pre>'
