"""Apache APISIX Ingress Controller (apisix.apache.org v2, and v2beta3).

- `ApisixRoute`: each `http` rule matches its own `hosts` and `paths`
  (`/api*` is the prefix `/api`) and sends to its `backends` (a Service of the
  route's namespace, `servicePort` a number or a name, `weight`); each
  `stream` rule forwards the proxy's `ingressPort` (for `host`, by SNI over
  TLS) to its `backend`, over TCP or UDP. Its class is `ingressClassName`.
- `ApisixTls`: the certificate APISIX serves for the `hosts` it names: the
  ApisixRoutes' hosts it covers are served over TLS.
"""

from __future__ import annotations

from svcdocs.model.objects import Router, TLSSource, Way
from svcdocs.model.reader import Reader
from svcdocs.model.routers.parts import backend, class_of, unique

GROUP = "apisix.apache.org"
CONTROLLER = "apisix"
CLASS_ANNOTATIONS = ("kubernetes.io/ingress.class",)


def _path(path: str) -> str:
    """APISIX writes a prefix match with a trailing `*`."""
    return (path[:-1] or "/") if path.endswith("*") else path


def route(r: Reader, root: dict, meta: dict) -> Router:
    spec = r.mapping(root.get("spec"), "spec")
    namespace = meta["namespace"]
    ways = []
    for i, item, f in r.mappings(spec.get("http"), "spec.http"):
        what = f"spec.http[{i}]"
        match = r.mapping(f.get("match"), f"{what}.match")
        hosts_node = match.get("hosts")
        backends = tuple(b for j, _, b_node in r.mappings(f.get("backends"), f"{what}.backends")
                         if (b := backend(r, b_node, f"{what}.backends[{j}]", namespace, name_key="serviceName",
                                          port_key="servicePort")) is not None)
        ways.append(Way(line=r.line(item), hosts=r.strings(hosts_node, f"{what}.match.hosts"),
                        host_line=r.line(hosts_node) if hosts_node is not None else 0,
                        paths=unique(_path(p) for p in r.strings(match.get("paths"), f"{what}.match.paths")) or ("/",),
                        backends=backends, protocol="HTTP", tls=None))
    for i, item, f in r.mappings(spec.get("stream"), "spec.stream"):
        what = f"spec.stream[{i}]"
        match = r.mapping(f.get("match"), f"{what}.match")
        host_node = match.get("host")
        host = r.string(host_node, f"{what}.match.host")
        found = backend(r, r.mapping(f.get("backend"), f"{what}.backend"), f"{what}.backend", namespace,
                        name_key="serviceName", port_key="servicePort", weight_key=None)
        protocol = (r.string(f.get("protocol"), f"{what}.protocol") or "TCP").upper()
        ways.append(Way(line=r.line(item), hosts=(host,) if host else (), host_line=r.line(host_node) if host else 0,
                        backends=(found,) if found is not None else (), protocol="TLS" if host else protocol,
                        port=r.integer(match.get("ingressPort"), f"{what}.match.ingressPort"),
                        tls=None if host else False))
    class_node = spec.get("ingressClassName")
    return Router(**meta, class_name=class_of(meta, r.string(class_node, "spec.ingressClassName"), *CLASS_ANNOTATIONS),
                  class_line=r.line(class_node) if class_node is not None else 0, ways=tuple(ways),
                  controller=CONTROLLER)


def tls(r: Reader, root: dict, meta: dict) -> TLSSource:
    spec = r.mapping(root.get("spec"), "spec")
    return TLSSource(**meta, hosts=r.strings(spec.get("hosts"), "spec.hosts"), serves=("ApisixRoute",))


BUILDERS = {(GROUP, "ApisixRoute"): route, (GROUP, "ApisixTls"): tls}
