"""Contour (projectcontour.io/v1): HTTPProxy.

An HTTPProxy with a `virtualhost` is a root: a way in for its `fqdn`, with
TLS when `virtualhost.tls` is set (routes marked `permitInsecure` are served
over plain HTTP too). Its routes send requests matching their `prefix` or
`exact` conditions to Services (name, port, weight; `mirror` ones get a copy);
its `includes` hand a path prefix to other HTTPProxies, in any namespace,
whose own conditions are appended to it. An HTTPProxy without a virtualhost
is reachable only through the roots that include it. A `tcpproxy` forwards
TCP (TLS passthrough, or TLS terminated at Envoy) to Services, or includes
another HTTPProxy's.
"""

from __future__ import annotations

from svcdocs.model.objects import Router, Way
from svcdocs.model.reader import Reader
from svcdocs.model.routers.parts import backend, class_of, unique

GROUP = "projectcontour.io"
CONTROLLER = "contour"  # its Envoy pods carry the traffic (analysis/controllers.py)
CLASS_ANNOTATIONS = ("projectcontour.io/ingress.class", "kubernetes.io/ingress.class")


def http_proxy(r: Reader, root: dict, meta: dict) -> Router:
    spec = r.mapping(root.get("spec"), "spec")
    namespace = meta["namespace"]
    virtualhost = r.mapping(spec.get("virtualhost"), "spec.virtualhost")
    fqdn_node = virtualhost.get("fqdn")
    fqdn = r.string(fqdn_node, "spec.virtualhost.fqdn")
    tls_node = virtualhost.get("tls")
    tls = r.mapping(tls_node, "spec.virtualhost.tls")
    root_proxy = bool(virtualhost)
    hosts = (fqdn,) if fqdn else ()
    secure = bool(tls) if root_proxy else None
    ways = []
    for i, item, f in r.mappings(spec.get("routes"), "spec.routes"):
        what = f"spec.routes[{i}]"
        backends = tuple(b for j, _, s in r.mappings(f.get("services"), f"{what}.services")
                         if (b := backend(r, s, f"{what}.services[{j}]", namespace)) is not None)
        insecure = r.flag(f.get("permitInsecure"))
        ways.append(Way(line=r.line(item), hosts=hosts, host_line=r.line(fqdn_node) if fqdn else 0,
                        paths=_paths(r, f.get("conditions"), what), backends=backends, protocol="HTTP",
                        tls=False if secure and insecure else secure, tls_line=r.line(item)))
    for i, item, f in r.mappings(spec.get("includes"), "spec.includes"):
        what = f"spec.includes[{i}]"
        included = backend(r, f, what, namespace, kind="HTTPProxy", port_key=None, weight_key=None,
                           namespace_key="namespace")
        if included is not None:
            ways.append(Way(line=r.line(item), hosts=hosts, host_line=r.line(fqdn_node) if fqdn else 0,
                            paths=_paths(r, f.get("conditions"), what), backends=(included,), protocol="HTTP",
                            tls=secure, prefixes=True))
    tcp = r.mapping(spec.get("tcpproxy"), "spec.tcpproxy")
    if tcp:
        backends = [b for j, _, s in r.mappings(tcp.get("services"), "spec.tcpproxy.services")
                    if (b := backend(r, s, f"spec.tcpproxy.services[{j}]", namespace)) is not None]
        for key in ("include", "includes"):  # `includes` is the older spelling
            included = r.mapping(tcp.get(key), f"spec.tcpproxy.{key}")
            if (b := backend(r, included, f"spec.tcpproxy.{key}", namespace, kind="HTTPProxy", port_key=None,
                             weight_key=None, namespace_key="namespace")) is not None:
                backends.append(b)
        ways.append(Way(line=r.line(spec["tcpproxy"]), hosts=hosts, paths=(), backends=tuple(backends),
                        protocol="TLS" if root_proxy else "TCP", tls=True if root_proxy else None))
    class_node = spec.get("ingressClassName")
    return Router(**meta, class_name=class_of(meta, r.string(class_node, "spec.ingressClassName"), *CLASS_ANNOTATIONS),
                  class_line=r.line(class_node) if class_node is not None else 0, ways=tuple(ways),
                  opens="internet" if root_proxy else None, controller=CONTROLLER)


def _paths(r: Reader, node, what: str) -> tuple[str, ...]:
    """The path a route's conditions match: `prefix` (or `exact`, `regex`)
    conditions; header and query conditions narrow a path, not change it."""
    paths = []
    for j, _, c in r.mappings(node, f"{what}.conditions"):
        for key in ("prefix", "exact", "regex"):
            if key in c and (value := r.string(c[key], f"{what}.conditions[{j}].{key}")):
                paths.append(value)
    return unique(paths) or ("/",)


BUILDERS = {(GROUP, "HTTPProxy"): http_proxy}
QUIET = {(GROUP, kind) for kind in ("TLSCertificateDelegation", "ExtensionService", "ContourConfiguration",
                                    "ContourDeployment")}
