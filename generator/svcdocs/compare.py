"""Compare environments: the same Services and workloads, side by side.

Environments of one repository name their objects differently on purpose: an
overlay sets its own namespace (`shop-dev`, `shop-prod`) or `namePrefix`
(`prod-web`). So objects are matched by kind and name, without the entry
kustomization's own `namePrefix` and `nameSuffix`, and without the namespace,
unless one environment holds two of the same kind and name in different
namespaces (then the namespace is part of the match for that name).

Each Service's cell says its level, its type and its ways in; each workload's,
its level and whether a NetworkPolicy isolates it. A row differs when the
cells of the environments that hold the object differ, or when some
environments do not hold it. Entry points are matched the same way (how,
host, path, Service, port), and findings are counted per rule.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Sequence

from svcdocs.analysis import EntryPoint
from svcdocs.load.environments import Environment
from svcdocs.model import Service
from svcdocs.pipeline import Report
from svcdocs.rules import RULES

WAYS = {"ingress": "Ingress", "route": "route", "loadbalancer": "LoadBalancer", "external-ip": "externalIPs",
        "nodeport": "NodePort", "host-port": "hostPort"}
MAX_WAYS = 3  # ways in named in one cell; the rest are counted


@dataclass(frozen=True, slots=True)
class Cell:
    """One object in one environment; `present` False when it has none."""

    present: bool
    object_id: str = ""
    level: str = ""
    detail: str = ""  # "NodePort 30080", "LoadBalancer; Ingress shop.example.com/", "isolated", "no NetworkPolicy"
    namespace: str = ""


@dataclass(frozen=True, slots=True)
class Row:
    kind: str
    name: str  # without the environments' name prefixes and suffixes
    namespace: str  # "" when it differs between environments
    cells: tuple[Cell, ...]  # one per environment, in order

    @property
    def differs(self) -> bool:
        present = [(c.level, c.detail) for c in self.cells if c.present]
        return len(present) != len(self.cells) or len(set(present)) > 1


@dataclass(frozen=True, slots=True)
class EntryRow:
    way: str  # Ingress, route, LoadBalancer, NodePort, ...
    host: str
    path: str
    service: str  # matched name
    port: str
    levels: tuple[str, ...]  # per environment: the level it opens there, "" where there is no such way in

    @property
    def differs(self) -> bool:
        return len(set(self.levels)) > 1


@dataclass(frozen=True, slots=True)
class FindingRow:
    rule: str
    severity: str
    counts: tuple[int, ...]

    @property
    def differs(self) -> bool:
        return len(set(self.counts)) > 1


@dataclass(frozen=True)
class Comparison:
    environments: tuple[str, ...]
    rows: tuple[Row, ...]  # those that differ first, then the others; each by kind and name
    entries: tuple[EntryRow, ...]
    findings: tuple[FindingRow, ...]

    @property
    def differing(self) -> int:
        return sum(1 for row in self.rows if row.differs)


def compare(reports: Sequence[tuple[Environment, Report]]) -> Comparison:
    names = [_Names(environment, report) for environment, report in reports]
    with_namespace = _ambiguous(names)
    rows: dict[tuple, list[Cell | None]] = defaultdict(lambda: [None] * len(reports))
    for i, (environment, report) in enumerate(reports):
        for obj in (*report.model.services, *report.model.workloads):
            rows[names[i].key(obj, with_namespace)][i] = _cell(report, obj)
    built = [_row(key, cells) for key, cells in rows.items()]
    built.sort(key=lambda r: (not r.differs, r.kind != "Service", r.kind, r.name, r.namespace))
    return Comparison(
        environments=tuple(e.name for e, _ in reports),
        rows=tuple(built),
        entries=_entries(reports, names, with_namespace),
        findings=_findings(reports),
    )


class _Names:
    """How one environment's names are matched: without its own prefix and suffix."""

    def __init__(self, environment: Environment, report: Report):
        self.prefix = environment.name_prefix
        self.suffix = environment.name_suffix
        self.report = report

    def base(self, name: str) -> str:
        if self.prefix and name.startswith(self.prefix) and len(name) > len(self.prefix):
            name = name[len(self.prefix):]
        if self.suffix and name.endswith(self.suffix) and len(name) > len(self.suffix):
            name = name[:-len(self.suffix)]
        return name

    def key(self, obj, with_namespace: set[tuple[str, str]]) -> tuple[str, str, str]:
        base = self.base(obj.name)
        return (obj.kind, base, obj.namespace if (obj.kind, base) in with_namespace else "")


