"""Kong Ingress Controller (configuration.konghq.com, and the incubator group).

- `TCPIngress` (v1beta1): each rule opens a `port` on Kong's proxy and
  forwards it to a Service (`backend.serviceName`/`servicePort`); a rule with
  a `host` matches that SNI and terminates TLS (`spec.tls`).
- `UDPIngress` (v1beta1): each rule forwards a UDP `port` to a Service.
- `KongServiceFacade` (incubator.ingress-controller.konghq.com/v1alpha1): a
  Service as an Ingress backend (`backend.resource`), with plugins of its
  own: the Ingress's hosts and paths reach the Service it names.
- `KongIngress` (v1): overrides of the routes made for an Ingress or a
  Service that names it (`konghq.com/override`); svcdocs reads whether its
  route protocols are HTTPS only, or HTTP redirected.

Ingresses and Gateway API routes of class `kong` are read as any others; Kong's
proxy pods, when the input holds them, say how far out they are reached.
"""

from __future__ import annotations

from svcdocs.model.objects import IngressTLS, Router, TLSSource, Way
from svcdocs.model.reader import Reader
from svcdocs.model.routers.cloud_tls import kong_tls
from svcdocs.model.routers.ingress import covered
from svcdocs.model.routers.parts import backend, class_of

GROUP = "configuration.konghq.com"
INCUBATOR = "incubator.ingress-controller.konghq.com"
CONTROLLER = "kong"
CLASS_ANNOTATIONS = ("kubernetes.io/ingress.class",)


def tcp_ingress(r: Reader, root: dict, meta: dict) -> Router:
    return _stream(r, root, meta, "TCP")


def udp_ingress(r: Reader, root: dict, meta: dict) -> Router:
    return _stream(r, root, meta, "UDP")


def _stream(r: Reader, root: dict, meta: dict, protocol: str) -> Router:
    spec = r.mapping(root.get("spec"), "spec")
    tls = tuple(IngressTLS(line=r.line(item), hosts=r.strings(f.get("hosts"), f"spec.tls[{i}].hosts"),
                           secret_name=r.string(f.get("secretName"), f"spec.tls[{i}].secretName"))
                for i, item, f in r.mappings(spec.get("tls"), "spec.tls"))
    ways = []
    for i, item, f in r.mappings(spec.get("rules"), "spec.rules"):
        what = f"spec.rules[{i}]"
        host = r.string(f.get("host"), f"{what}.host")
        found = backend(r, r.mapping(f.get("backend"), f"{what}.backend"), f"{what}.backend", meta["namespace"],
                        name_key="serviceName", port_key="servicePort", weight_key=None)
        secure = bool(host) and covered(tls, host)
        ways.append(Way(line=r.line(item), hosts=(host,) if host else (), host_line=r.line(f["host"]) if host else 0,
                        backends=(found,) if found is not None else (), protocol="TLS" if secure else protocol,
                        port=r.integer(f.get("port"), f"{what}.port"), tls=secure if protocol == "TCP" else None))
    return Router(**meta, class_name=class_of(meta, None, *CLASS_ANNOTATIONS), ways=tuple(ways),
                  controller=CONTROLLER)


def service_facade(r: Reader, root: dict, meta: dict) -> Router:
    """A delegate: the hosts and paths of the Ingress that names it reach its Service."""
    spec = r.mapping(root.get("spec"), "spec")
    found = backend(r, r.mapping(spec.get("backendRef"), "spec.backendRef"), "spec.backendRef", meta["namespace"],
                    weight_key=None)
    way = Way(line=meta["line"], backends=(found,) if found is not None else (), protocol="HTTP")
    return Router(**meta, class_name=class_of(meta, None, *CLASS_ANNOTATIONS), ways=(way,), opens=None,
                  controller=CONTROLLER)


def kong_ingress(r: Reader, root: dict, meta: dict) -> TLSSource:
    """The TLS its route overrides say, for the Ingresses that name it."""
    route = r.mapping(root.get("route"), "route")
    protocols = ",".join(r.strings(route.get("protocols"), "route.protocols"))
    redirect = r.integer(route.get("https_redirect_status_code"), "route.https_redirect_status_code", 100, 599)
    tls = kong_tls(protocols or None, str(redirect) if redirect else None)
    return TLSSource(**meta, tls=tls, redirects=bool(redirect))


BUILDERS = {
    (GROUP, "TCPIngress"): tcp_ingress,
    (GROUP, "UDPIngress"): udp_ingress,
    (GROUP, "KongIngress"): kong_ingress,
    (INCUBATOR, "KongServiceFacade"): service_facade,
}
