"""Reachability: who can reach whom under the NetworkPolicies (`svcdocs reach`),
and which ways in the policies really admit.

`engine` holds the Kubernetes semantics over classes of equivalent pods;
`listing` expands them to netpol-analyzer's `src => dst : conn` pairs;
`routers` is the traffic that Ingresses and routes bring in; `entries` says
whether each way in is open, restricted or blocked; `summary` sums up who
reaches each workload and the exposure the policies really allow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from svcdocs.analysis.entrypoints import EntryPoint
from svcdocs.analysis.exposure import Exposure
from svcdocs.analysis.reach.engine import STAND_IN, Engine, Pod, PodClass
from svcdocs.analysis.reach.entries import STATES, EntryPolicy, describe_peer, entry_policies
from svcdocs.analysis.reach.listing import Connection, Endpoint, connections, endpoints_named
from svcdocs.analysis.reach.routers import RouterBackend, router_backends
from svcdocs.analysis.reach.ports import Conn
from svcdocs.analysis.reach.summary import (
    ANY_NAMESPACE, EVERY_OTHER_NAMESPACE, INTERNET, NamespaceReach, Reachers, effective_exposure, every_namespace_conn,
    namespace_reach, reachers,
)
from svcdocs.graph import Graph

__all__ = ["ANY_NAMESPACE", "EVERY_OTHER_NAMESPACE", "INTERNET", "STAND_IN", "NamespaceReach", "STATES", "Connection", "Endpoint", "Engine", "EntryPolicy", "Pod",
           "PodClass", "Reachability", "Reachers", "RouterBackend", "connections", "describe_peer",
           "endpoints_named", "reachability"]


@dataclass(frozen=True)
class Reachability:
    engine: Engine
    backends: tuple[RouterBackend, ...]  # router -> Service -> pods, for {ingress-controller}
    entries: dict[EntryPoint, EntryPolicy]  # every entry point's policy state
    effective: dict[str, str]  # Service and workload ids -> the level the policies really allow
    reachers: dict[str, Reachers]  # workload ids -> who can reach it
    _namespaces: dict[str, NamespaceReach] = field(default_factory=dict, compare=False, repr=False)

    def entry(self, entry: EntryPoint) -> EntryPolicy | None:
        return self.entries.get(entry)

    @property
    def namespaces_with_workloads(self) -> set[str]:
        return {pod.namespace for pod in self.engine.pods}

    def namespace(self, namespace: str) -> NamespaceReach:
        """Who reaches a namespace and whom it reaches (computed once, when asked)."""
        if namespace not in self._namespaces:
            self._namespaces[namespace] = namespace_reach(self.engine, self.reachers, namespace)
        return self._namespaces[namespace]

    def from_every_namespace(self, workload_id: str) -> Conn:
        """What a workload admits from every pod of every namespace."""
        return every_namespace_conn(self.engine, self.engine.pod_class(self.engine.pod_of[workload_id]))


def reachability(graph: Graph, router_levels: dict[str, str], entrypoints: tuple[EntryPoint, ...],
                 exposure: dict[str, Exposure]) -> Reachability:
    engine = Engine(graph.model)
    entries = entry_policies(engine, graph, entrypoints)
    return Reachability(
        engine=engine,
        backends=tuple(router_backends(engine, graph, router_levels)),
        entries=entries,
        effective=effective_exposure(engine, graph, exposure, entries),
        reachers=reachers(engine, graph, entries),
    )
