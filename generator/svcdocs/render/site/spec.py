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

NetworkPolicies are not drawn as edges (a default deny selects every pod):
a workload that a policy selects says `isolated`, and the cluster label counts
the policies.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Iterable

from svcdocs.analysis import RANK, EntryPoint
from svcdocs.graph import Synthetic
from svcdocs.model import WORKLOAD_KINDS, Service, Workload
from svcdocs.pipeline import Report
from svcdocs.render.site.names import SiteMap

MAX_NODES = 150
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
    kind: str  # entry, routes, attaches, selects, calls, aliases
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
        tooltip = f"{obj.kind} {where}" + (f": exposure {level}" if level else "")
        return Node(
            id=node_id, kind=obj.kind, label=label, level=level, look="ghost" if ghost else look,
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


def _label_and_look(obj, isolated: bool) -> tuple[tuple[str, ...], str]:
    if isinstance(obj, Service):
        return (obj.name, _service_kind(obj)), ("headless" if obj.headless else obj.type)
    if isinstance(obj, Workload):
        return (obj.name, obj.kind + (", isolated" if isolated else "")), ""
    if isinstance(obj, Synthetic) and obj.kind == "Gateway":
        return (obj.name, "Gateway (elsewhere)"), ""
    if obj.kind == "External":
        return (obj.name,), ""
    return (obj.name, obj.kind), ""


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


def port_chain(mappings) -> str:
    """`80→8080` for each port of a selects edge; `9000→grpc-api?` when the
    named targetPort resolves to no container port."""
    parts = []
    for m in mappings:
        if m.container_port is None:
            parts.append(f"{m.port}→{m.target_port}?")
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


def _graph_edges(b: _Builder, scope: set[str], kinds: tuple[str, ...]) -> list[Edge]:
    """The graph's own edges between nodes in scope, pointing the way traffic
    goes (a route's `attaches` is drawn Gateway -> route)."""
    found = []
    for node_id in sorted(scope):
        for e in b.graph.edges_from(node_id):
            if e.kind not in kinds or e.target not in scope:
                continue
            if e.kind == "routes":
                found.append(Edge(e.source, e.target, "routes", (route_label(e.host, e.path),), b.level(e.target)))
            elif e.kind == "attaches":
                found.append(Edge(e.target, e.source, "attaches", (e.listener,) if e.listener else (), b.level(e.target)))
            elif e.kind == "selects":
                found.append(Edge(e.source, e.target, "selects", (port_chain(e.ports),) if e.ports else (),
                                  b.level(e.source)))
            elif e.kind == "calls":
                found.append(Edge(e.source, e.target, "calls", (), None, "calls it through " + ", ".join(e.env)))
            elif e.kind == "aliases":
                found.append(Edge(e.source, e.target, "aliases", (), "egress"))
    return found


def _entry_edges(b: _Builder, entries: Iterable[EntryPoint], scope: set[str]) -> tuple[list[Node], list[Edge]]:
    """The source nodes and the first edge of every way in whose first hop is in scope."""
    sources: dict[str, Node] = {}
    edges = []
    for entry in entries:
        for hop in first_hops(entry):
            if hop in scope:
                source = b.source(entry.level)
                sources[source.id] = source
                label = entry_label(entry)
                edges.append(Edge(source.id, hop, "entry", (label,) if label else (), entry.level))
    return [sources[k] for k in sorted(sources)], edges


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
    groups: dict[tuple, list[str]] = defaultdict(list)
    for entry in b.report.analysis.entrypoints:
        target = entry.service or entry.via
        ns = b.graph.nodes[target].namespace
        members = [SOURCES[entry.level][0], *entry.gateways, entry.via, *entry.workloads]
        if entry.service:
            members.append(entry.service)
        groups[(ns, target)] += members
    parts = _pack(tuple(dict.fromkeys(m)) for _, m in sorted(groups.items()))
    specs = []
    for (key, title, caption), scope in zip(_parts("exposure", "Entry points", len(parts)), parts):
        objects = {n for n in scope if n in b.graph.nodes and n != "Internet"}
        nodes = [b.node(n) for n in objects]
        sources, entry_edges = _entry_edges(b, b.report.analysis.entrypoints, objects)
        edges = entry_edges + _graph_edges(b, objects, ("routes", "attaches", "selects"))
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
    services = [s for s in b.graph.model.services if s.namespace == namespace]
    workloads = [w for w in b.graph.model.workloads if w.namespace == namespace]
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
        return f"{via.kind} {via.name}" + (f": {entry.host}" if entry.host else "")
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
    own = {n.id for n in graph.nodes.values() if n.namespace == namespace and n.kind not in ("NetworkPolicy",)}
    own |= {e.target for e in graph.edges if e.kind == "aliases" and e.source in own}
    scope = own | _neighbours(b, own)
    sources, entry_edges = _entry_edges(b, b.report.analysis.entrypoints, scope)
    edges = [e for e in _graph_edges(b, scope, ("routes", "attaches", "selects", "calls", "aliases"))
             if e.source in own or e.target in own]
    edges += entry_edges
    nodes = {n: b.node(n, home=namespace) for n in scope}
    nodes.update({s.id: s for s in sources})
    parts = _pack(_namespace_groups(own, edges, graph))
    specs = []
    name_slug = page.removeprefix("namespaces/").removesuffix(".md")
    for (key, title, caption), part in zip(_parts(f"namespace-{name_slug}", f"Namespace {namespace}", len(parts)), parts):
        clusters = [b.cluster(ns, home=namespace) for ns in {nodes[n].cluster for n in part if nodes[n].cluster}]
        specs.append(_spec(key, title, page, [nodes[n] for n in part], edges, clusters, caption))
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
    groups, covered = [], set()
    for node_id in sorted(own):
        if graph.nodes[node_id].kind != "Service":
            continue
        group = {node_id} | _upstream(node_id, incoming) | (incoming[node_id] - own)
        for target in outgoing[node_id]:
            group |= {target} | ((incoming[target] | outgoing[target]) - own)
        groups.append(tuple(sorted(group, key=lambda n: (n != node_id, n))))
        covered |= group
    for node_id in sorted(own - covered):
        groups.append((node_id, *sorted((incoming[node_id] | outgoing[node_id]) - own)))
    return groups


def _upstream(node_id: str, incoming: dict[str, set[str]]) -> set[str]:
    """Routers, Gateways and sources that lead to a node (not its callers)."""
    found: set[str] = set()
    stack = [node_id]
    while stack:
        for source in incoming[stack.pop()]:
            if source not in found and source.split("/", 1)[0] not in WORKLOAD_KINDS:
                found.add(source)
                stack.append(source)
    return found


def site_diagrams(report: Report, sitemap: SiteMap) -> tuple[DiagramSpec, ...]:
    b = _Builder(report, sitemap)
    specs = [overview_diagram(b), *exposure_diagrams(b)]
    for namespace in sorted(sitemap.namespaces):
        specs += namespace_diagrams(b, namespace)
    return tuple(specs)
