"""What each diagram of the site shows, as data: nodes, edges, clusters.

A `DiagramSpec` is built from the report alone and rendered by one function to
Graphviz SVG and by another to Mermaid; the tests compare specs, not pixels.
Labels here are raw text from the manifests; each renderer escapes them.

Three kinds of diagram, none above `MAX_NODES` nodes however large the input:

- the overview: the Internet (and private network, cluster nodes) leading into
  each namespace, with how (Ingress hosts, LoadBalancers, NodePorts), the calls
  between namespaces and the names outside the cluster;
- the entry points: source -> Ingress or Gateway and route -> Service -> workloads;
- one per namespace: its Services, workloads, routers and entry points, with
  the neighbours in other namespaces that call or are called, drawn faded.

Selectors that match many workloads would make Services x workloads edges:
the workloads of a Service that selects more than FANOUT are drawn as one
node ("150 workloads", shared by the Services that select exactly those),
and the Services of a workload that more than FANIN select as one node, so
that a diagram's nodes and edges grow with the objects, not with the edges.

NetworkPolicies are not drawn as edges (a default deny selects every pod):
a workload that a policy selects says `isolated`, and the cluster label counts
the policies.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Iterable

from svcdocs.analysis import RANK, EntryPoint
from svcdocs.analysis.reach import ANY_NAMESPACE, EVERY_OTHER_NAMESPACE, INTERNET
from svcdocs.analysis.reach.entries import OUTSIDE_KINDS
from svcdocs.analysis.reach.ports import ALL
from svcdocs.analysis.reach.ports import text as conn_text
from svcdocs.graph import Edge as GraphEdge
from svcdocs.graph import Synthetic
from svcdocs.model import Router, Service, Workload, id_kind
from svcdocs.model import policies
from svcdocs.pipeline import Report
from svcdocs.render.site.names import SiteMap
from svcdocs.render.site.names import anchor as _anchor

MAX_NODES = 150
# How a way in that the NetworkPolicies do not fully admit is marked on its edge
# (after the host and path: the dash sorts after them where edges merge).
POLICY_MARKS = {"blocked": "— blocked by NetworkPolicies", "restricted": "— restricted by NetworkPolicies"}
# Objects that the namespace pages list but no diagram draws as boxes: policies
# (a default deny selects every pod) and grants.
NOT_DRAWN = frozenset({"NetworkPolicy", "ReferenceGrant", "BackendTLSPolicy"}) | policies.KINDS
MAX_LABEL_LINES = 4  # on one edge; the rest is counted

# The nodes a way in starts from, by exposure level: id, icon kind, label.
SOURCES = {
    "internet": ("Internet", "Internet", "Internet"),
    "network": ("source/network", "Network", "Private network"),
    "node": ("source/node", "Nodes", "Cluster nodes"),
}
SOURCE_KINDS = frozenset(kind for _, kind, _ in SOURCES.values())
SOURCE_TOOLTIPS = {
    "internet": "Anyone on the internet",
    "network": "The private network around the cluster (internal load balancers)",
    "node": "Anyone who can reach a node of the cluster",
}


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    kind: str  # the icon: an object kind, or Internet, Network, Nodes, Namespace, External, More
    label: tuple[str, ...]
    level: str | None = None  # exposure level, for the colour
    look: str = ""  # a Service type, or "ghost" for a neighbour from another namespace
    link: tuple[str, str] | None = None  # (page, anchor)
    tooltip: str = ""
    cluster: str = ""  # the namespace it is drawn in; "" for none


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: str  # entry, routes, attaches, selects, calls, aliases, reaches
    label: tuple[str, ...] = ()
    level: str | None = None  # the exposure it carries, for the colour
    tooltip: str = ""


@dataclass(frozen=True, slots=True)
class Cluster:
    id: str  # the namespace
    label: str
    link: tuple[str, str] | None = None
    ghost: bool = False


@dataclass(frozen=True)
class DiagramSpec:
    key: str  # unique in the site and safe as a file name and an id prefix
    title: str
    page: str  # the page it is drawn on; links are relative to it
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    clusters: tuple[Cluster, ...] = ()
    caption: str = ""  # shown above the drawing when a page has several
    grid: int = 0  # lay the nodes out in rows of this many, without edges to rank them (a map)

    def as_dict(self) -> dict:
        """For golden files."""
        return {
            "key": self.key, "title": self.title, "page": self.page, "caption": self.caption, "grid": self.grid,
            "clusters": [_compact(c.__slots__, c) for c in self.clusters],
            "nodes": [_compact(n.__slots__, n) for n in self.nodes],
            "edges": [_compact(e.__slots__, e) for e in self.edges],
        }


def grid_rows(spec: DiagramSpec) -> list[list[str]]:
    """A map's rows: the sources first, then the other nodes, `spec.grid` to a row."""
    sources = [n.id for n in spec.nodes if n.kind in SOURCE_KINDS]
    rest = [n.id for n in spec.nodes if n.kind not in SOURCE_KINDS]
    return [row for row in [sources] + [rest[i:i + spec.grid] for i in range(0, len(rest), spec.grid)] if row]


