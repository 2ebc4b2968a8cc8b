"""Traefik (traefik.io/v1alpha1, and the older traefik.containo.us/v1alpha1).

- `IngressRoute`: its routes' `match` rules say the hosts and paths
  (``Host(`a`) && PathPrefix(`/api`)``; `Host`, `HostRegexp`, `Path`,
  `PathPrefix` and `PathRegexp`, several values each in Traefik v2), served on
  its `entryPoints`, with TLS when `spec.tls` is set (even empty). A child
  IngressRoute (`parentRefs`, multi-layer routing) is reached through its parents.
- `IngressRouteTCP` (`HostSNI`) and `IngressRouteUDP`.
- `TraefikService`: weighted, highest-random-weight, mirroring and failover
  services, resolved down to Services through the routers that use them.

Services named with a provider (`api@internal`) are Traefik's own and left out.
"""

from __future__ import annotations

import re

from svcdocs.model.objects import BackendRef, ParentRef, Router, Way
from svcdocs.model.reader import Reader
from svcdocs.model.routers.parts import backend, class_of, unique

GROUPS = ("traefik.io", "traefik.containo.us")
CONTROLLER = "traefik"  # its pods carry the traffic (analysis/controllers.py)
CLASS_ANNOTATIONS = ("kubernetes.io/ingress.class",)
_CALL = re.compile(r"\b(Host|HostSNI|HostHeader|HostRegexp|HostSNIRegexp|Path|PathPrefix|PathRegexp)\s*\(([^)]*)\)")
_ARGUMENT = re.compile(r"`([^`]*)`|\"([^\"]*)\"")


def match_rule(rule: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The hosts and the paths a router rule names, in their order."""
    hosts, paths = [], []
    for call, arguments in _CALL.findall(rule):
        values = [a or b for a, b in _ARGUMENT.findall(arguments)]
        (paths if call.startswith("Path") else hosts).extend(v for v in values if v)
    return unique(h for h in hosts if h != "*"), unique(paths)


def ingress_route(r: Reader, root: dict, meta: dict) -> Router:
    kind = meta["kind"]
    spec = r.mapping(root.get("spec"), "spec")
    namespace = meta["namespace"]
    tls = "tls" in spec and spec["tls"] is not None
    protocol = {"IngressRoute": "HTTP", "IngressRouteTCP": "TCP", "IngressRouteUDP": "UDP"}[kind]
    if kind == "IngressRouteTCP":
        passthrough = r.flag(r.mapping(spec.get("tls"), "spec.tls").get("passthrough"))
        protocol = "TLS" if tls else "TCP"
        tls = tls or passthrough
    ways = []
    for i, item, f in r.mappings(spec.get("routes"), "spec.routes"):
        what = f"spec.routes[{i}]"
        match_node = f.get("match")
        hosts, paths = match_rule(r.string(match_node, f"{what}.match") or "")
        if protocol == "HTTP" and not paths:
            paths = ("/",)
        ways.append(Way(line=r.line(item), hosts=hosts, host_line=r.line(match_node) if match_node is not None else 0,
                        paths=paths if protocol == "HTTP" else (), backends=services(r, f.get("services"),
                                                                                        f"{what}.services", namespace),
                        protocol=protocol, tls=tls if protocol != "UDP" else None,
                        tls_line=r.key_line(root.get("spec"), "tls")))
    parents = tuple(ParentRef(kind, r.string(f.get("namespace"), "namespace") or namespace, name, r.line(f["name"]))
                    for i, _, f in r.mappings(spec.get("parentRefs"), "spec.parentRefs")
                    if (name := r.string(f.get("name"), f"spec.parentRefs[{i}].name")))
    class_node = spec.get("ingressClassName")
    return Router(**meta, class_name=class_of(meta, r.string(class_node, "spec.ingressClassName"), *CLASS_ANNOTATIONS),
                  class_line=r.line(class_node) if class_node is not None else 0, parents=parents, ways=tuple(ways),
                  opens=None if parents else "internet", controller=CONTROLLER,
                  listeners=r.strings(spec.get("entryPoints"), "spec.entryPoints"))


def services(r: Reader, node, what: str, namespace: str) -> tuple[BackendRef, ...]:
    found = []
    for j, _, f in r.mappings(node, what):
        found += _service(r, f, f"{what}[{j}]", namespace)
    return tuple(found)


def _service(r: Reader, f: dict, what: str, namespace: str) -> list[BackendRef]:
    """A Kubernetes Service or a TraefikService; `name@provider` is Traefik's own."""
    kind = r.string(f.get("kind"), f"{what}.kind") or "Service"
    found = backend(r, f, what, namespace, kind="TraefikService" if kind == "TraefikService" else "Service",
                    namespace_key="namespace")
    return [found] if found is not None and "@" not in found.name else []


def traefik_service(r: Reader, root: dict, meta: dict) -> Router:
    """Its ways have no host or path: it takes those of the routers that use it."""
    spec = r.mapping(root.get("spec"), "spec")
    namespace = meta["namespace"]
    backends: list[BackendRef] = []
    for key in ("weighted", "highestRandomWeight"):
        if key in spec:
            backends += services(r, r.mapping(spec[key], f"spec.{key}").get("services"), f"spec.{key}.services",
                                 namespace)
    if "mirroring" in spec:
        mirroring = r.mapping(spec["mirroring"], "spec.mirroring")
        backends += _service(r, mirroring, "spec.mirroring", namespace)
        backends += services(r, mirroring.get("mirrors"), "spec.mirroring.mirrors", namespace)
    if "failover" in spec:
        failover = r.mapping(spec["failover"], "spec.failover")
        for key in ("service", "fallback"):
            backends += _service(r, r.mapping(failover.get(key), f"spec.failover.{key}"), f"spec.failover.{key}",
                                 namespace)
    return Router(**meta, ways=(Way(line=meta["line"], backends=tuple(backends)),), opens=None)


BUILDERS = {
    **{(group, kind): ingress_route for group in GROUPS for kind in ("IngressRoute", "IngressRouteTCP", "IngressRouteUDP")},
    **{(group, "TraefikService"): traefik_service for group in GROUPS},
}
QUIET = {(group, kind) for group in GROUPS for kind in ("Middleware", "MiddlewareTCP", "TLSOption", "TLSStore",
                                                         "ServersTransport", "ServersTransportTCP")}
