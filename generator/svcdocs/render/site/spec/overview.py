"""The overview (the home page): the sources, one node per namespace and how
each is reached, the calls between namespaces and the names outside the
cluster; past a dozen namespaces, a map of them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from svcdocs.analysis import RANK, EntryPoint
from svcdocs.model import Service, Workload
from svcdocs.render.site.spec.builder import Builder, entry_label, kind_label
from svcdocs.render.site.spec.diagram import ENTRY_LEVELS, MAX_NODES, SOURCES, DiagramSpec, Edge, Node, make_spec

OVERVIEW_EXTERNALS_PER_NAMESPACE = 3
COMPACT_NAMESPACES = 12  # past this many namespaces, the overview is a map (a grid)
GRID_COLUMNS = 6
NAMESPACES_TABLE = ("namespaces/index.md", "")  # each namespace's exposure and ways in
ENTRY_WORDS = {"ingress": "Ingress host", "route": "route host", "loadbalancer": "LoadBalancer",
               "external-ip": "externalIP Service", "nodeport": "NodePort", "host-port": "hostPort workload"}


def overview_diagram(b: Builder, page: str = "index.md") -> DiagramSpec:
    """The sources, one node per namespace, how each is reached, the calls
    between namespaces and the names outside the cluster. Past
    COMPACT_NAMESPACES namespaces, a map instead: a grid of namespaces, each
    saying how many ways lead in and coloured by how far out it is reached."""
    ways_in: dict[tuple[str, str], list[EntryPoint]] = defaultdict(list)
    for entry in b.report.analysis.entrypoints:
        ways_in[(entry.level, b.graph.nodes[entry.service or entry.via].namespace)].append(entry)
    if len(b.sitemap.namespaces) > COMPACT_NAMESPACES:
        return _overview_map(b, ways_in, page)
    nodes = [_namespace_node(b, ns) for ns in sorted(b.sitemap.namespaces)]
    edges = []
    for (level, namespace), entries in sorted(ways_in.items()):
        nodes.append(b.source(level))
        label = tuple(dict.fromkeys(_way_in(b.graph, e) for e in entries))
        edges.append(Edge(SOURCES[level][0], f"namespace/{namespace}", "entry", label, level))
    externals, alias_edges = _overview_externals(b)
    return make_spec("overview", "Overview", page, nodes + externals, edges + _namespace_calls(b) + alias_edges, (),
                     table=NAMESPACES_TABLE)


def _overview_map(b: Builder, ways_in: dict[tuple[str, str], list[EntryPoint]], page: str) -> DiagramSpec:
    by_namespace: dict[str, list[EntryPoint]] = defaultdict(list)
    reached: dict[str, set[str]] = defaultdict(set)
    for (level, namespace), entries in ways_in.items():
        by_namespace[namespace] += entries
        reached[level].add(namespace)
    namespaces = sorted(b.sitemap.namespaces, key=lambda ns: (not by_namespace.get(ns), ns))
    nodes = [_namespace_node(b, ns, _way_in_counts(by_namespace.get(ns, []))) for ns in namespaces]
    if len(nodes) > MAX_NODES - len(reached):
        folded = len(nodes) - (MAX_NODES - len(reached) - 1)
        nodes = nodes[:MAX_NODES - len(reached) - 1] + [
            Node("namespace/...", "More", (f"{folded} more namespaces",), level="cluster",
                 link=("namespaces/index.md", ""), tooltip="The other namespaces: see the Namespaces page")]
    sources = []
    for level in ENTRY_LEVELS:
        if reached.get(level):
            source = b.source(level)
            count = len(reached[level])
            sources.append(replace(source, label=(*source.label, f"into {count} namespace{'s' * (count != 1)}")))
    return make_spec("overview", "Overview", page, sources + nodes, _namespace_calls(b), (), grid=GRID_COLUMNS,
                     table=NAMESPACES_TABLE)


def _namespace_node(b: Builder, namespace: str, ways_in: tuple[str, ...] = ()) -> Node:
    objects = [b.graph.nodes[n] for n in b.nodes_by_namespace.get(namespace, ())]
    services = [o for o in objects if isinstance(o, Service)]
    workloads = [o for o in objects if isinstance(o, Workload)]
    levels = [b.report.analysis.level(o.id) or "none" for o in (*services, *workloads)]
    level = max(levels, key=RANK.__getitem__) if levels else "none"
    counts = (f"{len(services)} Service{'s' * (len(services) != 1)}",
              f"{len(workloads)} workload{'s' * (len(workloads) != 1)}")
    return Node(
        id=f"namespace/{namespace}", kind="Namespace", label=(namespace, *counts, *ways_in), level=level,
        link=(b.sitemap.namespaces[namespace], ""),
        tooltip=f"namespace {namespace}: {', '.join((*counts, *ways_in))}, exposure {level}",
    )


def _way_in(graph, entry: EntryPoint) -> str:
    """One line of an overview edge: `Ingress web: shop.example.com`."""
    via = graph.nodes[entry.via]
    if entry.kind in ("ingress", "route"):
        return f"{kind_label(via)} {via.name}" + (f": {entry.host}" if entry.host else "")
    return entry_label(entry, via.name)


def _way_in_counts(entries: list[EntryPoint]) -> tuple[str, ...]:
    """How a namespace of a large site is reached, counted: `4 Ingress hosts`, `1 LoadBalancer`."""
    found: dict[str, set] = defaultdict(set)
    for entry in entries:
        found[ENTRY_WORDS[entry.kind]].add(entry.host if entry.kind in ("ingress", "route") else entry.via)
    return tuple(f"{len(ways)} {word}{'s' * (len(ways) != 1)}" for word, ways in sorted(found.items()))


def _namespace_calls(b: Builder) -> list[Edge]:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for edge in b.graph.edges:
        if edge.kind == "calls":
            source, target = b.graph.nodes[edge.source].namespace, b.graph.nodes[edge.target].namespace
            if source != target:
                counts[(source, target)] += 1
    return [Edge(f"namespace/{s}", f"namespace/{t}", "calls", (f"{n} call{'s' * (n != 1)}",),
                 tooltip=f"{n} workload-to-Service call{'s' * (n != 1)} from {s} to {t}")
            for (s, t), n in sorted(counts.items())]


def _overview_externals(b: Builder) -> tuple[list[Node], list[Edge]]:
    """External names, each from its namespace; a namespace with many gets one
    node that counts them."""
    by_namespace: dict[str, set[str]] = defaultdict(set)
    for edge in b.graph.edges:
        if edge.kind == "aliases":
            by_namespace[b.graph.nodes[edge.source].namespace].add(edge.target)
    nodes, edges = {}, []
    for ns, targets in sorted(by_namespace.items()):
        if len(targets) > OVERVIEW_EXTERNALS_PER_NAMESPACE:
            node = Node(f"external/{ns}", "External", (f"{len(targets)} external names",), level="egress",
                        link=(b.sitemap.namespaces[ns], ""), tooltip=f"names outside the cluster used from {ns}")
            nodes[node.id] = node
            edges.append(Edge(f"namespace/{ns}", node.id, "aliases", (), "egress"))
            continue
        for target in sorted(targets):
            nodes[target] = b.node(target)
            edges.append(Edge(f"namespace/{ns}", target, "aliases", (), "egress"))
    return list(nodes.values()), edges

