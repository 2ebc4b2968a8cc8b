"""Who reaches a namespace, and whom it reaches: its workloads in groups the
network policies treat alike, with the sources and destinations of each."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from svcdocs.analysis.reach import ANY_NAMESPACE, EVERY_OTHER_NAMESPACE, INTERNET
from svcdocs.analysis.reach.ports import ALL
from svcdocs.analysis.reach.ports import text as conn_text
from svcdocs.render.site.names import anchor as _anchor
from svcdocs.render.site.spec.builder import Builder, highest
from svcdocs.render.site.spec.diagram import MAX_NODES, DiagramSpec, Edge, Node, make_spec

REACH_NAMES = 3  # workload names on a group's box


def reach_diagram(b: Builder, namespace: str) -> DiagramSpec:
    """The namespace's workloads in groups the network policies treat alike,
    the sources that reach each group (the internet through ways in, any
    namespace, other namespaces, its own other pods) and the namespaces and
    outside addresses each group reaches, with the ports on the edges. It
    grows with what the policies tell apart, not with the workloads."""
    page = b.sitemap.namespaces[namespace]
    found = b.report.analysis.reach.namespace(namespace)
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    for i, members in enumerate(found.groups):
        nodes[f"group/{i}"] = _group_node(b, namespace, i, members)
    for source, i, conn in found.inbound:
        node = _reach_source(b, namespace, source)
        nodes.setdefault(node.id, node)
        edges.append(Edge(node.id, f"group/{i}", "reaches", (_conn_words(conn),),
                          "internet" if source == INTERNET else None))
    # What every group reaches alike is drawn once, from the namespace's own node.
    groups = len(found.groups)
    own = _reach_source(b, namespace, namespace)
    outbound: dict[tuple[str, object], list[int]] = defaultdict(list)
    for i, target, conn, _ in found.outbound:
        outbound[(target, conn)].append(i)
    outbound.update({("outside", conn): [i for i, c in found.outside if c == conn]
                     for conn in {c for _, c in found.outside}})
    for (target, conn), sources in sorted(outbound.items(), key=lambda item: (item[0][0], item[1])):
        if target == "outside":
            node = Node("outside", "External", ("addresses outside the cluster",), level="egress",
                        link=(page, "reachability"),
                        tooltip="Addresses outside the cluster, as the egress policies allow")
        else:
            node = _namespace_peer(b, target)
        nodes.setdefault(node.id, node)
        level = "egress" if target == "outside" else None
        if groups > 1 and len(sources) == groups:
            nodes.setdefault(own.id, own)
            edges.append(Edge(own.id, node.id, "reaches", (_conn_words(conn),), level))
        else:
            edges += [Edge(f"group/{i}", node.id, "reaches", (_conn_words(conn),), level) for i in sources]
    nodes, edges = _fold_namespaces(nodes, edges)
    slug_ = page.removeprefix("namespaces/").removesuffix(".md")
    clusters = [b.cluster(namespace, home=namespace)]
    return make_spec(f"reach-{slug_}", f"Who reaches namespace {namespace}, and whom it reaches", page,
                     list(nodes.values()), edges, clusters,
                     caption="Who reaches it, and whom it reaches, as the network policies admit",
                     table=(page, "reach-table"))


def _group_node(b: Builder, namespace: str, i: int, members: tuple[str, ...]) -> Node:
    objects = [b.graph.nodes[w] for w in members]
    level = highest(b.report.analysis.reach.effective.get(w) for w in members)
    page = b.sitemap.namespaces[namespace]
    if len(objects) == 1:
        only = objects[0]
        return Node(f"group/{i}", only.kind, (only.name, only.kind), level=level,
                    link=(page, "reach-" + _anchor(only.kind, only.name)),
                    tooltip=f"{only.kind} {namespace}/{only.name}", cluster=namespace)
    names = [o.name for o in objects[:REACH_NAMES]]
    more = (f"and {len(objects) - REACH_NAMES} more",) if len(objects) > REACH_NAMES else ()
    return Node(f"group/{i}", "More", (f"{len(objects)} workloads", *names, *more), level=level,
                link=(page, "reachability"), cluster=namespace,
                tooltip=f"{len(objects)} workloads that the network policies treat alike: "
                        + ", ".join(o.name for o in objects[:10]) + (", ..." if len(objects) > 10 else ""))


def _reach_source(b: Builder, namespace: str, source) -> Node:
    if source == INTERNET:
        return b.source("internet")
    if isinstance(source, tuple):  # some workloads of a group of this namespace
        return Node(f"group/{source[1]}", "More", ())
    if source == namespace:
        return Node(f"namespace/{namespace}/own", "Namespace", (f"pods of {namespace}",),
                    link=(b.sitemap.namespaces[namespace], "reachability"), cluster=namespace,
                    tooltip=f"The workloads of namespace {namespace}: its other pods reach a group, "
                            f"or every group reaches the same")
    return _namespace_peer(b, source)


def _namespace_peer(b: Builder, name: str) -> Node:
    if name == ANY_NAMESPACE:
        return Node("namespace/*", "Namespace", ("any namespace",), link=("namespaces/index.md", ""),
                    tooltip="A pod of any namespace, those these manifests do not hold too")
    if name == EVERY_OTHER_NAMESPACE:
        return Node("namespace/*other", "Namespace", ("every other namespace",), link=("namespaces/index.md", ""),
                    tooltip="Every other namespace of these manifests")
    link = (b.sitemap.namespaces[name], "reachability") if name in b.sitemap.namespaces else None
    return Node(f"namespace/{name}", "Namespace", (name,), link=link, tooltip=f"namespace {name}")


def _fold_namespaces(nodes: dict[str, Node], edges: list[Edge]) -> tuple[dict[str, Node], list[Edge]]:
    """Past MAX_NODES, the namespaces with the fewest edges become one node."""
    if len(nodes) <= MAX_NODES:
        return nodes, edges
    peers = [n for n in nodes if n.startswith("namespace/") and n.count("/") == 1 and n not in ("namespace/*",)]
    degree = defaultdict(int)
    for e in edges:
        degree[e.source] += 1
        degree[e.target] += 1
    keep = len(peers) - (len(nodes) - MAX_NODES) - 1
    folded = set(sorted(peers, key=lambda n: (-degree[n], n))[max(keep, 0):])
    more = Node("namespace/...", "More", (f"{len(folded)} more namespaces",), link=("namespaces/index.md", ""),
                tooltip="The other namespaces: see the Namespaces page")
    kept = {k: v for k, v in nodes.items() if k not in folded}
    kept[more.id] = more
    moved = [replace(e, source=more.id if e.source in folded else e.source,
                     target=more.id if e.target in folded else e.target) for e in edges]
    return kept, moved


def _conn_words(conn) -> str:
    return "every port" if conn == ALL else conn_text(conn)
