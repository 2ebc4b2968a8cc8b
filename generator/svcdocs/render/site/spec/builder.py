"""The pieces every diagram is made of: a node for each graph object (its
label, look, level, link and tooltip), the sources a way in starts from, and
the edges that lead in, route, attach, call and alias."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from svcdocs.analysis import RANK, EntryPoint
from svcdocs.analysis.reach.entries import OUTSIDE_KINDS
from svcdocs.graph import Edge as GraphEdge
from svcdocs.graph import Synthetic
from svcdocs.model import Router, Service, Workload, id_kind
from svcdocs.pipeline import Report
from svcdocs.render.site.names import SiteMap
from svcdocs.render.site.spec.diagram import SOURCE_TOOLTIPS, SOURCES, Cluster, Edge, Node

# How a way in that the NetworkPolicies do not fully admit is marked on its edge
# (after the host and path: the dash sorts after them where edges merge).
POLICY_MARKS = {"blocked": "— blocked by NetworkPolicies", "restricted": "— restricted by NetworkPolicies"}
# What an exposure reason that is not an object says, after "through".
REASON_WORDS = {"type LoadBalancer": "its LoadBalancer", "type NodePort": "its NodePort",
                "externalIPs": "its externalIPs", "type ExternalName": "its ExternalName"}
WHY_ITEMS = 2  # reasons named in a box's one line; the rest are counted
INSIDE = {"cluster": "no way in from outside the cluster", "none": "no Service selects it",
          "egress": "a name for something outside the cluster"}


class Builder:
    """Nodes and edges of one report, shared by every diagram."""

    def __init__(self, report: Report, sitemap: SiteMap):
        self.report = report
        self.graph = report.graph
        self.sitemap = sitemap
        self.isolated = {e.target for e in self.graph.edges if e.kind == "isolates"}
        self.policies: dict[str, int] = defaultdict(int)
        for policy in self.graph.model.network_policies:
            self.policies[policy.namespace] += 1
        self.router_levels = report.analysis.router_levels
        # Lookups every diagram shares, so that no diagram scans the whole graph.
        self.nodes_by_namespace: dict[str, list[str]] = defaultdict(list)
        for node in self.graph.nodes.values():
            self.nodes_by_namespace[node.namespace].append(node.id)
        self.hops: dict[str, list[tuple[int, int, EntryPoint]]] = defaultdict(list)
        for i, entry in enumerate(report.analysis.entrypoints):
            for j, hop in enumerate(first_hops(entry)):
                self.hops[hop].append((i, j, entry))
        self.entries_by_route = {(e.via, e.service, e.host, e.path): e for e in report.analysis.entrypoints
                                 if e.kind not in OUTSIDE_KINDS}
        self.entries_of: dict[str, list[EntryPoint]] = defaultdict(list)  # what a way in leads into
        for entry in report.analysis.entrypoints:
            for node_id in dict.fromkeys((entry.via, *((entry.service,) if entry.service else ()), *entry.workloads)):
                self.entries_of[node_id].append(entry)

    def mark(self, entry: EntryPoint) -> tuple[str | None, str]:
        """The mark and tooltip of a way in that the NetworkPolicies do not fully admit."""
        policy = self.report.analysis.reach.entry(entry)
        mark = POLICY_MARKS.get(policy.state) if policy is not None else None
        if mark is None:
            return None, ""
        words = mark.removeprefix("— ")
        return mark, f"{words}: only {', '.join(policy.sources)}" if policy.sources else words

    def level(self, node_id: str) -> str | None:
        if node_id in self.router_levels:
            return self.router_levels[node_id]
        node = self.graph.nodes.get(node_id)
        if node is not None and node.kind == "External":
            return "egress"
        return self.report.analysis.level(node_id)

    def node(self, node_id: str, home: str | None = None) -> Node:
        """The node for a graph object; `home` is the namespace the diagram is
        about, and objects from elsewhere are drawn as ghosts."""
        obj = self.graph.nodes[node_id]
        ghost = home is not None and obj.namespace not in ("", home)
        label, look = _label_and_look(obj, node_id in self.isolated)
        level = self.level(node_id)
        where = f"{obj.namespace}/{obj.name}" if obj.namespace else obj.name
        tooltip = f"{kind_label(obj)} {where}" + (f": exposure {level}" if level else "")
        return Node(
            id=node_id, kind=id_kind(node_id), label=label, level=level, look="ghost" if ghost else look,
            link=self.sitemap.page_of(node_id, obj.kind, obj.namespace, obj.name), tooltip=tooltip,
            cluster=obj.namespace, why=self.why(node_id, level),
        )

    def why(self, node_id: str, level: str | None) -> str:
        """The one-line reason for an object's level: the way in, and what the
        NetworkPolicies make of it (`through Ingress web; restricted by NetworkPolicies`)."""
        if level is None:
            return ""
        return "; ".join(part for part in (self._way_in(node_id, level), self._policy_words(node_id)) if part)

    def _way_in(self, node_id: str, level: str) -> str:
        if node_id in self.router_levels:
            return f"it opens a way in from {FROM[level]}" if level in FROM else ""
        if level in INSIDE:
            return INSIDE[level]
        exposure = self.report.analysis.exposure.get(node_id)
        reasons = exposure.reasons if exposure is not None else ()
        if not reasons:
            return ""
        here = self.graph.nodes[node_id].namespace
        words = [self._reason(reason, here) for reason in reasons[:WHY_ITEMS]]
        more = f" and {len(reasons) - WHY_ITEMS} more" if len(reasons) > WHY_ITEMS else ""
        return "through " + ", ".join(words) + more

    def _reason(self, reason: str, here: str) -> str:
        obj = self.graph.nodes.get(reason)
        if obj is None:
            return REASON_WORDS.get(reason, reason)
        name = obj.name if obj.namespace in ("", here) else f"{obj.namespace}/{obj.name}"
        return f"{kind_label(obj)} {name}"

    def _policy_words(self, node_id: str) -> str:
        """`open`, `restricted by NetworkPolicies`, `blocked ...`, `partly ...`
        for the ways in that lead into it; else the level the policies admit, where lower."""
        reach = self.report.analysis.reach
        states = set()
        for entry in self.entries_of.get(node_id, ()):
            policy = reach.entry(entry)
            states.add("open" if policy is None else policy.state_of(node_id))
        if len(states) == 1:
            state = states.pop()
            return state if state == "open" else f"{state} by NetworkPolicies"
        if states:
            return "partly restricted by NetworkPolicies"
        effective = reach.effective.get(node_id)
        if effective is not None and effective != self.report.analysis.level(node_id):
            return f"NetworkPolicies admit only {effective}"
        return ""

    def source(self, level: str) -> Node:
        node_id, kind, label = SOURCES[level]
        link = ("exposure.md", level)
        return Node(node_id, kind, (label,), level=level, link=link, tooltip=SOURCE_TOOLTIPS[level])

    def cluster(self, namespace: str, home: str | None = None) -> Cluster:
        policies = self.policies.get(namespace, 0)
        label = f"namespace {namespace}"
        if policies and (home is None or namespace == home):
            label += f" ({policies} NetworkPolic{'y' if policies == 1 else 'ies'})"
        link = (self.sitemap.namespaces[namespace], "") if namespace in self.sitemap.namespaces else None
        return Cluster(namespace, label, link, ghost=home is not None and namespace != home)


FROM = {"internet": "the internet", "network": "the private network", "node": "the nodes"}


def kind_label(obj) -> str:
    """`Ingress`; for a kind svcdocs also models from another group, the kind
    and the name in its group: `Service (knative)` for serving.knative.dev,
    `Gateway (istio)` for networking.istio.io."""
    group = getattr(obj, "group", "") or (id_kind(obj.id).partition(".")[2] if isinstance(obj, Synthetic) else "")
    if not group:
        return obj.kind
    labels = group.split(".")
    return f"{obj.kind} ({labels[-2] if len(labels) > 1 else group})"


def _label_and_look(obj, isolated: bool) -> tuple[tuple[str, ...], str]:
    if isinstance(obj, Service):
        return (obj.name, _service_kind(obj)), ("headless" if obj.headless else obj.type)
    if isinstance(obj, Workload):
        return (obj.name, kind_label(obj) + (", isolated" if isolated else "")), ""
    if isinstance(obj, Synthetic) and obj.kind not in ("External", "Internet"):
        return (obj.name, f"{kind_label(obj)} (elsewhere)"), ""
    if obj.kind == "External":
        return (obj.name,), ""
    if isinstance(obj, Router) and obj.listeners:
        return (obj.name, f"{kind_label(obj)} on {', '.join(obj.listeners)}"), ""
    return (obj.name, kind_label(obj)), ""


def _service_kind(service: Service) -> str:
    if service.type == "ExternalName":
        return "ExternalName"
    kind = "headless" if service.headless else service.type
    if service.type == "NodePort":
        node_ports = [str(p.node_port) for p in service.ports if p.node_port]
        return f"{kind} {','.join(node_ports)}" if node_ports else kind
    ports = [str(p.port) for p in service.ports if p.port is not None]
    return f"{kind} :{','.join(ports)}" if ports else kind


def first_hops(entry: EntryPoint) -> tuple[str, ...]:
    """The nodes a way in reaches first: the Gateways of a route, the Ingress,
    the Service itself (LoadBalancer, externalIPs, NodePort) or the workload."""
    if entry.kind == "route" and entry.gateways:
        return entry.gateways
    return (entry.via,)


def entry_label(entry: EntryPoint, name: str = "") -> str:
    """What the first edge of a way in says: `LoadBalancer :443`, `NodePort
    30081`; with `name`, the Service or workload it opens (`LoadBalancer web :443`)."""
    words = {"loadbalancer": ("LoadBalancer", ":"), "external-ip": ("externalIPs", ":"),
             "nodeport": ("NodePort", ""), "host-port": ("hostPort", "")}
    if entry.kind not in words:
        return ""
    kind, colon = words[entry.kind]
    number = entry.node_port if entry.kind == "nodeport" else entry.port
    return " ".join(p for p in (kind, name, f"{colon}{number}" if number is not None else "") if p)


def route_label(host: str | None, path: str | None) -> str:
    return " ".join(p for p in ((host or "*"), path or "") if p)


def port_chain(mappings, operator_ports: bool = False) -> str:
    """`80→8080` for each port of a selects edge; `9000→grpc-api?` when the
    named targetPort resolves to no container port (no `?` for pods whose
    ports their operator sets: the name is theirs to resolve)."""
    parts = []
    for m in mappings:
        if m.container_port is None:
            parts.append(f"{m.port}→{m.target_port}" + ("" if operator_ports else "?"))
        elif m.container_port == m.port:
            parts.append(str(m.port))
        else:
            parts.append(f"{m.port}→{m.container_port}")
    return ", ".join(parts)


def graph_edges(b: Builder, scope: set[str], kinds: tuple[str, ...], own: set[str] | None = None) -> list[Edge]:
    """The graph's own edges between nodes in scope (that touch `own`, when
    given), pointing the way traffic goes (a route's `attaches` is drawn
    Gateway -> route); `selects` edges are drawn by `fold`."""
    found = []
    for e in _edges_within(b, scope, own):
        if e.kind not in kinds:
            continue
        if e.kind == "routes":
            entry = b.entries_by_route.get((e.source, e.target, e.host, e.path))
            mark, tooltip = b.mark(entry) if entry is not None else (None, "")
            found.append(Edge(e.source, e.target, "routes", (route_label(e.host, e.path),) + ((mark,) if mark else ()),
                              b.level(e.target), tooltip))
        elif e.kind == "attaches":
            found.append(Edge(e.target, e.source, "attaches", (e.listener,) if e.listener else (), b.level(e.target)))
        elif e.kind == "calls":
            found.append(Edge(e.source, e.target, "calls", (), None, "calls it through " + ", ".join(e.env)))
        elif e.kind == "aliases":
            found.append(Edge(e.source, e.target, "aliases", (), "egress"))
    return found


def selects_edge(b: Builder, e: GraphEdge) -> Edge:
    label = (port_chain(e.ports, operator_ports(b, e.target)),) if e.ports else ()
    return Edge(e.source, e.target, "selects", label, b.level(e.source))


def operator_ports(b: Builder, workload_id: str) -> bool:
    """Whether the workload's pods get their ports from an operator, not from the manifest."""
    workload = b.graph.nodes.get(workload_id)
    return isinstance(workload, Workload) and bool(workload.operator) and not workload.containers


