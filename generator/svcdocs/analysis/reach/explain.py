"""Why a pair can or cannot connect (`svcdocs reach --explain`): for each
side, the policies that decide, stage by stage, with their kind, file and
line: the rules that allow, deny or pass each part of the connection, the
stage that denies what its policies leave undecided, and what no policy
decides (allowed). A side that no policy applies to is open."""

from __future__ import annotations

from dataclasses import dataclass

from svcdocs.analysis.reach import intervals, ports
from svcdocs.analysis.reach.engine import Engine, Entry, PodClass, Step
from svcdocs.analysis.reach.listing import Connection
from svcdocs.analysis.reach.ports import ALL, NONE, Conn


@dataclass(frozen=True, slots=True)
class Reason:
    """One policy's say on one side of a pair, or a router that brings the traffic."""

    side: str  # egress | ingress | route
    subject: str  # the endpoint whose policies decide (the router, for a route)
    policy: object | None = None  # a NetworkPolicy or TieredPolicy; None: no policy decides (see `action`)
    rule: int | None = None  # the deciding rule, 1-based; None: the end of a stage that isolates the subject
    rule_line: int = 0
    conn: Conn = NONE  # what it decides here
    detail: str = ""  # for a route: `Service shop/web port 80`
    action: str = "Allow"  # Allow | Deny | Pass; for `policy` None: open (nothing applies) or Allow (none decides)
    rule_name: str = ""
    layer7: str = ""  # a rule at layer 7 narrows what this one allows
    stage_end: str = ""  # for a stage's end: Deny or Pass


def explain(engine: Engine, connection: Connection) -> list[Reason]:
    found: list[Reason] = []
    for source, target in dict.fromkeys(connection.classes):
        found += _side(engine, "egress", connection.src.name, source, lambda e, t=target, s=source: engine._entry_matches(e, t, s),
                       lambda e, t=target: engine.rule_conn(e.rule, t))
        found += _side(engine, "ingress", connection.dst.name, target, lambda e, s=source, t=target: engine._entry_matches(e, s, t),
                       lambda e: e.conn)
    for pod_class in dict.fromkeys(connection.outside):
        outside = connection.src.external or connection.dst.external
        place = connection.dst.place
        if connection.src.external is not None:
            found += _side(engine, "ingress", connection.dst.name, pod_class,
                           lambda e: _covers(engine, e, outside), lambda e: e.conn)
        elif place is not None:
            found += _side(engine, "egress", connection.src.name, pod_class,
                           lambda e: engine._names(e.peer, place) or engine._everywhere(e.peer),
                           lambda e: engine.rule_conn(e.rule, None))
        else:
            found += _side(engine, "egress", connection.src.name, pod_class,
                           lambda e: _covers(engine, e, outside), lambda e: engine.rule_conn(e.rule, None))
    for backend in connection.routers:
        found.append(Reason("route", backend.router, detail=f"{backend.service.id} port {backend.port or 'any'}"))
    if connection.routers:
        pod = next((p for b in connection.routers for p in b.pods if p.endpoint == connection.dst.name), None)
        if pod is not None:
            controller = engine.pod_class(engine.stand_in)
            found += _side(engine, "ingress", connection.dst.name, engine.pod_class(pod),
                           lambda e, own=engine.pod_class(pod): engine._entry_matches(e, controller, own),
                           lambda e: e.conn)
    return list(dict.fromkeys(found))


def _side(engine: Engine, side: str, subject: str, own: PodClass, matches, conn_of) -> list[Reason]:
    steps = own.ingress_steps if side == "ingress" else own.egress_steps
    if not steps:
        return [Reason(side, subject, action="open")]
    if len(steps) == 1 and steps[0].end == "Deny" and all(e.rule.action == "Allow" for e in steps[0].entries):
        return _allows(engine, side, subject, own, steps[0], matches, conn_of)
    return _trace(engine, side, subject, own, steps, matches, conn_of)


def _allows(engine, side, subject, own, step: Step, matches, conn_of) -> list[Reason]:
    """Allows only (NetworkPolicies): every rule that admits, and each policy that admits nothing here."""
    found = []
    indices = own.ingress_policies if side == "ingress" else own.egress_policies
    for index in indices:
        decider = engine.deciders[index]
        if decider.stage != step.stage or not decider.isolates[0 if side == "ingress" else 1]:
            continue
        admitting = [(e.rule, conn_of(e)) for e in step.entries if e.rule.policy == index and matches(e)]
        admitting = [(rule, conn) for rule, conn in dict.fromkeys(admitting) if not ports.empty(conn)]
        policy = decider.source
        found += [_reason(side, subject, policy, rule, conn) for rule, conn in admitting]
        if not admitting:
            found.append(Reason(side, subject, policy, action="Deny", stage_end="Deny"))
    return found


def _trace(engine, side, subject, own, steps, matches, conn_of) -> list[Reason]:
    """The decision, stage by stage: who decides which part of the connection."""
    found: list[Reason] = []
    remaining = ALL
    for step in steps:
        passed = NONE
        for entry in step.entries:
            if entry.rule.action == "Log" or not matches(entry):
                continue
            conn = ports.intersection(conn_of(entry), remaining)
            if ports.empty(conn):
                continue
            found.append(_reason(side, subject, engine.policies[entry.rule.policy], entry.rule, conn))
            if entry.rule.action == "Pass":
                passed = ports.union(passed, conn)
            remaining = ports.difference(remaining, conn)
        if step.end is not None and not ports.empty(remaining):
            policy = _isolating(engine, own, side, step)
            found.append(Reason(side, subject, policy, conn=remaining, action=step.end, stage_end=step.end))
        remaining = passed if step.end == "Deny" else ports.union(remaining, passed)
        if ports.empty(remaining):
            return found
    found.append(Reason(side, subject, conn=remaining, action="Allow"))
    return found


def _reason(side: str, subject: str, policy, rule, conn: Conn) -> Reason:
    return Reason(side, subject, policy, rule.index + 1, rule.line, conn, action=rule.action, rule_name=rule.name,
                  layer7=rule.layer7)


def _isolating(engine: Engine, own: PodClass, side: str, step: Step):
    direction = 0 if side == "ingress" else 1
    for index in (own.ingress_policies if side == "ingress" else own.egress_policies):
        decider = engine.deciders[index]
        if decider.stage == step.stage and decider.isolates[direction]:
            return decider.source
    return None


def _covers(engine: Engine, entry: Entry, outside: tuple[int, int, int] | None) -> bool:
    if outside is None:
        return False
    version, low, high = outside
    if not engine._holds(entry.peer, version, low):
        return False
    found = engine.peers[entry.peer].addresses if entry.peer >= 0 else None
    if found is not None and not intervals.intersection(found.family(version), ((low, high),)):
        return False
    return not any(engine._holds(p, version, low) for p in entry.rule.excluded)
