"""Istio (networking.istio.io v1, v1beta1, v1alpha3).

- `Gateway`: its selector picks the proxy pods it configures (the ingress
  gateway Deployment); each server is a listener with its port, protocol,
  hosts and TLS. Its id is `Gateway.networking.istio.io/ns/name`, since a
  Gateway API Gateway owns `Gateway/ns/name`.
- `VirtualService`: hangs on the gateways it names (`ns/name`, a plain
  `name` in its own namespace); `mesh` alone is mesh routing and opens
  nothing. Its http, tls and tcp routes send to destinations named by DNS:
  a short name is a Service in the VirtualService's namespace (as Istio reads
  it, whatever the Service's namespace), `name.ns` and
  `name.ns.svc.cluster.local` name their namespace, anything else is a host
  outside the cluster. A `delegate` hands the route to another VirtualService.
- `ServiceEntry`: names the mesh can reach; those outside the mesh
  (`location: MESH_EXTERNAL`, the default) are External nodes.
"""

from __future__ import annotations

from svcdocs.model.objects import BackendRef, Gateway, Listener, ParentRef, Router, ServiceEntry, Way
from svcdocs.model.reader import Reader
from svcdocs.model.routers.parts import MAX_WEIGHT, unique

GROUP = "networking.istio.io"
GATEWAY = f"Gateway.{GROUP}"
MESH = "mesh"
TLS_PROTOCOLS = ("HTTPS", "TLS")


def gateway(r: Reader, root: dict, meta: dict) -> Gateway:
    spec = r.mapping(root.get("spec"), "spec")
    selector = r.pairs(spec.get("selector"), "spec.selector")
    listeners = []
    for i, item, f in r.mappings(spec.get("servers"), "spec.servers"):
        port = r.mapping(f.get("port"), f"spec.servers[{i}].port")
        tls = r.mapping(f.get("tls"), f"spec.servers[{i}].tls")
        protocol = (r.string(port.get("protocol"), f"spec.servers[{i}].port.protocol") or "").upper() or None
        redirects = r.flag(tls.get("httpsRedirect"))
        for host in r.strings(f.get("hosts"), f"spec.servers[{i}].hosts") or ("*",):
            hostname = host.split("/", 1)[-1]  # `ns/host`: which namespaces' VirtualServices may bind it
            listeners.append(Listener(
                name=r.string(f.get("name"), "name") or r.string(port.get("name"), "port.name") or "",
                line=r.line(item),
                port=r.integer(port.get("number"), f"spec.servers[{i}].port.number"),
                protocol=protocol,
                hostname=None if hostname == "*" else hostname,
                tls=protocol in TLS_PROTOCOLS or (bool(tls.get("mode")) and not redirects),
                redirects=redirects,
            ))
    return Gateway(**meta, class_name=dict(selector).get("istio"), listeners=tuple(listeners),
                   selector=selector or None, selector_line=r.key_line(root.get("spec"), "selector"))


def virtual_service(r: Reader, root: dict, meta: dict) -> Router:
    spec = r.mapping(root.get("spec"), "spec")
    namespace = meta["namespace"]
    hosts = tuple(h for h in r.strings(spec.get("hosts"), "spec.hosts") if h != "*")
    host_line = r.key_line(root.get("spec"), "hosts")
    parents = []
    for i, node in enumerate(r.sequence(spec.get("gateways"), "spec.gateways")):
        name = r.string(node, f"spec.gateways[{i}]")
        if name and name != MESH:
            parents.append(_gateway_ref(name, namespace, r.line(node)))
    ways = []
    for i, item, f in r.mappings(spec.get("http"), "spec.http"):
        what = f"spec.http[{i}]"
        paths = []
        for _, _, m in r.mappings(f.get("match"), f"{what}.match"):
            uri = r.mapping(m.get("uri"), f"{what}.match.uri")
            paths.append(next((r.string(uri[k], f"{what}.match.uri.{k}") for k in ("prefix", "exact", "regex")
                               if k in uri), None) or "/")
        backends = _destinations(r, f.get("route"), f"{what}.route", namespace)
        mirrors = [f["mirror"]] if "mirror" in f else []
        mirrors += [r.mapping(m, "mirrors").get("destination") for m in r.sequence(f.get("mirrors"), f"{what}.mirrors")]
        backends += [b for m in mirrors if (b := _destination(r, m, f"{what}.mirror", namespace)) is not None]
        delegate = r.mapping(f.get("delegate"), f"{what}.delegate")
        delegate_name = r.string(delegate.get("name"), f"{what}.delegate.name")
        if delegate_name:
            backends.append(BackendRef(
                "VirtualService", r.string(delegate.get("namespace"), "delegate.namespace") or namespace,
                delegate_name, r.line(delegate["name"])))
        ways.append(Way(line=r.line(item), hosts=hosts, host_line=host_line, paths=unique(paths) or ("/",),
                        backends=tuple(backends), protocol="HTTP"))
    for key, protocol in (("tls", "TLS"), ("tcp", "TCP")):
        for i, item, f in r.mappings(spec.get(key), f"spec.{key}"):
            what = f"spec.{key}[{i}]"
            sni, ports = [], []
            for _, _, m in r.mappings(f.get("match"), f"{what}.match"):
                sni += r.strings(m.get("sniHosts"), f"{what}.match.sniHosts")
                if (port := r.integer(m.get("port"), f"{what}.match.port")) is not None:
                    ports.append(port)
            backends = tuple(_destinations(r, f.get("route"), f"{what}.route", namespace))
            for port in unique(ports) or (None,):
                ways.append(Way(line=r.line(item), hosts=unique(h for h in sni if h != "*") if sni else
                                (hosts if protocol == "TLS" else ()), paths=(), backends=backends,
                                protocol=protocol, port=port, tls=True if protocol == "TLS" else None))
    return Router(**meta, parents=tuple(parents), ways=tuple(ways), opens=None)


