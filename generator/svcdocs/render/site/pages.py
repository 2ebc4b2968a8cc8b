"""Every page of the site, and what its template is given.

Python computes here: counts, rows, and links as `Link(text, url)` with the
URL already relative to the page (directory URLs, as mkdocs serves them).
The templates in `templates/site/` hold the words and the layout. They are
Markdown whose headings are Markdown and whose bodies are raw HTML blocks:
Jinja escapes every value for HTML, and a heading that shows a manifest's
text escapes it for Markdown (`| md`). Raw HTML is also what keeps mkdocs
fast on a thousand pages: Python-Markdown does not parse inside it.

A list that grows with how many objects a selector matches (the workloads a
Service selects, the Services that select a workload, routes, callers, the
findings of related objects) shows its first items and counts the others
(`Shown`), with a link to where they are: no page grows as Services x
workloads. The tables of a namespace, the Findings and the Exposure pages
keep a row for every object, finding and way in.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Callable, Iterable, NamedTuple, Sequence, TypeVar
from urllib.parse import quote

from svcdocs.analysis import LEVELS, RANK, EntryPoint
from svcdocs.analysis.reach import EVERY_OTHER_NAMESPACE, Reachers
from svcdocs.analysis.reach.ports import ALL, NONE, Conn, text, union_all
from svcdocs.graph import Edge, Synthetic
from svcdocs.graph.labels import selected_group
from svcdocs.graph.routing import GATEWAY_KINDS
from svcdocs.model import (
    BackendTLSPolicy, Gateway, ReferenceGrant, RoutedWorkload, Router, Service, ServiceEntry, Workload, id_kind,
)
from svcdocs.model.operators import FAMILIES
from svcdocs.model.routers import READ_KINDS
from svcdocs.pipeline import Report
from svcdocs.render.locations import relative_to
from svcdocs.render.rules_doc import rule_markdown
from svcdocs.render.site.names import SiteMap, anchor, url_from
from svcdocs.render.site.spec import DiagramSpec, entry_label, kind_label, route_label
from svcdocs.rules import RULES, SEVERITY_ORDER, Finding

HOME_ENTRY_ROWS = 15
HOME_FINDINGS = 10
# However many objects a selector matches, a list on a page shows this many
# and counts the rest, so that no page grows as Services x workloads.
LIST_ITEMS = 50  # a list of its own on a Service page; a router's routes
CELL_ITEMS = 10  # the links in one cell of a table
FINDING_ITEMS = 20  # the findings of the workloads a Service selects, on its page
# A finding's message may name every Service that selects a workload; a
# Service page shows those of many workloads, so there they are cut to this.
MESSAGE_CHARS = 400
ENTRY_LEVELS = ("internet", "network", "node")
SEVERITIES = tuple(reversed(SEVERITY_ORDER))  # error first
TITLES = {"index.md": "Overview", "exposure.md": "Exposure", "patterns.md": "Patterns", "findings.md": "Findings", "rules.md": "Rules",
          "namespaces/index.md": "Namespaces"}
TLS_WORDS = {True: "TLS", False: "plain", None: ""}


KNOWN_OPERATORS = frozenset(family.OPERATOR for family in FAMILIES)


class Link(NamedTuple):
    text: str
    url: str | None = None  # None: plain text
    note: str = ""  # shown after the link, in parentheses
    level: str | None = None  # an exposure badge after the link


class Shown(list):
    """The first items of a longer list: `more` counts the others, and `where`
    is the URL of a place that says more about them (or None)."""

    more: int = 0
    where: str | None = None


T = TypeVar("T")


def first(items: Sequence[T], limit: int, make: Callable[[T], Any], where: str | None = None) -> Shown:
    """`make` of the first `limit` items, and how many more there are; `make`
    runs on those only."""
    shown = Shown(make(item) for item in items[:limit])
    shown.more = max(0, len(items) - limit)
    shown.where = where if shown.more else None
    return shown


@dataclass(frozen=True)
class Page:
    path: str  # under docs/
    template: str  # under templates/
    context: dict[str, Any]
    diagrams: tuple[str, ...] = ()  # keys of the diagrams drawn on it, in order
    banner: str = ""  # raw HTML svcdocs made, shown first (the environment switcher)


@dataclass(frozen=True)
class SiteOptions:
    title: str
    repo_url: str | None = None  # file paths relative to the repository root are appended
    source_root: str = "."


@dataclass
class _Index:
    """Lookups that many pages share, built once."""

    findings_by_object: dict[str, list[Finding]] = field(default_factory=lambda: defaultdict(list))
    entries_by_service: dict[str, list[EntryPoint]] = field(default_factory=lambda: defaultdict(list))
    entries_by_namespace: dict[str, list[EntryPoint]] = field(default_factory=lambda: defaultdict(list))
    policies_of: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    nodes_by_namespace: dict[str, list] = field(default_factory=lambda: defaultdict(list))
    calls_by_namespace: dict[str, list[Edge]] = field(default_factory=lambda: defaultdict(list))
    calls_from: dict[str, list[Edge]] = field(default_factory=lambda: defaultdict(list))
    backend_tls_of: dict[str, list[BackendTLSPolicy]] = field(default_factory=lambda: defaultdict(list))


def site_pages(report: Report, sitemap: SiteMap, specs: Iterable[DiagramSpec], options: SiteOptions) -> list[Page]:
    pages = _Pages(report, sitemap, options, specs)
    result = [pages.home(), pages.exposure(), pages.patterns(), pages.findings(), pages.rules(),
              pages.namespace_index()]
    result += [pages.namespace(ns) for ns in sorted(sitemap.namespaces)]
    result += [pages.service(s) for s in report.graph.model.services]
    return result


class _Pages:
    def __init__(self, report: Report, sitemap: SiteMap, options: SiteOptions, specs: Iterable[DiagramSpec]):
        self.report = report
        self.graph = report.graph
        self.sitemap = sitemap
        self.options = options
        self.level = report.analysis.level
        self.reach = report.analysis.reach
        self.diagrams_on: dict[str, list[str]] = defaultdict(list)
        for spec in specs:
            self.diagrams_on[spec.page].append(spec.key)
        self.index = _index(report)
        self.workload_ids = frozenset(w.id for w in report.graph.model.workloads)

    def page(self, path: str, template: str, **context) -> Page:
        context.setdefault("site_title", self.options.title)
        context.setdefault("title", TITLES.get(path, self.options.title))
        return Page(path, f"site/{template}", context, tuple(self.diagrams_on.get(path, ())))

    # --- links and small pieces -------------------------------------------------

    def link(self, here: str, node_id: str, text: str | None = None, note: str = "",
             level: str | None = None) -> Link:
        """A link to the page of a graph node; plain text when it has none."""
        node = self.graph.nodes.get(node_id)
        if node is None:
            return Link(text or node_id, None, note, level)
        where = self.sitemap.page_of(node_id, node.kind, node.namespace, node.name)
        return Link(node.name if text is None else text, url_from(here, *where) if where else None, note, level)

    def object_link(self, here: str, node_id: str, **kwargs) -> Link:
        """`Deployment shop/web`, `shop/web` for a Service, linked."""
        return self.link(here, node_id, short_id(node_id), **kwargs)

    def namespace_link(self, here: str, namespace: str) -> Link:
        return Link(namespace, url_from(here, self.sitemap.namespaces[namespace]))

    def source(self, file: str, line: int) -> Link:
        """`file:line`, linked to the repository when --repo-url was given."""
        relative = relative_to(self.options.source_root, file) if self.options.repo_url else None
        url = f"{self.options.repo_url}{quote(relative)}#L{line}" if relative is not None else None
        return Link(f"{file}:{line}", url)

    def finding_rows(self, here: str, findings: Iterable[Finding], cut: int | None = None) -> list[dict]:
        return [{"severity": f.severity, "rule": Link(f.rule, url_from(here, "rules.md", f.rule)),
                 "object": self.object_link(here, f.object), "where": self.source(f.file, f.line),
                 "message": shortened(f.message, cut) if cut else f.message} for f in findings]

    def entry_row(self, here: str, entry: EntryPoint) -> dict:
        via = self.graph.nodes[entry.via]
        if entry.kind in ("ingress", "route"):
            through = self.object_link(here, entry.via)
        else:
            through = Link(entry_label(entry) or via.kind)
        policy = self.reach.entry(entry)
        return {
            "level": entry.level, "through": through, "listeners": ", ".join(entry.listeners),
            "policy": policy.state if policy else "open",
            "admitted": first(policy.sources if policy else (), CELL_ITEMS, lambda s: self.source_link(here, s)),
            "gateways": [self.object_link(here, g) for g in entry.gateways], "host": entry.host or "", "path": entry.path or "",
            "port": entry.port if entry.port is not None else "", "tls": TLS_WORDS[entry.tls],
            "service": self.link(here, entry.service, f"{short_id(entry.service)}:{entry.port}")
            if entry.service else None,
            "workloads": first(entry.workloads, CELL_ITEMS, lambda w: self.object_link(here, w),
                               self.service_url(here, entry.service, "selects") if entry.service else None),
        }

    def source_link(self, here: str, source: str) -> Link:
        """Who a way in admits: a controller workload (linked), or words (a CIDR, a rule's peer)."""
        return self.object_link(here, source) if source in self.graph.nodes else Link(source)

    def effective(self, object_id: str) -> str | None:
        """The level the NetworkPolicies allow, where it differs from the declared one."""
        found = self.reach.effective.get(object_id)
        return found if found is not None and found != self.level(object_id) else None

    def service_url(self, here: str, service_id: str, part: str = "") -> str:
        return url_from(here, self.sitemap.services[service_id], part)

    def namespace_url(self, here: str, namespace: str, part: str = "") -> str:
        return url_from(here, self.sitemap.namespaces[namespace], part)

    # --- top pages -------------------------------------------------------------------

    def home(self) -> Page:
        here = "index.md"
        model = self.graph.model
        entries = sorted(self.report.analysis.entrypoints, key=lambda e: (-RANK[e.level], e.sort_key()))
        findings = sorted(self.report.findings, key=lambda f: (SEVERITIES.index(f.severity), f.sort_key()))
        return self.page(
            here, "index.md.j2",
            counts=_input_counts(self.report, len(self.sitemap.namespaces)),
            routing_kinds=list(model.inputs.routing_kinds),
            routing_skipped=sum(n for _, n in model.inputs.routing_kinds),
            levels=self.level_counts(),
            entries=[self.entry_row(here, e) for e in entries[:HOME_ENTRY_ROWS]],
            more_entries=max(0, len(entries) - HOME_ENTRY_ROWS),
            severities=_severity_counts(self.report.findings),
            findings=self.finding_rows(here, findings[:HOME_FINDINGS]),
            more_findings=max(0, len(findings) - HOME_FINDINGS),
            problems=len(model.inputs.problems),
        )

    def level_counts(self) -> list[dict]:
        """Services, workloads and ways in by level: declared, and as the NetworkPolicies allow."""
        model = self.graph.model
        services = Counter(self.level(s.id) for s in model.services)
        workloads = Counter(self.level(w.id) for w in model.workloads)
        admitted_services = Counter(self.reach.effective.get(s.id) for s in model.services)
        admitted_workloads = Counter(self.reach.effective.get(w.id) for w in model.workloads)
        entries = Counter(e.level for e in self.report.analysis.entrypoints)
        dead = Counter(e.level for e in self.report.analysis.entrypoints
                       if (p := self.reach.entry(e)) is not None and p.state == "blocked")
        return [{"level": level, "services": services[level], "workloads": workloads[level],
                 "admitted_services": admitted_services[level], "admitted_workloads": admitted_workloads[level],
                 "entries": entries[level] if level in ENTRY_LEVELS else "", "blocked": dead[level]}
                for level in reversed(LEVELS)
                if services[level] or workloads[level] or admitted_services[level] or admitted_workloads[level]]

    def exposure(self) -> Page:
        here = "exposure.md"
        by_level: dict[str, list[dict]] = {level: [] for level in ENTRY_LEVELS}
        for entry in self.report.analysis.entrypoints:
            by_level[entry.level].append(self.entry_row(here, entry))
        return self.page(here, "exposure.md.j2", levels=self.level_counts(),
                         entries=[(level, rows) for level, rows in by_level.items() if rows])

    def patterns(self) -> Page:
        here = "patterns.md"
        found = []
        for pattern in self.report.analysis.patterns:
            by_namespace: dict[str, list[Link]] = defaultdict(list)
            for service_id in pattern.services:
                by_namespace[self.graph.nodes[service_id].namespace].append(self.link(here, service_id))
            found.append({"id": pattern.id, "count": len(pattern.services), "namespaces": [
                {"link": self.namespace_link(here, ns), "services": links} for ns, links in sorted(by_namespace.items())
            ]})
        return self.page(here, "patterns.md.j2", patterns=found)

    def findings(self) -> Page:
        here = "findings.md"
        by_rule: dict[str, list[Finding]] = defaultdict(list)
        for finding in self.report.findings:
            by_rule[finding.rule].append(finding)
        groups = [{"rule": rule, "rows": self.finding_rows(here, by_rule[rule.id])}
                  for rule in RULES if rule.id in by_rule]
        inputs = self.graph.model.inputs
        return self.page(
            here, "findings.md.j2", severities=_severity_counts(self.report.findings), groups=groups,
            problems=[{"where": self.source(p.file, p.line), "reason": p.reason} for p in inputs.problems],
            other_kinds=list(inputs.other_kinds), skipped=inputs.skipped,
        )

    def rules(self) -> Page:
        counts = Counter(f.rule for f in self.report.findings)
        rules = [{"id": r.id, "severity": r.severity, "summary": r.summary, "found": counts[r.id],
                  "doc": rule_markdown(r)} for r in RULES]
        return self.page("rules.md", "rules.md.j2", rules=rules)

    # --- namespaces --------------------------------------------------------------------

    def namespace_index(self) -> Page:
        here = "namespaces/index.md"
        rows = [self.namespace_summary(here, ns) for ns in sorted(self.sitemap.namespaces)]
        return self.page(here, "namespaces.md.j2", namespaces=rows)

    def namespace_summary(self, here: str, namespace: str) -> dict:
        nodes = self.index.nodes_by_namespace[namespace]
        services = [n for n in nodes if isinstance(n, Service)]
        workloads = [n for n in nodes if isinstance(n, Workload)]
        levels = [self.level(o.id) or "none" for o in (*services, *workloads)]
        return {"link": self.namespace_link(here, namespace), "services": len(services), "workloads": len(workloads),
                "level": max(levels, key=RANK.__getitem__) if levels else "none",
                "entries": len(self.index.entries_by_namespace.get(namespace, ())),
                "policies": sum(1 for n in nodes if n.kind == "NetworkPolicy"),
                "findings": sum(len(self.index.findings_by_object.get(n.id, ())) for n in nodes)}

    def namespace(self, namespace: str) -> Page:
        here = self.sitemap.namespaces[namespace]
        nodes = self.index.nodes_by_namespace[namespace]
        findings = [f for n in nodes for f in self.index.findings_by_object.get(n.id, ())]
        return self.page(
            here, "namespace.md.j2", namespace=namespace, title=f"Namespace {namespace}",
            summary=self.namespace_summary(here, namespace),
            services=[self.service_row(here, n) for n in nodes if isinstance(n, Service)],
            workloads=[self.workload_row(here, n) for n in nodes if isinstance(n, Workload)],
            routers=[self.router_row(here, n.router if isinstance(n, RoutedWorkload) else n)
                     for n in nodes if isinstance(n, (Router, RoutedWorkload))],
            gateways=[self.gateway_row(here, n) for n in nodes if _is_gateway(n)],
            others=[self.other_row(here, n) for n in nodes if isinstance(n, (ServiceEntry, ReferenceGrant,
                                                                           BackendTLSPolicy))],
            policies=[self.policy_row(n) for n in nodes if n.kind == "NetworkPolicy"],
            entries=[self.entry_row(here, e) for e in self.index.entries_by_namespace.get(namespace, ())],
            calls=[{"caller": self.object_link(here, e.source), "service": self.object_link(here, e.target),
                    "variables": ", ".join(e.env)} for e in self.index.calls_by_namespace.get(namespace, ())],
            findings=self.finding_rows(here, sorted(findings, key=Finding.sort_key)),
            reach=[self.reach_row(here, n) for n in nodes if isinstance(n, Workload)],
            reach_diagrams=sum(1 for key in self.diagrams_on.get(here, ()) if key.startswith("reach-")),
            reaches=self.reaches_rows(here, namespace),
        )

    def reach_row(self, here: str, workload: Workload, own: bool = True) -> dict:
        """Who can reach a workload: the internet, namespaces, workloads, on which ports, through which policies."""
        found = self.reach.reachers.get(workload.id, Reachers())
        namespaces = [Link("any namespace", None, conn_words(found.any_namespace))] \
            if found.any_namespace != NONE else []
        namespaces += [Link(ns, url_from(here, self.sitemap.namespaces[ns]) if ns in self.sitemap.namespaces else None,
                            conn_words(conn)) for ns, conn in found.namespaces]
        return {
            "anchor": "reach-" + anchor(workload.kind, workload.name),
            "workload": self.link(here, workload.id, f"{workload.kind} {workload.name}" if own else short_id(workload.id)),
            "internet": conn_words(found.internet) if found.internet != NONE else "",
            "namespaces": namespaces,
            "workloads": first(found.workloads, CELL_ITEMS,
                               lambda item: self.object_link(here, item[0], note=conn_words(item[1]))),
            "policies": first(found.policies, CELL_ITEMS, lambda p: self.link(here, p)),
        }

    def reaches_rows(self, here: str, namespace: str) -> list[dict]:
        """Whom the namespace's workloads reach in the other namespaces of the input."""
        found = self.reach.namespace(namespace)
        by_target: dict[str, list[tuple[Conn, int]]] = defaultdict(list)
        for _, target, conn, count in found.outbound:
            by_target[target].append((conn, count))
        rows = []
        for target, items in sorted(by_target.items()):
            conn = union_all(c for c, _ in items)
            link = Link("every other namespace") if target == EVERY_OTHER_NAMESPACE else \
                Link(target, url_from(here, self.sitemap.namespaces[target]) if target in self.sitemap.namespaces else None)
            rows.append({"namespace": link, "conn": conn_words(conn), "groups": len(items)})
        return rows

    def service_row(self, here: str, service: Service) -> dict:
        return {"link": self.link(here, service.id), "type": service_type(service),
                "level": self.level(service.id) or "none", "effective": self.effective(service.id),
                "ports": ports_summary(service),
                "selects": first(self.graph.selected_workloads(service), CELL_ITEMS,
                                 lambda w: self.link(here, w.id, f"{w.kind} {w.name}"),
                                 self.service_url(here, service.id, "selects"))}

    def workload_row(self, here: str, workload: Workload) -> dict:
        ports = [f"{c.name}:{p.number}" + (f" (hostPort {p.host_port})" if p.host_port else "")
                 for c in workload.containers for p in c.ports]
        return {
            "anchor": anchor(id_kind(workload.id), workload.name), "name": workload.name,
            "kind": kind_label(workload),
            "level": self.level(workload.id) or "none", "effective": self.effective(workload.id),
            "selected_by": first(self.graph.selecting_services(workload), CELL_ITEMS, lambda s: self.link(here, s.id),
                                 "#services"),
            "policies": first(self.index.policies_of.get(workload.id, ()), CELL_ITEMS, lambda p: self.link(here, p),
                              "#networkpolicies"),
            "ports": ", ".join(ports) + (" (hostNetwork)" if workload.host_network else ""),
            "source": self.source(workload.file, workload.line),
        }

    def router_row(self, here: str, router: Router) -> dict:
        edges = self.graph.edges_from(router.id)
        kind = kind_label(router) + (f" on {', '.join(router.listeners)}" if router.listeners else "")
        # A workload that is its own way in has its row among the workloads too: this one's anchor differs.
        way_in = "-way-in" if router.id in self.workload_ids else ""
        return {
            "anchor": anchor(id_kind(router.id), router.name) + way_in, "name": router.name, "kind": kind,
            "class": router.class_name or "",
            "parents": [self.object_link(here, e.target) for e in edges if e.kind == "attaches"],
            "routes": first([e for e in edges if e.kind == "routes"], LIST_ITEMS, lambda e: {
                "address": route_label(e.host, e.path), "service": self.link(here, e.target),
                "port": e.port if e.port is not None else ""}),
            "unread": [{"address": route_label(r.host, r.path), "target": f"{r.kind} {r.name}",
                        "group": r.group} for r in getattr(router, "resources", ())
                       if (r.group, r.kind) not in READ_KINDS],
            "note": self.report.analysis.router_notes.get(router.id, ""),
            "source": self.source(router.file, router.line),
        }

    def gateway_row(self, here: str, gateway) -> dict:
        """A Gateway, ListenerSet or Istio Gateway: its listeners, and the
        Gateway (for a ListenerSet) or the proxy pods (for an Istio Gateway) it is on."""
        declared = isinstance(gateway, Gateway)
        edges = self.graph.edges_from(gateway.id)
        return {
            "anchor": anchor(id_kind(gateway.id), gateway.name), "name": gateway.name, "kind": kind_label(gateway),
            "class": getattr(gateway, "class_name", None) or "",
            "listeners": ", ".join(" ".join(str(v) for v in (l.name, l.protocol, l.port, l.hostname) if v)
                                   for l in getattr(gateway, "listeners", ())),
            "on": [self.object_link(here, e.target) for e in edges if e.kind in ("attaches", "configures")],
            "source": self.source(gateway.file, gateway.line) if declared else None,
        }

    def other_row(self, here: str, obj) -> dict:
        """An Istio ServiceEntry, a ReferenceGrant or a BackendTLSPolicy: what it says, in a line."""
        if isinstance(obj, ServiceEntry):
            what = ("outside the mesh: " if obj.external else "inside the mesh: ") + ", ".join(obj.hosts)
        elif isinstance(obj, ReferenceGrant):
            what = ("lets " + ", ".join(f"{f.kind} of {f.namespace}" for f in obj.grants_from) + " use "
                    + ", ".join(t.kind + (f" {t.name}" if t.name else "") for t in obj.grants_to) + " here")
        else:
            what = ("TLS from the gateway to " + ", ".join(f"{t.kind} {t.name}" for t in obj.targets)
                    + (f", certificate for {obj.hostname}" if obj.hostname else ""))
        return {"anchor": anchor(id_kind(obj.id), obj.name), "name": obj.name, "kind": kind_label(obj),
                "what": what, "source": self.source(obj.file, obj.line)}

    def policy_row(self, policy) -> dict:
        selector = policy.pod_selector
        types = policy.policy_types or ("Ingress",)
        return {
            "anchor": anchor(policy.kind, policy.name), "name": policy.name,
            "selector": "all pods" if selector.selects_all else ", ".join(
                [pairs(selector.match_labels)] * bool(selector.match_labels)
                + [f"{r.key} {r.operator} {', '.join(r.values)}".strip() for r in selector.match_expressions]),
            "types": ", ".join(types),
            "default_deny": selector.selects_all and "Ingress" in types and policy.ingress_rules == 0,
            "workloads": len(self.graph.edges_from(policy.id, "isolates")),
            "source": self.source(policy.file, policy.line),
        }

    # --- Services ----------------------------------------------------------------------

    def service(self, service: Service) -> Page:
        here = self.sitemap.services[service.id]
        selects = self.graph.edges_from(service.id, "selects")
        workloads = [e.target for e in selects]
        related = [self.index.findings_by_object.get(w, ()) for w in workloads]
        shown = list(islice(heapq.merge(*related, key=Finding.sort_key), FINDING_ITEMS))  # each list is sorted
        findings = sorted([*self.index.findings_by_object.get(service.id, ()), *shown], key=Finding.sort_key)
        calls = {(e.target, ", ".join(e.env)): None for w in workloads for e in self.index.calls_from.get(w, ())}
        reasons = [r for r in self.report.analysis.exposure[service.id].reasons if r in self.graph.nodes]
        return self.page(
            here, "service.md.j2", service=service, title=f"{service.kind} {service.namespace}/{service.name}",
            type=service_type(service), namespace=self.namespace_link(here, service.namespace),
            level=self.level(service.id), effective=self.effective(service.id),
            reached_by=first(self.graph.selected_workloads(service), LIST_ITEMS,
                             lambda w: self.reach_row(here, w, own=False),
                             self.namespace_url(here, service.namespace, "reachability")),
            reasons=first(reasons, LIST_ITEMS, lambda r: self.object_link(here, r)),
            entries=first(self.index.entries_by_service.get(service.id, ()), LIST_ITEMS,
                          lambda e: self.entry_row(here, e), url_from(here, "exposure.md")),
            ports=self.port_rows(service, selects),
            selector=pairs(service.selector) if service.selector else None,
            selects=first(workloads, LIST_ITEMS, lambda w: self.object_link(here, w, level=self.level(w),
                                                                           note=self.made_by(w, service)),
                          self.namespace_url(here, service.namespace, "workloads")),
            routed_from=first(self.graph.edges_to(service.id, "routes"), LIST_ITEMS,
                              lambda e: self.object_link(here, e.source, note=route_label(e.host, e.path)
                                                         + (f" port {e.port}" if e.port is not None else ""))),
            callers=first(self.graph.edges_to(service.id, "calls"), LIST_ITEMS,
                          lambda e: self.object_link(here, e.source, note=", ".join(e.env))),
            calls=first(list(calls), LIST_ITEMS, lambda call: self.object_link(here, call[0], note=call[1])),
            external_ips=", ".join(service.external_ips),
            source_ranges=", ".join(service.source_ranges),
            backend_tls=[{"link": self.object_link(here, p.id), "hostname": p.hostname or ""}
                         for p in self.index.backend_tls_of.get(service.id, ())],
            findings=self.finding_rows(here, findings, cut=MESSAGE_CHARS),
            more_findings=sum(map(len, related)) - len(shown),
            all_findings=self.namespace_url(here, service.namespace, "findings"),
            source=self.source(service.file, service.line),
        )

    def made_by(self, workload_id: str, service: Service) -> str:
        """For a custom resource's pods: which operator makes them, and where
        the labels the selector matched are written."""
        workload = self.graph.nodes[workload_id]
        if not isinstance(workload, Workload) or not workload.operator:
            return ""
        group = selected_group(workload, service.selector or ())
        where = f", labels from {group.where}" if group is not None and group.where else ""
        maker = workload.operator if workload.operator in KNOWN_OPERATORS else \
            f"{workload.kind}/{workload.name}'s operator"
        return f"pods that {maker} makes{where}"

    def port_rows(self, service: Service, selects: tuple[Edge, ...]) -> list[dict]:
        return [{"name": port.name or "", "port": port.port, "protocol": port.protocol,
                 "target": port.target, "node_port": port.node_port or "",
                 "container": first(selects, CELL_ITEMS, lambda edge, i=i: self.container_port(edge, i), "#selects")}
                for i, port in enumerate(service.ports)]

    def container_port(self, edge: Edge, i: int) -> str:
        """`web: 8080`: where a selects edge takes the Service's `i`th port."""
        mapping = edge.ports[i] if i < len(edge.ports) else None
        workload = self.graph.nodes[edge.target]
        found = "not declared" if mapping is None or mapping.container_port is None else mapping.container_port
        if found == "not declared" and getattr(workload, "operator", None) and not workload.containers:
            found = "set by its operator"
        return f"{workload.name}: {found}"


# --- Helpers -------------------------------------------------------------------------

def _index(report: Report) -> _Index:
    graph = report.graph
    index = _Index()
    for finding in report.findings:  # sorted: so is each object's list
        index.findings_by_object[finding.object].append(finding)
    for entry in report.analysis.entrypoints:
        target = entry.service or entry.via
        index.entries_by_service[target].append(entry)
        index.entries_by_namespace[graph.nodes[target].namespace].append(entry)
    for node in graph.nodes.values():
        index.nodes_by_namespace[node.namespace].append(node)
    for policy in graph.model.backend_tls:
        for target in policy.targets:
            index.backend_tls_of[f"{target.kind}/{policy.namespace}/{target.name}"].append(policy)
    for edge in graph.edges:
        if edge.kind == "isolates":
            index.policies_of[edge.target].append(edge.source)
        elif edge.kind == "calls":
            index.calls_from[edge.source].append(edge)
            source, target = graph.nodes[edge.source].namespace, graph.nodes[edge.target].namespace
            if source != target:
                index.calls_by_namespace[source].append(edge)
                index.calls_by_namespace[target].append(edge)
    return index


def conn_words(conn: Conn) -> str:
    """`every port`, or `TCP 8080,UDP 53`."""
    return "every port" if conn == ALL else text(conn)


def _is_gateway(node) -> bool:
    return isinstance(node, Gateway) or (isinstance(node, Synthetic) and id_kind(node.id) in GATEWAY_KINDS)


def short_id(object_id: str) -> str:
    """`Deployment/shop/web` -> `Deployment shop/web`; a Service loses its kind."""
    kind, _, rest = object_id.partition("/")
    rest = rest.lstrip("/")
    return rest if kind == "Service" else f"{kind} {rest}"


def shortened(text: str, limit: int) -> str:
    """`text`, or its first words up to `limit` characters and `…`."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(",;: ") + " …"


def pairs(values) -> str:
    return ", ".join(f"{k}={v}" for k, v in values)


def service_type(service: Service) -> str:
    if service.headless:
        return "ClusterIP (headless)"
    if service.type == "ClusterIP" and service.selector is None:
        return "ClusterIP (no selector)"
    return service.type


def ports_summary(service: Service) -> str:
    if service.type == "ExternalName":
        return service.external_name or ""
    parts = []
    for port in service.ports:
        text = str(port.port)
        if port.target not in (None, port.port):
            text += f"→{port.target}"
        if port.node_port:
            text += f" (node {port.node_port})"
        parts.append(text)
    return ", ".join(parts)


def _severity_counts(findings: Iterable[Finding]) -> list[dict]:
    counts = Counter(f.severity for f in findings)
    return [{"severity": s, "count": counts[s]} for s in SEVERITIES]


def _input_counts(report: Report, namespaces: int) -> dict:
    model = report.graph.model
    return {"services": len(model.services), "workloads": len(model.workloads), "namespaces": namespaces,
            "files": model.inputs.files, "documents": model.inputs.documents,
            "entries": len(report.analysis.entrypoints), "findings": len(report.findings)}
