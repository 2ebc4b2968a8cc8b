"""`svcdocs graph --format dot|mermaid`: the whole graph as text, one cluster per
namespace, the Internet node joined to every entry point."""

from __future__ import annotations

from collections import defaultdict

from svcdocs.pipeline import Report
from svcdocs.render.escape import dot_string, mermaid_text
from svcdocs.render.palette import LEVEL_COLOURS, NEUTRAL

EDGE_STYLES = {
    "routes": "solid", "attaches": "dotted", "selects": "solid", "configures": "dotted",
    "aliases": "solid", "calls": "dashed", "isolates": "dotted",
}


def _entry_edges(report: Report) -> list[tuple[str, str]]:
    """Internet (or the node network) to each entry point's first hop."""
    return sorted({("Internet", e.via) for e in report.analysis.entrypoints})


def _by_namespace(report: Report) -> dict[str, list]:
    groups: dict[str, list] = defaultdict(list)
    for node in report.graph.nodes.values():
        groups[node.namespace].append(node)
    return dict(sorted(groups.items()))


def _label(node, report: Report) -> list[str]:
    """Lines of a node's label: kind (and Service type), name, exposure level."""
    level = report.analysis.level(node.id)
    detail = getattr(node, "type", None) if node.kind == "Service" else None
    parts = [node.kind + (f" ({detail})" if detail else ""), node.name]
    if level:
        parts.append(level)
    return parts


def _dot_lines(parts: list[str]) -> str:
    return '"' + "\\n".join(dot_string(p)[1:-1] for p in parts) + '"'


def to_dot(report: Report) -> str:
    lines = ["digraph svcdocs {", '  rankdir="LR";', '  node [shape="box", style="rounded"];']
    for namespace, nodes in _by_namespace(report).items():
        indent = "  "
        if namespace:
            lines.append(f"  subgraph {dot_string('cluster_' + namespace)} {{")
            lines.append(f"    label={dot_string(namespace)};")
            indent = "    "
        for node in nodes:
            colour = LEVEL_COLOURS.get(report.analysis.level(node.id) or "", NEUTRAL)[0]
            lines.append(f"{indent}{dot_string(node.id)} [label={_dot_lines(_label(node, report))}, color={dot_string(colour)}];")
        if namespace:
            lines.append("  }")
    for source, target in _entry_edges(report):
        lines.append(f"  {dot_string(source)} -> {dot_string(target)} [color=\"{LEVEL_COLOURS['internet'][0]}\"];")
    for edge in report.graph.edges:
        label = " ".join(str(p) for p in (edge.host, edge.path, edge.port) if p is not None)
        attrs = [f"label={dot_string(edge.kind + (' ' + label if label else ''))}", f"style={EDGE_STYLES[edge.kind]}"]
        lines.append(f"  {dot_string(edge.source)} -> {dot_string(edge.target)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(report: Report) -> str:
    ids = {node_id: f"n{i}" for i, node_id in enumerate(report.graph.nodes)}
    lines = ["flowchart LR"]
    for namespace, nodes in _by_namespace(report).items():
        indent = "  "
        if namespace:
            lines.append(f'  subgraph ns_{ids[nodes[0].id]}["{mermaid_text(namespace)}"]')
            indent = "    "
        for node in nodes:
            label = "<br/>".join(mermaid_text(p) for p in _label(node, report))
            lines.append(f'{indent}{ids[node.id]}["{label}"]')
        if namespace:
            lines.append("  end")
    for source, target in _entry_edges(report):
        lines.append(f"  {ids[source]} ==> {ids[target]}")
    for edge in report.graph.edges:
        label = " ".join(str(p) for p in (edge.kind, edge.host, edge.path, edge.port) if p is not None)
        arrow = "-.->" if EDGE_STYLES[edge.kind] != "solid" else "-->"
        lines.append(f'  {ids[edge.source]} {arrow}|"{mermaid_text(label)}"| {ids[edge.target]}')
    for level, (colour, _) in LEVEL_COLOURS.items():
        members = [ids[n] for n in report.graph.nodes if report.analysis.level(n) == level]
        if members:
            lines.append(f"  classDef {level} stroke:{colour},stroke-width:2px")
            lines.append(f"  class {','.join(members)} {level}")
    return "\n".join(lines) + "\n"
