"""OpenShift Route (route.openshift.io/v1).

A Route publishes one host (OpenShift makes one up when `spec.host` is
empty) and path through the cluster's router to the Service in `to`, and to
those in `alternateBackends`, by weight. `port.targetPort` names the Service
port by name, or the port on the pods by number. `spec.tls` terminates TLS
(`edge`, `reencrypt`) or passes it through; `insecureEdgeTerminationPolicy:
Allow` serves plain HTTP as well.
"""

from __future__ import annotations

from svcdocs.model.objects import Router, Way
from svcdocs.model.reader import Reader
from svcdocs.model.routers.parts import backend

GROUP = "route.openshift.io"


def route(r: Reader, root: dict, meta: dict) -> Router:
    spec = r.mapping(root.get("spec"), "spec")
    namespace = meta["namespace"]
    port = r.mapping(spec.get("port"), "spec.port")
    if not port and spec.get("ports") is not None:  # a spelling some manifests use
        port = next((f for _, _, f in r.mappings(spec.get("ports"), "spec.ports")), {})
    port_node = port.get("targetPort")
    targets = [("spec.to", spec.get("to"))] + [
        (f"spec.alternateBackends[{i}]", item) for i, item in enumerate(r.sequence(spec.get("alternateBackends"),
                                                                                   "spec.alternateBackends"))]
    backends = []
    for what, node in targets:
        f = r.mapping(node, what)
        if (r.string(f.get("kind"), f"{what}.kind") or "Service") != "Service":
            continue
        found = backend(r, {**f, "port": port_node} if port_node is not None else f, what, namespace,
                        target_port=True)
        if found is not None:
            backends.append(found)
    host_node = spec.get("host")
    host = r.string(host_node, "spec.host")
    tls_node = spec.get("tls")
    tls = r.mapping(tls_node, "spec.tls")
    insecure = (r.string(tls.get("insecureEdgeTerminationPolicy"), "insecureEdgeTerminationPolicy") or "").lower()
    way = Way(line=r.line(root["spec"]) if "spec" in root else meta["line"], hosts=(host,) if host else (),
              host_line=r.line(host_node) if host else 0,
              paths=(r.string(spec.get("path"), "spec.path") or "/",), backends=tuple(backends),
              protocol="HTTP", tls=bool(tls) and insecure != "allow",
              tls_line=r.line(tls_node) if tls_node is not None else 0)
    return Router(**meta, ways=(way,))


BUILDERS = {(GROUP, "Route"): route}