def _compact(fields, obj) -> dict:
    values = {f: getattr(obj, f) for f in fields}
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items() if v not in ("", (), None, False)}


# --- The pieces: nodes for objects, and the edges that lead in -----------------

class _Builder:
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
            cluster=obj.namespace,
        )

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


def _merge(edges: Iterable[Edge]) -> tuple[Edge, ...]:
    """One edge per (source, target, kind), its label lines joined and capped."""
    lines: dict[tuple, list[str]] = defaultdict(list)
    first: dict[tuple, Edge] = {}
    for edge in edges:
        key = (edge.source, edge.target, edge.kind)
        first.setdefault(key, edge)
        lines[key] += [line for line in edge.label if line not in lines[key]]
    merged = []
    for key in sorted(first):
        edge = first[key]
        label = sorted(lines[key])
        if len(label) > MAX_LABEL_LINES:
            label = label[:MAX_LABEL_LINES - 1] + [f"+{len(label) - MAX_LABEL_LINES + 1} more"]
        merged.append(Edge(edge.source, edge.target, edge.kind, tuple(label), edge.level, edge.tooltip))
    return tuple(merged)


def _graph_edges(b: _Builder, scope: set[str], kinds: tuple[str, ...], own: set[str] | None = None) -> list[Edge]:
    """The graph's own edges between nodes in scope (that touch `own`, when
    given), pointing the way traffic goes (a route's `attaches` is drawn
    Gateway -> route); `selects` edges are drawn by `_fold`."""
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


def _selects_edge(b: _Builder, e: GraphEdge) -> Edge:
    label = (port_chain(e.ports, _operator_ports(b, e.target)),) if e.ports else ()
    return Edge(e.source, e.target, "selects", label, b.level(e.source))


def _operator_ports(b: _Builder, workload_id: str) -> bool:
    """Whether the workload's pods get their ports from an operator, not from the manifest."""
    workload = b.graph.nodes.get(workload_id)
    return isinstance(workload, Workload) and bool(workload.operator) and not workload.containers


def _edges_within(b: _Builder, scope: set[str], own: set[str] | None) -> Iterable[GraphEdge]:
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


def _entry_edges(b: _Builder, scope: set[str]) -> tuple[list[Node], list[Edge]]:
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


# --- Fan-out: a Service that selects many workloads, a workload many Services select

FANOUT = 12  # a Service that selects more workloads draws them as one node
FANIN = 12  # a workload that more Services select (besides those above) draws them as one node


@dataclass(frozen=True)
class _Folding:
    edges: list[Edge]  # the other edges given, then the selects edges as drawn
    nodes: dict[str, Node]  # the summaries
    into: dict[str, str]  # a Service that selects many workloads -> the node drawn for them
    crowd: dict[str, str]  # a workload that many Services select -> the node drawn for them
    hidden: frozenset[str]  # workloads drawn only inside a summary

    def instead(self, source: str, target: str) -> tuple[str, str]:
        """The edge drawn for the selects edge `source` -> `target`."""
        if source in self.into:
            return source, self.into[source]
        if target in self.crowd:
            return self.crowd[target], target
        return source, target


