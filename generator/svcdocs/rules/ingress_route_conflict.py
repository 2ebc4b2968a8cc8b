"""ingress-route-conflict: the same host and path served by two routers."""

from __future__ import annotations

from collections import defaultdict

from svcdocs.model import Router
from svcdocs.rules.context import Context, Hit, listed, named

ID = "ingress-route-conflict"
SEVERITY = "error"
SUMMARY = ("The same host and path served by two Ingress objects of the same class, by two routers of different "
           "kinds (an Ingress and an HTTPProxy, say), or by two routes on the same Gateway.")
RATIONALE = (
    "An ingress controller merges the rules of every Ingress of its class into one routing table, and a Gateway "
    "merges the routes attached to it. When two of them claim the same host and path, only one wins, and which "
    "one depends on the controller (often the oldest object): the other's backend silently receives nothing, and "
    "the winner can change when an object is re-created. Two routers of different kinds (an Ingress and a "
    "Contour HTTPProxy, a Traefik IngressRoute, an OpenShift Route) that claim the same host are worse: clients "
    "reach whichever controller the host's DNS points to."
)
FIX = ("Serve each host and path from one router: remove the rule from all but one of them, or change its host or "
       "path.")
EXAMPLE = """\
kind: Ingress
metadata: {name: web}
spec:
  rules: [{host: shop.example.com, http: {paths: [{path: /, backend: {service: {name: frontend}}}]}}]
---
kind: Ingress
metadata: {name: web-v2}
spec:
  rules: [{host: shop.example.com, http: {paths: [{path: /, backend: {service: {name: frontend-v2}}}]}}]
"""
USE_INSTEAD = """\
kind: Ingress
metadata: {name: web-v2}
spec:
  rules: [{host: next.shop.example.com, http: {paths: [{path: /, backend: {service: {name: frontend-v2}}}]}}]
"""


def check(ctx: Context):
    """Each way in claims its own (host, path): routers that hang on Gateways
    within those Gateways, the others within their kind and class, and across
    kinds whatever their class."""
    routers = {r.id: r for r in ctx.model.every_router()}
    gateways: dict[str, frozenset[str]] = defaultdict(frozenset)
    for edge in ctx.graph.edges:
        if edge.kind == "attaches" and edge.source in routers and edge.target not in routers:
            gateways[edge.source] |= {edge.target}
    claims: dict[tuple, dict[str, int]] = defaultdict(dict)  # (host, path) -> router id -> line of its way
    for hop in ctx.graph.hops:
        if hop.path is None or hop.inherited or hop.router not in ctx.analysis.router_levels:
            continue
        claims[(hop.host, hop.path)].setdefault(hop.router, hop.line)
    for (host, path), lines in claims.items():
        if len(lines) < 2:
            continue
        for router_id, line in lines.items():
            router = routers[router_id]
            others = [routers[o] for o in lines if o != router_id and _clash(router, routers[o], gateways)]
            if others:
                yield Hit(router, line, _message(router, others, host, path))


def _clash(one: Router, other: Router, gateways: dict[str, frozenset[str]]) -> bool:
    if gateways[one.id] and gateways[other.id]:
        return bool(gateways[one.id] & gateways[other.id])
    if one.kind != other.kind:
        return True
    return one.class_name == other.class_name


def _message(router: Router, others: list[Router], host: str | None, path: str) -> str:
    where = host + path if host else path + " on any host"
    kinds = {o.kind for o in others}
    if kinds == {router.kind}:
        names = f"{router.kind} " + listed(o.id.split("/", 1)[1] for o in others)
        return (f"{named(router)} serves {where}, which {names} serves too, so the controller sends it to only one "
                f"of them.")
    names = listed(named(o) for o in others)
    return f"{named(router)} serves {where}, which {names} serves too, so clients reach only one of them."
