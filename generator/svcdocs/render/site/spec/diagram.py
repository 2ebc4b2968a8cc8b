"""The data of a diagram (nodes, edges, clusters) and how a spec is put
together from its pieces: edges merged, large diagrams packed into parts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Iterable

MAX_NODES = 150
MAX_LABEL_LINES = 4  # on one edge; the rest is counted
# Edges that lead in from a source, router or Gateway: what they start from is
# drawn again in each part of a split diagram that it leads into.
LEADS_IN = frozenset({"entry", "routes", "attaches"})

# The nodes a way in starts from, by exposure level: id, icon kind, label.
SOURCES = {
    "internet": ("Internet", "Internet", "Internet"),
    "network": ("source/network", "Network", "Private network"),
    "node": ("source/node", "Nodes", "Cluster nodes"),
}
SOURCE_KINDS = frozenset(kind for _, kind, _ in SOURCES.values())
ENTRY_LEVELS = tuple(SOURCES)  # the levels a way in opens, the most exposed first
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
    tooltip: str = ""  # what it is, and its level
    cluster: str = ""  # the namespace it is drawn in; "" for none
    why: str = ""  # the one-line reason for its level: the way in and what the NetworkPolicies make of it


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
    table: tuple[str, str] | None = None  # (page, anchor) of the table that holds the same facts

    def as_dict(self) -> dict:
        """For golden files."""
        return {
            "key": self.key, "title": self.title, "page": self.page, "caption": self.caption, "grid": self.grid,
            "table": list(self.table) if self.table else None,
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


def merge_edges(edges: Iterable[Edge]) -> tuple[Edge, ...]:
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


def edges_by_part(edges: list[Edge], parts: list[set[str]]) -> list[list[Edge]]:
    """The edges between the nodes of each part, in their order, found from
    their sources rather than by a pass over every edge for every part."""
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(edges):
        by_source[e.source].append(i)
    return [[edges[i] for i in sorted(i for n in part for i in by_source.get(n, ()) if edges[i].target in part)]
            for part in parts]


def make_spec(key: str, title: str, page: str, nodes: Iterable[Node], edges: Iterable[Edge],
              clusters: Iterable[Cluster], caption: str = "", grid: int = 0,
              table: tuple[str, str] | None = None) -> DiagramSpec:
    order = [n.id for n in nodes]
    nodes = {n.id: n for n in nodes}
    edges = [e for e in edges if e.source in nodes and e.target in nodes]
    used = {n.cluster for n in nodes.values()}
    return DiagramSpec(
        key=key, title=title, page=page,
        nodes=tuple(nodes[k] for k in (dict.fromkeys(order) if grid else sorted(nodes))),
        edges=merge_edges(edges),
        clusters=tuple(sorted((c for c in clusters if c.id in used), key=lambda c: c.id)),
        caption=caption, grid=grid, table=table,
    )


def pack(groups: Iterable[tuple[str, ...]], limit: int = MAX_NODES) -> list[set[str]]:
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


def part_titles(key: str, title: str, count: int) -> list[tuple[str, str, str]]:
    """Key, title and caption of each part of a diagram split to stay readable."""
    if count == 1:
        return [(key, title, "")]
    return [(f"{key}-{i}", f"{title} ({i} of {count})", f"Part {i} of {count}") for i in range(1, count + 1)]



def split(spec: DiagramSpec, count: int) -> list[DiagramSpec]:
    """The diagram in `count` parts, for one too wide to read whole: its boxes
    in groups that edges other than calls join, the groups shared out in
    order by size, each part with what leads into its boxes (drawn again in
    every part it leads into) and the other end of their calls; `[spec]` when
    it does not come apart."""
    if count < 2 or spec.grid:
        return [spec]
    leading = {e.source for e in spec.edges if e.kind in LEADS_IN}
    groups = _joined([n.id for n in spec.nodes if n.id not in leading], spec.edges)
    count = min(count, len(groups))
    if count < 2:
        return [spec]
    total, done = sum(map(len, groups)), 0
    cores: list[set[str]] = [set() for _ in range(count)]
    for group in groups:
        cores[done * count // total].update(group)
        done += len(group)
    parts = [_with_neighbours(core, spec.edges) for core in cores if core]
    specs = []
    for (key, title, caption), part, edges in zip(part_titles(f"{spec.key}-part", spec.title, len(parts)), parts,
                                                  edges_by_part(list(spec.edges), parts)):
        used = {n.cluster for n in spec.nodes if n.id in part}
        caption = f"{spec.caption} ({caption.lower()})" if spec.caption else caption
        specs.append(replace(spec, key=key, title=title, caption=caption,
                             nodes=tuple(n for n in spec.nodes if n.id in part), edges=tuple(edges),
                             clusters=tuple(c for c in spec.clusters if c.id in used)))
    return specs


def _with_neighbours(core: set[str], edges: Iterable[Edge]) -> set[str]:
    """The boxes of a part: its own, what leads into them, and the other end of their calls."""
    into: dict[str, list[str]] = defaultdict(list)
    found = set(core)
    for e in edges:
        if e.kind in LEADS_IN:
            into[e.target].append(e.source)
        elif e.kind == "calls" and (e.source in core or e.target in core):
            found.update((e.source, e.target))
    stack = list(core)
    while stack:
        for source in into.get(stack.pop(), ()):
            if source not in found:
                found.add(source)
                stack.append(source)
    return found


def _joined(nodes: list[str], edges: Iterable[Edge]) -> list[list[str]]:
    """`nodes` in groups that edges between them (but calls) join, in their order."""
    order = {n: i for i, n in enumerate(nodes)}
    group = dict(order)
    members: dict[int, list[str]] = {i: [n] for i, n in enumerate(nodes)}
    for e in edges:
        if e.kind == "calls" or e.source not in group or e.target not in group:
            continue
        a, b = sorted((group[e.source], group[e.target]))
        if a != b:  # the later group joins the earlier one
            for n in members.pop(b):
                group[n] = a
                members[a].append(n)
    return [sorted(found, key=order.__getitem__) for _, found in sorted(members.items())]
