"""Emissary-ingress, formerly Ambassador (getambassador.io v1, v2, v3alpha1).

- `Mapping`: requests for its `hostname` (v3; `host` before, and `*` when
  neither is set) whose path starts with `prefix` go to `service`, written
  `name`, `name:port`, `name.namespace[:port]` or as a URL
  (`http://name.namespace:port`; without a port, 80, or 443 for https); a
  `weight` splits traffic with the other Mappings of the same prefix.
- `TCPMapping`: connections to the Listener `port` (for `host`, by SNI over
  TLS) go to `service`.
- `Host`: a hostname Emissary serves, with TLS when it names a `tlsSecret`
  or an ACME provider; its Mappings' TLS is what the Host that serves them says.
- `Listener`: a port Emissary listens on; the Services in front of Emissary's
  pods say how far out those ports are reached.

Which Emissary serves an object is its `ambassador_id`; svcdocs reads them all
as served by the Emissary pods of the input.
"""

from __future__ import annotations

from svcdocs.model.objects import BackendRef, Gateway, Listener, Router, TLSSource, Way
from svcdocs.model.pods import hosts_in
from svcdocs.model.reader import Reader

GROUP = "getambassador.io"
CONTROLLER = "emissary"
VERSIONS_WITH_HOSTNAME = ("v3alpha1",)


def _service(r: Reader, spec: dict, namespace: str) -> BackendRef | None:
    """`service`: `name`, `name:port`, `name.ns:port`, `http://name.ns:port`; a
    host outside the cluster (a dotted name beyond `name.ns`) is no Service."""
    node = spec.get("service")
    text = r.string(node, "spec.service")
    if not text:
        return None
    hosts = hosts_in(text)
    if not hosts:
        return None
    host = hosts[0]
    rest = text.split("://", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1]
    port_text = rest.rsplit(":", 1)[1] if ":" in rest else ""
    parts = host.split(".")
    if len(parts) > 2 and parts[2] != "svc":
        return None  # an external host
    default_port = 443 if text.lower().startswith("https://") else 80  # Emissary's, when the service names none
    return BackendRef("Service", parts[1] if len(parts) > 1 else namespace, parts[0], r.line(node),
                      port=int(port_text) if port_text.isdigit() else default_port, port_line=r.line(node),
                      weight=r.integer(spec.get("weight"), "spec.weight", 0, 100), host=host)


def mapping(r: Reader, root: dict, meta: dict) -> Router:
    spec = r.mapping(root.get("spec"), "spec")
    host_node = spec.get("hostname", spec.get("host"))
    host = r.string(host_node, "spec.hostname")
    found = _service(r, spec, meta["namespace"])
    prefix = r.string(spec.get("prefix"), "spec.prefix") or "/"
    way = Way(line=meta["line"], hosts=(host,) if host and host != "*" else (),
              host_line=r.line(host_node) if host_node is not None else 0, paths=(prefix,),
              backends=(found,) if found is not None else (), protocol="HTTP", tls=None)
    return Router(**meta, ways=(way,), controller=CONTROLLER)


def tcp_mapping(r: Reader, root: dict, meta: dict) -> Router:
    spec = r.mapping(root.get("spec"), "spec")
    host_node = spec.get("host")
    host = r.string(host_node, "spec.host")
    found = _service(r, spec, meta["namespace"])
    way = Way(line=meta["line"], hosts=(host,) if host else (), host_line=r.line(host_node) if host else 0,
              backends=(found,) if found is not None else (), protocol="TLS" if host else "TCP",
              port=r.integer(spec.get("port"), "spec.port"), tls=True if host else None)
    return Router(**meta, ways=(way,), controller=CONTROLLER)


def host(r: Reader, root: dict, meta: dict) -> TLSSource:
    """TLS for the Mappings of its hostname: a `tlsSecret`, or an ACME
    provider other than `none`; plain when neither."""
    spec = r.mapping(root.get("spec"), "spec")
    hostname = r.string(spec.get("hostname"), "spec.hostname") or meta["name"]
    secret = r.mapping(spec.get("tlsSecret"), "spec.tlsSecret")
    acme = r.mapping(spec.get("acmeProvider"), "spec.acmeProvider")
    authority = r.string(acme.get("authority"), "spec.acmeProvider.authority")
    secured = bool(r.string(secret.get("name"), "spec.tlsSecret.name")) or bool(acme) and authority != "none"
    insecure = r.mapping(r.mapping(spec.get("requestPolicy"), "spec.requestPolicy").get("insecure"),
                         "spec.requestPolicy.insecure")
    action = r.string(insecure.get("action"), "spec.requestPolicy.insecure.action") or "Redirect"
    return TLSSource(**meta, hosts=(hostname,), tls=secured and action != "Route",
                     redirects=secured and action == "Redirect", serves=("Mapping",))


def listener(r: Reader, root: dict, meta: dict) -> Gateway:
    """A port Emissary's pods listen on, shown with its protocol: it opens
    nothing by itself (the Services in front of the pods do)."""
    spec = r.mapping(root.get("spec"), "spec")
    protocol = r.string(spec.get("protocol"), "spec.protocol")
    security = r.string(spec.get("securityModel"), "spec.securityModel")
    port = Listener(name=meta["name"], line=meta["line"], port=r.integer(spec.get("port"), "spec.port"),
                    protocol=protocol, tls=protocol in ("HTTPS", "TLS", "HTTPSPROXY") or security == "SECURE")
    return Gateway(**meta, listeners=(port,))


BUILDERS = {
    (GROUP, "Mapping"): mapping,
    (GROUP, "TCPMapping"): tcp_mapping,
    (GROUP, "Host"): host,
    (GROUP, "Listener"): listener,
}