def _ambiguous(names: list[_Names]) -> set[tuple[str, str]]:
    """(kind, name) that some environment holds in two namespaces."""
    found: set[tuple[str, str]] = set()
    for n in names:
        counts = Counter((o.kind, n.base(o.name)) for o in (*n.report.model.services, *n.report.model.workloads))
        found.update(k for k, c in counts.items() if c > 1)
    return found


def _cell(report: Report, obj) -> Cell:
    level = report.analysis.level(obj.id) or "none"
    if isinstance(obj, Service):
        detail = _service_detail(report, obj)
    else:
        policies = len(report.graph.edges_to(obj.id, "isolates"))
        detail = f"isolated by {policies} NetworkPolic{'y' if policies == 1 else 'ies'}" if policies else "no NetworkPolicy"
    return Cell(True, obj.id, level, detail, obj.namespace)


def _service_detail(report: Report, service: Service) -> str:
    if service.headless:
        kind = "ClusterIP (headless)"
    elif service.type == "LoadBalancer" and report.analysis.level(service.id) == "network":
        kind = "LoadBalancer (internal)"
    else:
        kind = service.type
    ways = sorted({_way(e) for e in report.analysis.entrypoints
                   if e.service == service.id and e.kind in ("ingress", "route")})
    if len(ways) > MAX_WAYS:
        ways[MAX_WAYS:] = [f"and {len(ways) - MAX_WAYS} more"]
    return "; ".join([kind, *ways])


def _way(entry: EntryPoint) -> str:
    return f"{WAYS[entry.kind]} {entry.host or ''}{entry.path or ''}".rstrip()


def _row(key: tuple[str, str, str], cells: list[Cell | None]) -> Row:
    filled = tuple(c if c is not None else Cell(False) for c in cells)
    namespaces = {c.namespace for c in filled if c.present}
    return Row(key[0], key[1], namespaces.pop() if len(namespaces) == 1 else "", filled)


def _entries(reports: Sequence[tuple[Environment, Report]], names: list[_Names],
             with_namespace: set[tuple[str, str]]) -> tuple[EntryRow, ...]:
    levels: dict[tuple, list[str]] = defaultdict(lambda: [""] * len(reports))
    for i, (_, report) in enumerate(reports):
        for entry in report.analysis.entrypoints:
            target = report.graph.nodes.get(entry.service or entry.via)
            service = "/".join(p for p in names[i].key(target, with_namespace)[1:][::-1] if p) if target else ""
            port = entry.node_port if entry.kind == "nodeport" and entry.node_port else entry.port
            key = (WAYS[entry.kind], entry.host or "", entry.path or "", service, "" if port is None else str(port))
            levels[key][i] = entry.level
    rows = [EntryRow(*key, tuple(found)) for key, found in levels.items()]
    rows.sort(key=lambda r: (not r.differs, r.service, r.way, r.host, r.path, r.port))
    return tuple(rows)


def _findings(reports: Sequence[tuple[Environment, Report]]) -> tuple[FindingRow, ...]:
    counts = [Counter(f.rule for f in report.findings) for _, report in reports]
    return tuple(FindingRow(rule.id, rule.severity, tuple(c[rule.id] for c in counts))
                 for rule in RULES if any(c[rule.id] for c in counts))