def _fold(b: _Builder, selects: Iterable[GraphEdge], edges: list[Edge], keep: Iterable[str] = ()) -> _Folding:
    """The graph's `selects` edges as drawn beside `edges`, fan-out made
    drawable in as many nodes and edges as there are objects: the workloads
    of a Service that selects more than FANOUT are one node ("150
    workloads"), shared by the Services that select exactly those; a
    workload that more than FANIN other Services select gets one node for
    them ("30 Services"). A workload then drawn only inside a summary is left
    out, unless it has other edges or is in `keep`."""
    selects = list(selects)
    targets: dict[str, list[str]] = defaultdict(list)
    for e in selects:
        targets[e.source].append(e.target)
    sharing: dict[frozenset[str], list[str]] = defaultdict(list)
    for service in sorted(s for s, workloads in targets.items() if len(workloads) > FANOUT):
        sharing[frozenset(targets[service])].append(service)
    into: dict[str, str] = {}
    nodes: dict[str, Node] = {}
    for workloads, services in sharing.items():
        node = _workloads_node(b, services, workloads)
        nodes[node.id] = node
        into.update(dict.fromkeys(services, node.id))
    selected_by: dict[str, list[str]] = defaultdict(list)
    for service, workloads in targets.items():
        if service not in into:
            for workload in workloads:
                selected_by[workload].append(service)
    crowd: dict[str, str] = {}
    for workload, services in selected_by.items():
        if len(services) > FANIN:
            node = _services_node(b, workload, services)
            nodes[node.id] = node
            crowd[workload] = node.id
    if not nodes:
        return _Folding(edges + [_selects_edge(b, e) for e in selects], {}, {}, {}, frozenset())
    folding = _Folding([*edges], nodes, into, crowd, frozenset())
    seen = {n for e in edges for n in (e.source, e.target)} | set(keep)
    inside: set[str] = set()
    folded: dict[tuple[str, str], tuple[str | None, dict[str, None]]] = {}  # drawn edge -> level, label lines
    for service, node_id in into.items():  # labelled with the Service's own ports, not each workload's
        inside.update(targets[service])
        seen.update((service, node_id))
        folded[(service, node_id)] = (b.level(service), dict.fromkeys(_service_ports(b.graph.nodes[service])))
    for e in selects:
        if e.source in into:
            continue
        drawn = folding.instead(e.source, e.target)
        seen.update(drawn)
        if drawn == (e.source, e.target):
            folding.edges.append(_selects_edge(b, e))
            continue
        level, lines = folded.get(drawn, (None, {}))
        if e.ports:
            lines[port_chain(e.ports, _operator_ports(b, e.target))] = None
        folded[drawn] = (_higher(level, b.level(e.source)), lines)
    folding.edges.extend(Edge(source, target, "selects", tuple(lines), level)
                         for (source, target), (level, lines) in folded.items())
    return replace(folding, hidden=frozenset(inside - seen))


def _workloads_node(b: _Builder, services: list[str], workloads: frozenset[str]) -> Node:
    service = b.graph.nodes[services[0]]
    who = f"Service {service.namespace}/{service.name}" if len(services) == 1 else f"{len(services)} Services"
    return Node(
        id=f"more/workloads/{services[0]}", kind="More", label=(f"{len(workloads)} workloads",),
        level=_highest(b.level(w) for w in workloads), link=_namespace_part(b, service.namespace, "workloads"),
        tooltip=f"The {len(workloads)} workloads that {who} select{'s' * (len(services) == 1)}: "
                f"see the namespace page", cluster=service.namespace,
    )


def _services_node(b: _Builder, workload_id: str, services: list[str]) -> Node:
    workload = b.graph.nodes[workload_id]
    return Node(
        id=f"more/services/{workload_id}", kind="More", label=(f"{len(services)} Services",),
        level=_highest(b.level(s) for s in services), link=_namespace_part(b, workload.namespace, "services"),
        tooltip=f"The {len(services)} Services that select {workload.kind} {workload.namespace}/{workload.name}: "
                f"see the namespace page", cluster=workload.namespace,
    )


def _higher(level: str | None, other: str | None) -> str | None:
    return level if other is None or (level is not None and RANK[level] >= RANK[other]) else other


def _service_ports(service: Service) -> tuple[str, ...]:
    """`80`, `80→8080`: a Service's ports and targetPorts, for the edge to its many workloads."""
    text = ", ".join(str(p.port) + (f"→{p.target}" if p.target not in (None, p.port) else "")
                     for p in service.ports if p.port is not None)
    return (text,) if text else ()


def _highest(levels: Iterable[str | None]) -> str:
    return max((level or "none" for level in levels), key=RANK.__getitem__, default="none")