def _edges_within(b: Builder, scope: set[str], own: set[str] | None) -> Iterable[GraphEdge]:
    """The graph's edges between nodes of `scope`, by source in order. With
    `own`, only those that touch it, found from its nodes: a neighbour from
    another namespace may have many edges of its own."""
    if own is None:
        for node_id in sorted(scope):
            yield from (e for e in b.graph.edges_from(node_id) if e.target in scope)
        return
    into_own: dict[str, list[GraphEdge]] = defaultdict(list)
    for node_id in sorted(own):
        for e in b.graph.edges_to(node_id):
            if e.source not in own and e.source in scope:
                into_own[e.source].append(e)
    for node_id in sorted(scope):
        if node_id in own:
            yield from (e for e in b.graph.edges_from(node_id) if e.target in scope)
        else:
            yield from sorted(into_own.get(node_id, ()), key=GraphEdge.sort_key)


def first_edges(b: Builder, scope: set[str]) -> tuple[list[Node], list[Edge]]:
    """The source nodes and the first edge of every way in whose first hop is in scope."""
    sources: dict[str, Node] = {}
    edges = []
    for _, _, entry, hop in sorted(((i, j, entry, hop) for hop in scope for i, j, entry in b.hops.get(hop, ())),
                                   key=lambda found: found[:2]):
        source = b.source(entry.level)
        sources[source.id] = source
        label = entry_label(entry)
        # A router's ways in are marked on its routes, each to its own backend.
        mark, tooltip = b.mark(entry) if entry.kind in OUTSIDE_KINDS else (None, "")
        lines = tuple(line for line in (label, mark) if line)
        edges.append(Edge(source.id, hop, "entry", lines, entry.level, tooltip))
    return [sources[k] for k in sorted(sources)], edges


def higher(level: str | None, other: str | None) -> str | None:
    return level if other is None or (level is not None and RANK[level] >= RANK[other]) else other


def highest(levels: Iterable[str | None]) -> str:
    return max((level or "none" for level in levels), key=RANK.__getitem__, default="none")

