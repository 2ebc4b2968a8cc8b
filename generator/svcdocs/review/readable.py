"""What a router and a NetworkPolicy say, as a reviewer reads them.

A router's change is the routes it adds and removes, each `host + path →
Service:port` (`any host` where it names none, or `*`), from the one route
model every family maps to; the fields those routes restate (an Ingress's
rules, a route's hostnames) are not listed again. A NetworkPolicy's change is
what it admits before and after, direction by direction ("from pods of
namespace ingress-nginx on TCP 8080"). Every other field is compared as any
object's is (review.content).
"""

from __future__ import annotations

from typing import Any

from svcdocs.analysis.reach.entries import named_namespaces, selector_text
from svcdocs.model import NetworkPolicy, Object, Router
from svcdocs.model.objects import BackendRef, PolicyPeer, PolicyPort, PolicyRule, Way
from svcdocs.review.content import FieldChange, field_changes, object_content

ROUTE = "route"  # the field a router's added and removed routes are named by
ANY_HOST = "any host"
# Fields that restate a router's routes (model.Router.ways and what each family reads them from).
ROUTE_FIELDS = frozenset({"ways", "rules", "defaultBackend", "hostnames"})
POLICY_FIELDS = frozenset({"ingress", "egress", "ingressRules", "egressRules"})


def changed_fields(old: Object, new: Object) -> list[FieldChange]:
    """The fields that differ between two versions of one object, routes and
    policies in words."""
    before, after = object_content(old), object_content(new)
    if isinstance(old, Router) and isinstance(new, Router):
        routes = route_changes(old, new)
        rest = field_changes(_without(before, ROUTE_FIELDS), _without(after, ROUTE_FIELDS))
        if routes or rest:
            return routes + rest
        # the routes read the same (a pathType, say): what differs, as it is written
    if isinstance(old, NetworkPolicy) and isinstance(new, NetworkPolicy):
        return policy_changes(old, new) + field_changes(_without(before, POLICY_FIELDS), _without(after, POLICY_FIELDS))
    return field_changes(before, after)


def described(obj: Object, added: bool) -> list[FieldChange]:
    """What an added (or removed) router or NetworkPolicy opens: its routes, what it admits."""
    if isinstance(obj, Router):
        lines = [(ROUTE, line) for line in route_lines(obj)]
    elif isinstance(obj, NetworkPolicy):
        lines = [(d, text) for d in ("ingress", "egress") if (text := admits(obj, d)) is not None]
    else:
        return []
    return [FieldChange(name, None, text) if added else FieldChange(name, text, None) for name, text in lines]


def _without(content: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in content.items() if k not in names}


# --- Routes ---------------------------------------------------------------------

def route_changes(old: Router, new: Router) -> list[FieldChange]:
    before, after = route_lines(old), route_lines(new)
    return ([FieldChange(ROUTE, line, None) for line in before if line not in after]
            + [FieldChange(ROUTE, None, line) for line in after if line not in before])


def route_lines(router: Router) -> tuple[str, ...]:
    """Each host and path of each way, with where it sends: `shop.example.com/api → api:8080`."""
    lines: list[str] = []
    for way in router.ways:
        to = ", ".join(_backend(b, router.namespace, len(way.backends) > 1) for b in way.backends) or "nowhere"
        for where in _wheres(way):
            lines.append(f"{where} → {to}")
    return tuple(dict.fromkeys(lines))


def where(host: str | None, path: str | None) -> str:
    """`shop.example.com/api`, `any host /api`, `any host`."""
    shown = host if host and host != "*" else ANY_HOST
    if not path:
        return shown
    return f"{shown}{path}" if shown != ANY_HOST else f"{shown} {path}"


def _wheres(way: Way) -> list[str]:
    hosts = way.hosts or (None,)
    if not way.paths and (way.protocol or "").upper() in ("TCP", "UDP"):
        listener = f"{way.protocol.upper()}" + (f" port {way.port}" if way.port else "")
        return [listener if not way.hosts else f"{where(h, None)} ({listener})" for h in hosts]
    tls = " over TLS" if way.tls else ""
    return [where(h, p) + tls for h in hosts for p in (way.paths or (None,))]


def _backend(backend: BackendRef, namespace: str, weighted: bool) -> str:
    name = backend.name if backend.namespace == namespace else f"{backend.namespace}/{backend.name}"
    shown = name if backend.kind == "Service" else f"{backend.kind} {name}"
    if backend.port is not None:
        shown += f":{backend.port}"
    if weighted and backend.weight is not None:
        shown += f" (weight {backend.weight})"
    return shown


# --- NetworkPolicies ------------------------------------------------------------

def policy_changes(old: NetworkPolicy, new: NetworkPolicy) -> list[FieldChange]:
    changes = []
    for direction in ("ingress", "egress"):
        before, after = admits(old, direction), admits(new, direction)
        if before != after:
            changes.append(FieldChange(direction, before, after))
    return changes


def admits(policy: NetworkPolicy, direction: str) -> str | None:
    """What the policy lets in (ingress) or out (egress), rule by rule; None
    when it does not apply to that direction."""
    applies = policy.affects_ingress if direction == "ingress" else policy.affects_egress
    if not applies:
        return None
    rules: tuple[PolicyRule, ...] = getattr(policy, direction)
    if not rules:
        return "nothing (every connection is denied)"
    word = "from" if direction == "ingress" else "to"
    return "; ".join(f"{word} {_peers(rule.peers, policy.namespace)} on {_ports(rule.ports)}" for rule in rules)


def _peers(peers: tuple[PolicyPeer, ...] | None, namespace: str) -> str:
    if peers is None:
        return "everything"
    return " or ".join(_peer(p, namespace) for p in peers) or "nothing"


def _peer(peer: PolicyPeer, namespace: str) -> str:
    if peer.ip_block is not None:
        block = peer.ip_block
        return block.cidr + (f" except {', '.join(block.excepts)}" if block.excepts else "")
    if peer.pod_selector is None and peer.namespace_selector is None:
        return "nothing (an unreadable peer)"
    pods = "pods" if peer.pod_selector is None or peer.pod_selector.selects_all \
        else f"pods {selector_text(peer.pod_selector)}"
    selector = peer.namespace_selector
    if selector is None:
        return f"{pods} of namespace {namespace}"
    if selector.selects_all:
        return f"{pods} of every namespace"
    named = named_namespaces(selector)
    if named:
        return f"{pods} of namespace{'s' * (len(named) > 1)} {', '.join(named)}"
    return f"{pods} of namespaces {selector_text(selector)}"


def _ports(ports: tuple[PolicyPort, ...] | None) -> str:
    if ports is None:
        return "every port"
    return ", ".join(_port(p) for p in ports) or "no port"


def _port(port: PolicyPort) -> str:
    if port.port is None:
        return f"every {port.protocol} port"
    if port.end_port is not None:
        return f"{port.protocol} {port.port}-{port.end_port}"
    return f"{port.protocol} {port.port}"
