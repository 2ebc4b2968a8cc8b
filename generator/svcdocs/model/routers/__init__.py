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

from dataclasses import dataclass, field
from typing import Callable, Iterable

import yaml

from svcdocs.config import RouterKind
from svcdocs.errors import SvcdocsError
from svcdocs.model import kinds
from svcdocs.model.objects import Ingress, Object, ResourceBackend
from svcdocs.model.reader import Reader
from svcdocs.model.routers import (
    apisix, contour, custom, emissary, gateway_api, gke, haproxy, ingress, istio, knative, kong, nginx, openshift, traefik,
)

Builder = Callable[[Reader, dict, dict], Object]

# In this order: a kind that two families declare belongs, without a group in
# its id, to the first (Gateway API's Gateway before Istio's).
FAMILIES = (ingress, gateway_api, istio, contour, traefik, openshift, knative, nginx, gke, kong, emissary, apisix, haproxy)

# Kinds read even without an apiVersion, as kubectl would not: the built-in ones.
DEFAULT_GROUPS = {"Ingress": ingress.GROUPS[0], **{kind: gateway_api.GROUP for _, kind in gateway_api.BUILDERS}}

# Built-in API groups: their kinds are Kubernetes's own, never a router svcdocs
# does not know (a CustomResourceDefinition's schema names `host` and
# `service` fields, yet routes nothing).
BUILT_IN_GROUPS = frozenset({
    "", "apps", "batch", "policy", "autoscaling", "extensions", "networking.k8s.io", "rbac.authorization.k8s.io",
    "storage.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io",
    "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io", "certificates.k8s.io", "events.k8s.io",
    "flowcontrol.apiserver.k8s.io", "apiregistration.k8s.io", "resource.k8s.io", "storagemigration.k8s.io",
    "internal.apiserver.k8s.io",
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

    def role(self, group: str | None, kind: str, spec: yaml.Node | None) -> str | None:
        """What a kind svcdocs skips is for (model/kinds.py): by the table, as
        configuration when a family says it routes nothing, else a router when
        its spec names hosts and a backend; None when nothing says."""
        if (group, kind) in self.quiet or (group or "") in BUILT_IN_GROUPS:
            return kinds.CONFIG
        found = kinds.role_of(group, kind)
        if found is not None:
            return found
        return kinds.ROUTER if group and kinds.looks_like_routing(spec) else None


READ_KINDS = frozenset(key for family in FAMILIES for key in family.BUILDERS)


def unread_backends(ingresses: Iterable[Ingress]) -> list[tuple[Ingress, ResourceBackend]]:
    """Ingress backends (`resource`) of kinds svcdocs does not read: where
    their traffic goes is not known, and must be said."""
    return [(ingress, resource) for ingress in ingresses for resource in ingress.resources
            if (resource.group, resource.kind) not in READ_KINDS]


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
    quiet = frozenset().union(*(getattr(f, "QUIET", ()) for f in FAMILIES))
    return Routers(builders, owners, quiet)
