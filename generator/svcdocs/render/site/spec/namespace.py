"""One namespace's diagram: its Services, workloads, routers and ways in, with
the neighbours in other namespaces that call or are called, drawn faded; split
into parts past MAX_NODES."""

from __future__ import annotations

from collections import defaultdict

from svcdocs.model import Service, Workload, policies
from svcdocs.render.site.spec.builder import Builder, first_edges, graph_edges
from svcdocs.render.site.spec.diagram import DiagramSpec, Edge, edges_by_part, make_spec, pack, part_titles
from svcdocs.render.site.spec.fanout import fold

# Objects that the namespace pages list but no diagram draws as boxes: policies
# (a default deny selects every pod) and grants.
NOT_DRAWN = frozenset({"NetworkPolicy", "ReferenceGrant", "BackendTLSPolicy"}) | policies.KINDS


def namespace_diagrams(b: Builder, namespace: str) -> list[DiagramSpec]:
    page = b.sitemap.namespaces[namespace]
    graph = b.graph
    own = {n for n in b.nodes_by_namespace.get(namespace, ()) if graph.nodes[n].kind not in NOT_DRAWN}
    own |= {e.target for n in own for e in graph.edges_from(n, "aliases")}
    scope = own | _neighbours(b, own)
    sources, entry_edges = first_edges(b, scope)
    edges = graph_edges(b, scope, ("routes", "attaches", "calls", "aliases"), own) + entry_edges
    folding = fold(b, (e for n in sorted(own) for e in graph.edges_from(n, "selects")), edges)
    own -= folding.hidden
    nodes = {n: b.node(n, home=namespace) for n in scope - folding.hidden}
    nodes.update({s.id: s for s in sources})
    nodes.update(folding.nodes)
    parts = pack(_namespace_groups(own, folding.edges, graph))
    # The namespace page's table of Services, or of workloads when it has no Service.
    table = (page, "services" if any(isinstance(graph.nodes[n], Service) for n in own) else "workloads")
    specs = []
    name_slug = page.removeprefix("namespaces/").removesuffix(".md")
    for (key, title, caption), part, part_edges in zip(
            part_titles(f"namespace-{name_slug}", f"Namespace {namespace}", len(parts)), parts,
            edges_by_part(folding.edges, parts)):
        clusters = [b.cluster(ns, home=namespace) for ns in {nodes[n].cluster for n in part if nodes[n].cluster}]
        specs.append(make_spec(key, title, page, [nodes[n] for n in part], part_edges, clusters, caption,
                               table=table))
    return specs


def _neighbours(b: Builder, own: set[str]) -> set[str]:
    """Objects of other namespaces joined to this one by a call, a route or a
    Gateway; NetworkPolicies are left out."""
    found = set()
    for node_id in own:
        for e in (*b.graph.edges_from(node_id), *b.graph.edges_to(node_id)):
            if e.kind in ("calls", "routes", "attaches"):
                found.add(e.target if e.source == node_id else e.source)
    return found - own


def _namespace_groups(own: set[str], edges: list[Edge], graph) -> list[tuple[str, ...]]:
    """A group per Service: the routers and sources that lead to it, the
    workloads it selects, and their neighbours outside the namespace; then
    what no Service gathered. Used to split a namespace too large for one diagram."""
    incoming: dict[str, set[str]] = defaultdict(set)
    outgoing: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        incoming[e.target].add(e.source)
        outgoing[e.source].add(e.target)
    outside: dict[str, set[str]] = {}  # a node -> its neighbours outside the namespace, found once

    def beyond(node_id: str) -> set[str]:
        if node_id not in outside:
            outside[node_id] = (incoming[node_id] | outgoing[node_id]) - own
        return outside[node_id]

    groups, covered = [], set()
    for node_id in sorted(own):
        if graph.nodes[node_id].kind != "Service":
            continue
        group = {node_id} | _upstream(graph, node_id, incoming) | (incoming[node_id] - own)
        for target in outgoing[node_id]:
            group.add(target)
            group |= beyond(target)
        groups.append(tuple(sorted(group, key=lambda n: (n != node_id, n))))
        covered |= group
    for node_id in sorted(own - covered):
        groups.append((node_id, *sorted(beyond(node_id))))
    return groups


def _upstream(graph, node_id: str, incoming: dict[str, set[str]]) -> set[str]:
    """Routers, Gateways and sources that lead to a node (not its callers)."""
    found: set[str] = set()
    stack = [node_id]
    while stack:
        for source in incoming[stack.pop()]:
            if source not in found and not isinstance(graph.nodes.get(source), Workload):
                found.add(source)
                stack.append(source)
    return found

