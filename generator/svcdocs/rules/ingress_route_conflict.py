"""ingress-route-conflict: the same host and path served by two Ingress objects."""

from __future__ import annotations

from collections import defaultdict

from svcdocs.model import Ingress, IngressPath
from svcdocs.rules.context import Context, Hit, listed, named

ID = "ingress-route-conflict"
SEVERITY = "error"
SUMMARY = "The same host and path served by two Ingress objects of the same class."
RATIONALE = (
    "An ingress controller merges the rules of every Ingress of its class into one routing table. "
    "When two Ingress objects claim the same host and path, only one of them wins, and which one "
    "depends on the controller (often the oldest object): the other's backend silently receives "
    "nothing, and the winner can change when an object is re-created."
)
FIX = "Serve each host and path from one Ingress: remove the rule from all but one of them, or change its host or path."
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
    served: dict[tuple, dict[str, tuple[Ingress, IngressPath]]] = defaultdict(dict)
    for ingress in ctx.model.ingresses:
        for rule in ingress.rules:
            for path in rule.paths:
                key = (ingress.class_name, rule.host, path.path or "/")
                served[key].setdefault(ingress.id, (ingress, path))
    for (_, host, path), claims in served.items():
        if len(claims) > 1:
            for ingress, ingress_path in claims.values():
                others = listed(i.id.split("/", 1)[1] for i, _ in claims.values() if i is not ingress)
                yield Hit(ingress, ingress_path.line,
                          f"{named(ingress)} serves {host + path if host else path + ' on any host'}, which Ingress {others} "
                          f"serves too, so the controller sends it to only one of them.")