def _gateway_ref(name: str, namespace: str, line: int) -> ParentRef:
    """`ns/name`, a plain `name` in the VirtualService's namespace, or the
    older `name.ns.svc.cluster.local`."""
    if "/" in name:
        namespace, name = name.split("/", 1)
    elif "." in name:
        name, namespace = name.split(".")[:2]
    return ParentRef(GATEWAY, namespace, name, line)


def _destinations(r: Reader, node, what: str, namespace: str) -> list[BackendRef]:
    found = []
    for j, _, f in r.mappings(node, what):
        backend = _destination(r, f.get("destination"), f"{what}[{j}].destination", namespace,
                               r.integer(f.get("weight"), f"{what}[{j}].weight", 0, MAX_WEIGHT))
        if backend is not None:
            found.append(backend)
    return found


def _destination(r: Reader, node, what: str, namespace: str, weight: int | None = None) -> BackendRef | None:
    f = r.mapping(node, what)
    host_node = f.get("host")
    host = r.string(host_node, f"{what}.host")
    if not host:
        return None
    port = r.mapping(f.get("port"), f"{what}.port")
    port_node = port.get("number")
    kind, service_namespace, name = service_of(host.rstrip(".").lower(), namespace)
    return BackendRef(kind, service_namespace, name, r.line(host_node),
                      port=r.integer(port_node, f"{what}.port.number"),
                      port_line=r.line(port_node) if port_node is not None else 0, weight=weight, host=host)


def service_of(host: str, namespace: str) -> tuple[str, str, str]:
    """(kind, namespace, name) of a destination host, read as Istio reads it:
    `reviews` is in the rule's own namespace, `reviews.ns` and
    `reviews.ns.svc[.cluster.local]` in `ns`; anything else (a wildcard, an
    outside name) is `External`."""
    parts = host.split(".")
    if "*" in host or not all(parts):
        return "External", "", host
    if len(parts) == 1:
        return "Service", namespace, host
    if len(parts) == 2 or parts[2] == "svc":
        return "Service", parts[1], parts[0]
    return "External", "", host


def service_entry(r: Reader, root: dict, meta: dict) -> ServiceEntry:
    spec = r.mapping(root.get("spec"), "spec")
    location = r.string(spec.get("location"), "spec.location") or "MESH_EXTERNAL"
    ports = tuple(p for _, _, f in r.mappings(spec.get("ports"), "spec.ports")
                  if (p := r.integer(f.get("number"), "spec.ports[].number")) is not None)
    return ServiceEntry(**meta, hosts=r.strings(spec.get("hosts"), "spec.hosts"),
                        hosts_line=r.key_line(root.get("spec"), "hosts"),
                        external=location != "MESH_INTERNAL", ports=ports)


BUILDERS = {(GROUP, "Gateway"): gateway, (GROUP, "VirtualService"): virtual_service,
            (GROUP, "ServiceEntry"): service_entry}
QUIET = {(GROUP, kind) for kind in ("DestinationRule", "Sidecar", "EnvoyFilter", "WorkloadEntry", "WorkloadGroup",
                                    "ProxyConfig")}
