"""Why a pair can or cannot connect (`svcdocs reach --explain`): for each
side, the NetworkPolicies that select it and the rules that admit the other
side, with their files and lines; a side no policy selects is open."""

from __future__ import annotations

from dataclasses import dataclass

from svcdocs.analysis.reach import intervals, ports
from svcdocs.analysis.reach.engine import ANY_PEER, Engine, PodClass
from svcdocs.analysis.reach.listing import Connection
from svcdocs.analysis.reach.ports import NONE, Conn
from svcdocs.model import NetworkPolicy


@dataclass(frozen=True, slots=True)
class Reason:
    """One policy's say on one side of a pair, or a router that brings the traffic."""

    side: str  # egress | ingress | route
    subject: str  # the endpoint whose policies decide (the router, for a route)
    policy: NetworkPolicy | None = None  # None: no policy selects the subject for this side (open)
    rule: int | None = None  # the admitting rule, 1-based; None: the policy selects but admits nothing here
    rule_line: int = 0
    conn: Conn = NONE  # what the rule admits here
    detail: str = ""  # for a route: `Service shop/web port 80`


def explain(engine: Engine, connection: Connection) -> list[Reason]:
    found: list[Reason] = []
    for source, target in dict.fromkeys(connection.classes):
        found += _side(engine, "egress", connection.src.name, source, target, None)
        found += _side(engine, "ingress", connection.dst.name, target, source, None)
    for pod_class in dict.fromkeys(connection.outside):
        if connection.src.external is not None:
            found += _side(engine, "ingress", connection.dst.name, pod_class, None, connection.src.external)
        else:
            found += _side(engine, "egress", connection.src.name, pod_class, None, connection.dst.external)
    for backend in connection.routers:
        found.append(Reason("route", backend.router, detail=f"{backend.service.id} port {backend.port or 'any'}"))
    if connection.routers:
        pod = next((p for b in connection.routers for p in b.pods if p.endpoint == connection.dst.name), None)
        if pod is not None:
            found += _side(engine, "ingress", connection.dst.name, engine.pod_class(pod),
                           engine.pod_class(engine.stand_in), None)
    return list(dict.fromkeys(found))


def _side(engine: Engine, side: str, subject: str, own: PodClass, other: PodClass | None,
          outside: tuple[int, int, int] | None) -> list[Reason]:
    """The reasons of `own`'s policies on `side` about `other` (a class) or an address range."""
    policies = own.ingress_policies if side == "ingress" else own.egress_policies
    if not policies:
        return [Reason(side, subject)]
    entries = own.ingress if side == "ingress" else [(peer, None, rule) for peer, rule in own.egress]
    found = []
    for index in policies:
        admitting = []
        for peer, conn, rule in entries:
            if rule.policy != index or not _covers(engine, peer, other, outside):
                continue
            if conn is None:  # egress: ports depend on the destination
                conn = engine.rule_conn(rule, other)
            if not ports.empty(conn):
                admitting.append((rule, conn))
        policy = engine.policies[index]
        found += [Reason(side, subject, policy, rule.index + 1, rule.line, conn) for rule, conn in admitting]
        if not admitting:
            found.append(Reason(side, subject, policy))
    return found


def _covers(engine: Engine, peer: int, other: PodClass | None, outside: tuple[int, int, int] | None) -> bool:
    if peer == ANY_PEER:
        return True
    if other is not None:
        return engine.peer_matches(peer, other)
    found = engine.peers[peer].addresses
    if found is None or outside is None:
        return False
    version, low, high = outside
    return bool(intervals.intersection(found.family(version), ((low, high),)))