def _namespace_part(b: _Builder, namespace: str, heading: str) -> tuple[str, str]:
    return b.sitemap.namespaces[namespace], heading


def _edges_by_part(edges: list[Edge], parts: list[set[str]]) -> list[list[Edge]]:
    """The edges between the nodes of each part, in their order, found from
    their sources rather than by a pass over every edge for every part."""
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(edges):
        by_source[e.source].append(i)
    return [[edges[i] for i in sorted(i for n in part for i in by_source.get(n, ()) if edges[i].target in part)]
            for part in parts]


def _spec(key: str, title: str, page: str, nodes: Iterable[Node], edges: Iterable[Edge],
          clusters: Iterable[Cluster], caption: str = "", grid: int = 0) -> DiagramSpec:
    order = [n.id for n in nodes]
    nodes = {n.id: n for n in nodes}
    edges = [e for e in edges if e.source in nodes and e.target in nodes]
    used = {n.cluster for n in nodes.values()}
    return DiagramSpec(
        key=key, title=title, page=page,
        nodes=tuple(nodes[k] for k in (dict.fromkeys(order) if grid else sorted(nodes))),
        edges=_merge(edges),
        clusters=tuple(sorted((c for c in clusters if c.id in used), key=lambda c: c.id)),
        caption=caption, grid=grid,
    )


def _pack(groups: Iterable[tuple[str, ...]], limit: int = MAX_NODES) -> list[set[str]]:
    """Groups of node ids into as few parts of at most `limit` nodes as the
    order allows; a node shared by two groups may appear in two parts."""
    parts: list[set[str]] = []
    current: set[str] = set()
    for group in groups:
        group = set(group[:limit])
        if current and len(current | group) > limit:
            parts.append(current)
            current = set()
        current |= group
    if current:
        parts.append(current)
    return parts


def _parts(key: str, title: str, count: int) -> list[tuple[str, str, str]]:
    """Key, title and caption of each part of a diagram split to stay readable."""
    if count == 1:
        return [(key, title, "")]
    return [(f"{key}-{i}", f"{title} ({i} of {count})", f"Part {i} of {count}") for i in range(1, count + 1)]


# --- The entry points ------------------------------------------------------------

def exposure_diagrams(b: _Builder, page: str = "exposure.md") -> list[DiagramSpec]:
    """Every way in: source -> router -> Service -> workloads, by namespace."""
    entries = b.report.analysis.entrypoints
    services = list(dict.fromkeys(entry.service for entry in entries if entry.service))
    selects = [e for service in services for e in b.graph.edges_from(service, "selects")]
    folding = _fold(b, selects, [], keep={hop for entry in entries for hop in (entry.via, *first_hops(entry))})
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
    parts = _pack(tuple(dict.fromkeys(m)) for _, m in sorted(groups.items()))
    folded_selects = _edges_by_part(folding.edges, parts)
    specs = []
    for (key, title, caption), scope, part_selects in zip(_parts("exposure", "Entry points", len(parts)), parts,
                                                          folded_selects):
        objects = {n for n in scope if n in b.graph.nodes and n != "Internet"}
        nodes = [b.node(n) for n in objects] + [folding.nodes[n] for n in sorted(scope) if n in folding.nodes]
        sources, entry_edges = _entry_edges(b, objects)
        edges = entry_edges + _graph_edges(b, objects, ("routes", "attaches")) + part_selects
        clusters = [b.cluster(ns) for ns in {n.cluster for n in nodes if n.cluster}]
        specs.append(_spec(key, title, page, nodes + sources, edges, clusters, caption))
    return specs


# --- The overview ----------------------------------------------------------------

OVERVIEW_EXTERNALS_PER_NAMESPACE = 3
COMPACT_NAMESPACES = 12  # past this many namespaces, the overview is a map (a grid)
GRID_COLUMNS = 6
ENTRY_LEVELS = ("internet", "network", "node")
ENTRY_WORDS = {"ingress": "Ingress host", "route": "route host", "loadbalancer": "LoadBalancer",
               "external-ip": "externalIP Service", "nodeport": "NodePort", "host-port": "hostPort workload"}


def overview_diagram(b: _Builder, page: str = "index.md") -> DiagramSpec:
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
    return _spec("overview", "Overview", page, nodes + externals, edges + _namespace_calls(b) + alias_edges, ())


