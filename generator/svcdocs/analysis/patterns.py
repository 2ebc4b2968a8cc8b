"""Patterns: the shapes the Services guidance names, and which Services follow each."""

from __future__ import annotations

from dataclasses import dataclass

from svcdocs.analysis.exposure import Exposure
from svcdocs.graph import Graph
from svcdocs.model import Service

PATTERN_IDS = (
    "ingress-pattern", "internal-microservices", "direct-loadbalancer",
    "nodeport-exposure", "external-dependency", "headless-stateful",
)


@dataclass(frozen=True, slots=True)
class Pattern:
    id: str
    services: tuple[str, ...]


def patterns(graph: Graph, exposure: dict[str, Exposure], levels: dict[str, str]) -> tuple[Pattern, ...]:
    """`levels`: what each router opens (analysis.exposure.router_levels)."""
    members: dict[str, list[str]] = {p: [] for p in PATTERN_IDS}
    stateful_names = {(w.namespace, w.service_name) for w in graph.model.workloads if w.service_name}
    for service in graph.model.services:
        for pattern in _patterns_of(graph, service, exposure[service.id].level, stateful_names, levels):
            members[pattern].append(service.id)
    return tuple(Pattern(p, tuple(sorted(ids))) for p, ids in sorted(members.items()) if ids)


def _patterns_of(graph: Graph, service: Service, level: str, stateful_names: set, levels: dict[str, str]) -> list[str]:
    found = []
    if service.type == "ClusterIP":
        routed = any(e.source in levels for e in graph.edges_to(service.id, "routes"))
        if routed:
            found.append("ingress-pattern")
        elif level == "cluster":
            found.append("internal-microservices")
        if service.headless and (
            (service.namespace, service.name) in stateful_names
            or any(w.kind == "StatefulSet" for w in graph.selected_workloads(service))
        ):
            found.append("headless-stateful")
    elif service.type == "LoadBalancer":
        found.append("direct-loadbalancer")
    elif service.type == "NodePort":
        found.append("nodeport-exposure")
    else:
        found.append("external-dependency")
    return found
