"""Reachability: who can reach whom under the NetworkPolicies (`svcdocs reach`),
and which ways in the policies really admit.

`engine` holds the Kubernetes semantics over classes of equivalent pods;
`listing` expands them to netpol-analyzer's `src => dst : conn` pairs;
`routers` is the traffic that Ingresses and routes bring in.
"""

from __future__ import annotations

from dataclasses import dataclass

from svcdocs.analysis.reach.engine import STAND_IN, Engine, Pod, PodClass
from svcdocs.analysis.reach.listing import Connection, Endpoint, connections, endpoints_named
from svcdocs.analysis.reach.routers import RouterBackend, router_backends
from svcdocs.graph import Graph

__all__ = ["STAND_IN", "Connection", "Endpoint", "Engine", "Pod", "PodClass", "Reachability", "RouterBackend",
           "connections", "endpoints_named", "reachability"]


@dataclass(frozen=True)
class Reachability:
    engine: Engine
    backends: tuple[RouterBackend, ...]


def reachability(graph: Graph, router_levels: dict[str, str]) -> Reachability:
    engine = Engine(graph.model)
    return Reachability(engine, tuple(router_backends(engine, graph, router_levels)))