def _overview_map(b: _Builder, ways_in: dict[tuple[str, str], list[EntryPoint]], page: str) -> DiagramSpec:
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
    return _spec("overview", "Overview", page, sources + nodes, _namespace_calls(b), (), grid=GRID_COLUMNS)


def _namespace_node(b: _Builder, namespace: str, ways_in: tuple[str, ...] = ()) -> Node:
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


def _namespace_calls(b: _Builder) -> list[Edge]:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for edge in b.graph.edges:
        if edge.kind == "calls":
            source, target = b.graph.nodes[edge.source].namespace, b.graph.nodes[edge.target].namespace
            if source != target:
                counts[(source, target)] += 1
    return [Edge(f"namespace/{s}", f"namespace/{t}", "calls", (f"{n} call{'s' * (n != 1)}",),
                 tooltip=f"{n} workload-to-Service call{'s' * (n != 1)} from {s} to {t}")
            for (s, t), n in sorted(counts.items())]


def _overview_externals(b: _Builder) -> tuple[list[Node], list[Edge]]:
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


# --- One namespace ---------------------------------------------------------------

def namespace_diagrams(b: _Builder, namespace: str) -> list[DiagramSpec]:
    page = b.sitemap.namespaces[namespace]
    graph = b.graph
    own = {n for n in b.nodes_by_namespace.get(namespace, ()) if graph.nodes[n].kind not in NOT_DRAWN}
    own |= {e.target for n in own for e in graph.edges_from(n, "aliases")}
    scope = own | _neighbours(b, own)
    sources, entry_edges = _entry_edges(b, scope)
    edges = _graph_edges(b, scope, ("routes", "attaches", "calls", "aliases"), own) + entry_edges
    folding = _fold(b, (e for n in sorted(own) for e in graph.edges_from(n, "selects")), edges)
    own -= folding.hidden
    nodes = {n: b.node(n, home=namespace) for n in scope - folding.hidden}
    nodes.update({s.id: s for s in sources})
    nodes.update(folding.nodes)
    parts = _pack(_namespace_groups(own, folding.edges, graph))
    specs = []
    name_slug = page.removeprefix("namespaces/").removesuffix(".md")
    for (key, title, caption), part, part_edges in zip(
            _parts(f"namespace-{name_slug}", f"Namespace {namespace}", len(parts)), parts,
            _edges_by_part(folding.edges, parts)):
        clusters = [b.cluster(ns, home=namespace) for ns in {nodes[n].cluster for n in part if nodes[n].cluster}]
        specs.append(_spec(key, title, page, [nodes[n] for n in part], part_edges, clusters, caption))
    return specs


def _neighbours(b: _Builder, own: set[str]) -> set[str]:
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


def site_diagrams(report: Report, sitemap: SiteMap) -> tuple[DiagramSpec, ...]:
    b = _Builder(report, sitemap)
    specs = [overview_diagram(b), *exposure_diagrams(b)]
    # Without a single policy (of any kind) every pod reaches every pod: a diagram
    # per namespace would only draw that, again and again (the page's table says it).
    policies = bool(report.model.network_policies or report.model.policies)
    for namespace in sorted(sitemap.namespaces):
        if policies and namespace in b.report.analysis.reach.namespaces_with_workloads:
            specs.append(reach_diagram(b, namespace))
        specs += namespace_diagrams(b, namespace)
    return tuple(specs)


# --- Who reaches a namespace, and whom it reaches ---------------------------------

REACH_NAMES = 3  # workload names on a group's box


def reach_diagram(b: _Builder, namespace: str) -> DiagramSpec:
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
    return _spec(f"reach-{slug_}", f"Who reaches namespace {namespace}, and whom it reaches", page,
                 list(nodes.values()), edges, clusters,
                 caption="Who reaches it, and whom it reaches, as the network policies admit")


def _group_node(b: _Builder, namespace: str, i: int, members: tuple[str, ...]) -> Node:
    objects = [b.graph.nodes[w] for w in members]
    level = _highest(b.report.analysis.reach.effective.get(w) for w in members)
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


def _reach_source(b: _Builder, namespace: str, source) -> Node:
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


def _namespace_peer(b: _Builder, name: str) -> Node:
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
