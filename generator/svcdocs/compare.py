"""Compare environments: the same Services and workloads, side by side.

Environments of one repository name their objects differently on purpose: an
overlay sets its own namespace (`shop-dev`, `shop-prod`) or `namePrefix`
(`prod-web`). So objects are matched by kind and name, without the entry
kustomization's own `namePrefix` and `nameSuffix`, and without the namespace.
The namespace is part of the match only for a name that is ambiguous (one
environment holds that kind and name in several namespaces), and only for its
objects: every other name is still matched across environments, however many
names are ambiguous.

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
    keys = _keys(names)
    rows: dict[tuple, list[Cell | None]] = defaultdict(lambda: [None] * len(reports))
    for i, (environment, report) in enumerate(reports):
        for obj in (*report.model.services, *report.model.workloads):
            rows[keys[i][obj.id]][i] = _cell(report, obj)
    built = [_row(key, cells) for key, cells in rows.items()]
    built.sort(key=lambda r: (not r.differs, r.kind != "Service", r.kind, r.name, r.namespace))
    return Comparison(
        environments=tuple(e.name for e, _ in reports),
        rows=tuple(built),
        entries=_entries(reports, names, keys),
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

    def objects(self):
        return (*self.report.model.services, *self.report.model.workloads)


def _keys(names: list[_Names]) -> list[dict[str, tuple[str, str, str]]]:
    """Per environment, each object's row: (kind, name, namespace), the
    namespace "" unless that name is ambiguous. A name is matched per name,
    never per page: where every environment holds (kind, name) once, its
    objects share one row whatever their namespaces. Where one environment
    holds it in several namespaces, each of those is a row of its namespace;
    an environment that holds it once joins the row of its own namespace when
    there is one, else the row without a namespace."""
    held: dict[tuple[str, str], list[list]] = defaultdict(lambda: [[] for _ in names])
    for i, n in enumerate(names):
        for obj in n.objects():
            held[(obj.kind, n.base(obj.name))][i].append(obj)
    keys: list[dict[str, tuple[str, str, str]]] = [{} for _ in names]
    for (kind, name), per_environment in held.items():
        several = {o.namespace for objects in per_environment if len(objects) > 1 for o in objects}
        for i, objects in enumerate(per_environment):
            for obj in objects:
                qualified = len(objects) > 1 or obj.namespace in several
                keys[i][obj.id] = (kind, name, obj.namespace if qualified else "")
    return keys


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
             keys: list[dict[str, tuple[str, str, str]]]) -> tuple[EntryRow, ...]:
    levels: dict[tuple, list[str]] = defaultdict(lambda: [""] * len(reports))
    for i, (_, report) in enumerate(reports):
        for entry in report.analysis.entrypoints:
            target = report.graph.nodes.get(entry.service or entry.via)
            service = ""
            if target is not None:
                _, name, namespace = keys[i].get(target.id, (target.kind, names[i].base(target.name), ""))
                service = f"{namespace}/{name}" if namespace else name
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
