"""The entry points diagram (the Exposure page): every way in, from its source
through its router and Service to the workloads."""

from __future__ import annotations

from collections import defaultdict

from svcdocs.render.site.spec.builder import Builder, first_edges, first_hops, graph_edges
from svcdocs.render.site.spec.diagram import (ENTRY_LEVELS, SOURCES, DiagramSpec, edges_by_part, make_spec, pack,
                                              part_titles)
from svcdocs.render.site.spec.fanout import fold


def exposure_diagrams(b: Builder, page: str = "exposure.md") -> list[DiagramSpec]:
    """Every way in: source -> router -> Service -> workloads, by namespace."""
    entries = b.report.analysis.entrypoints
    services = list(dict.fromkeys(entry.service for entry in entries if entry.service))
    selects = [e for service in services for e in b.graph.edges_from(service, "selects")]
    folding = fold(b, selects, [], keep={hop for entry in entries for hop in (entry.via, *first_hops(entry))})
    drawn_with: dict[str, dict[str, None]] = defaultdict(dict)  # a Service -> the nodes drawn for what it selects
    for e in selects:
        drawn_with[e.source].update((n, None) for n in folding.instead(e.source, e.target) if n != e.source)
    groups: dict[tuple, list[str]] = defaultdict(list)
    for entry in entries:
        target = entry.service or entry.via
        ns = b.graph.nodes[target].namespace
        members = [SOURCES[entry.level][0], *entry.gateways, entry.via,
                   *(drawn_with[entry.service] if entry.service else entry.workloads)]
        if entry.service:
            members.append(entry.service)
        groups[(ns, target)] += members
    parts = pack(tuple(dict.fromkeys(m)) for _, m in sorted(groups.items()))
    folded_selects = edges_by_part(folding.edges, parts)
    # The Exposure page's tables, one per level: the first.
    table = (page, next(level for level in ENTRY_LEVELS if any(e.level == level for e in entries))) \
        if entries else None
    specs = []
    for (key, title, caption), scope, part_selects in zip(part_titles("exposure", "Entry points", len(parts)), parts,
                                                          folded_selects):
        objects = {n for n in scope if n in b.graph.nodes and n != "Internet"}
        nodes = [b.node(n) for n in objects] + [folding.nodes[n] for n in sorted(scope) if n in folding.nodes]
        sources, entry_edges = first_edges(b, objects)
        edges = entry_edges + graph_edges(b, objects, ("routes", "attaches")) + part_selects
        clusters = [b.cluster(ns) for ns in {n.cluster for n in nodes if n.cluster}]
        specs.append(make_spec(key, title, page, nodes + sources, edges, clusters, caption, table=table))
    return specs

