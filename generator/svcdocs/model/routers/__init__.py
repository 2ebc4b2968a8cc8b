"""Router adapters: every way in, whatever object declares it.

Each family is one module that maps its objects onto the one route model of
`model/objects.py` (`Router`, `Way`, `BackendRef`, `ParentRef`, `Gateway`):
hosts, path matches, ports and protocols, TLS, backends as Service + port +
weight, and what the router hangs on. The graph, the analysis, the rules and
the site read that model and never a family. A family module declares
`BUILDERS`, (API group, kind) -> a function of (Reader, root fields,
metadata) that returns the object, and `QUIET`, the kinds of its groups that
route nothing (an Istio DestinationRule, a Traefik Middleware). Adding a
family touches no other: write the module and list it in FAMILIES.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from svcdocs.config import RouterKind
from svcdocs.errors import SvcdocsError
from svcdocs.model.objects import Object
from svcdocs.model.reader import Reader
from svcdocs.model.routers import contour, custom, gateway_api, gke, ingress, istio, knative, nginx, openshift, traefik

Builder = Callable[[Reader, dict, dict], Object]

# In this order: a kind that two families declare belongs, without a group in
# its id, to the first (Gateway API's Gateway before Istio's).
FAMILIES = (ingress, gateway_api, istio, contour, traefik, openshift, knative, nginx, gke)

# Kinds read even without an apiVersion, as kubectl would not: the built-in ones.
DEFAULT_GROUPS = {"Ingress": ingress.GROUPS[0], **{kind: gateway_api.GROUP for _, kind in gateway_api.BUILDERS}}

# API groups whose objects route traffic in, for the kinds svcdocs skips.
ROUTING_GROUPS = frozenset({
    "networking.istio.io", "projectcontour.io", "contour.heptio.com", "traefik.io", "traefik.containo.us",
    "route.openshift.io", "serving.knative.dev", "networking.internal.knative.dev", "k8s.nginx.org",
    "networking.gke.io", "gateway.networking.k8s.io", "gateway.networking.x-k8s.io", "getambassador.io",
    "configuration.konghq.com", "konghq.com", "apisix.apache.org", "gateway.solo.io", "gloo.solo.io",
    "split.smi-spec.io", "appmesh.k8s.aws", "elbv2.k8s.aws", "ingress.kubernetes.io",
    "networking.x-k8s.io", "policy.linkerd.io", "haproxy.org", "ingress.v1.haproxy.org", "cilium.io",
})
ROUTING_WORDS = re.compile(r"Route|Ingress|Gateway|VirtualServ|Proxy|Mapping|Listener|TrafficSplit")
# Kinds outside the families that route nothing themselves, though their name
# says Ingress, Gateway or Proxy: classes, and the proxies' own configuration.
QUIET_BUILT_IN = frozenset({
    ("networking.k8s.io", "IngressClass"), ("extensions", "IngressClass"),
    ("gateway.envoyproxy.io", "EnvoyProxy"), ("config.istio.io", "ProxyConfig"),
})


@dataclass(frozen=True)
class Routers:
    """The builders of every router kind svcdocs reads, the config's included."""

    builders: dict[tuple[str, str], Builder]
    owners: dict[str, frozenset[str]]  # kind -> the groups whose objects of that kind get plain ids
    quiet: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    def builder(self, group: str | None, kind: str) -> Builder | None:
        if group is None:
            group = DEFAULT_GROUPS.get(kind)
        return self.builders.get((group, kind))

    def id_group(self, kind: str, group: str | None, built_in: bool) -> str:
        """The group to write into the id: none, unless svcdocs also models
        this kind from another group (built-in kinds always win)."""
        if group is None:
            return ""
        if built_in or group not in self.owners.get(kind, frozenset({group})):
            return group
        return ""

    def knows(self, kind: str) -> bool:
        return kind in self.owners

    def looks_like_routing(self, group: str | None, kind: str) -> bool:
        """Whether a kind svcdocs skips may carry traffic in: its API group is
        a router's, or its name says so."""
        if (group, kind) in self.quiet:
            return False
        return (group or "") in ROUTING_GROUPS or bool(ROUTING_WORDS.search(kind))


def router_kinds(configured: tuple[RouterKind, ...] = ()) -> Routers:
    builders: dict[tuple[str, str], Builder] = {}
    owners: dict[str, frozenset[str]] = {}
    for family in FAMILIES:
        declared: dict[str, set[str]] = {}
        for (group, kind), build in family.BUILDERS.items():
            builders[(group, kind)] = build
            declared.setdefault(kind, set()).add(group)
        for kind, groups in declared.items():
            owners.setdefault(kind, frozenset(groups))
    for (group, kind), build in custom.builders(configured).items():
        if (group, kind) in builders:
            raise SvcdocsError(f"router-kinds: svcdocs already reads {kind} ({group}); leave it out of the config")
        builders[(group, kind)] = build
        owners.setdefault(kind, frozenset({group}))
    quiet = frozenset().union(QUIET_BUILT_IN, *(getattr(f, "QUIET", ()) for f in FAMILIES))
    return Routers(builders, owners, quiet)
