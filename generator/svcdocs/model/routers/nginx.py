"""NGINX Ingress Controller (k8s.nginx.org/v1).

- `VirtualServer`: one `host`, with TLS when `tls.secret` is set; its routes
  match a `path` and pass to an upstream (a Service and port of its
  namespace) by `action.pass` or `action.proxy.upstream`, split by weight
  (`splits`) or by `matches`; `route: ns/name` hands the path to a
  VirtualServerRoute.
- `VirtualServerRoute`: `subroutes` for the paths its VirtualServer hands it,
  with upstreams of its own namespace.
- `TransportServer`: TCP, UDP or TLS passthrough (`host`) on a named
  listener, passing to an upstream.
"""

from __future__ import annotations

from svcdocs.model.objects import BackendRef, Router, Way
from svcdocs.model.reader import Reader
from svcdocs.model.routers.parts import backend, unique

GROUP = "k8s.nginx.org"
CONTROLLER = "nginx-inc"  # its pods carry the traffic (analysis/controllers.py)
PROTOCOLS = {"TCP": "TCP", "UDP": "UDP", "TLS_PASSTHROUGH": "TLS"}


def _upstreams(r: Reader, spec: dict, namespace: str) -> dict[str, BackendRef]:
    found = {}
    for i, _, f in r.mappings(spec.get("upstreams"), "spec.upstreams"):
        name = r.string(f.get("name"), f"spec.upstreams[{i}].name")
        ref = backend(r, f, f"spec.upstreams[{i}]", namespace, name_key="service", weight_key=None)
        if name and ref is not None:
            found[name] = ref
    return found


def _action_targets(r: Reader, f: dict, what: str) -> list[tuple[str, int | None]]:
    """(upstream name, weight) that a route's action, splits and matches pass to."""
    targets = []

    def action(node, where, weight=None):
        a = r.mapping(node, where)
        name = r.string(a.get("pass"), f"{where}.pass") or r.string(
            r.mapping(a.get("proxy"), f"{where}.proxy").get("upstream"), f"{where}.proxy.upstream")
        if name:
            targets.append((name, weight))

    def splits(node, where):
        for j, _, s in r.mappings(node, where):
            action(s.get("action"), f"{where}[{j}].action", r.integer(s.get("weight"), f"{where}[{j}].weight", 0, 100))

    action(f.get("action"), f"{what}.action")
    splits(f.get("splits"), f"{what}.splits")
    for k, _, m in r.mappings(f.get("matches"), f"{what}.matches"):
        action(m.get("action"), f"{what}.matches[{k}].action")
        splits(m.get("splits"), f"{what}.matches[{k}].splits")
    return targets


def _ways(r: Reader, spec: dict, key: str, meta: dict, hosts: tuple[str, ...], host_line: int, tls: bool | None):
    namespace = meta["namespace"]
    upstreams = _upstreams(r, spec, namespace)
    ways = []
    for i, item, f in r.mappings(spec.get(key), f"spec.{key}"):
        what = f"spec.{key}[{i}]"
        path = r.string(f.get("path"), f"{what}.path") or "/"
        backends = []
        for name, weight in _action_targets(r, f, what):
            ref = upstreams.get(name)
            if ref is not None:
                backends.append(BackendRef(ref.kind, ref.namespace, ref.name, ref.line, ref.port, ref.port_line,
                                           weight=weight))
        route_node = f.get("route")
        delegate = r.string(route_node, f"{what}.route")
        if delegate:
            route_namespace, _, route_name = delegate.rpartition("/")
            backends.append(BackendRef("VirtualServerRoute", route_namespace or namespace, route_name,
                                       r.line(route_node)))
        ways.append(Way(line=r.line(item), hosts=hosts, host_line=host_line, paths=(path,),
                        backends=tuple(unique(backends)), protocol="HTTP", tls=tls))
    return tuple(ways)


def _host(r: Reader, spec: dict) -> tuple[tuple[str, ...], int]:
    host_node = spec.get("host")
    host = r.string(host_node, "spec.host")
    return ((host,), r.line(host_node)) if host else ((), 0)


def virtual_server(r: Reader, root: dict, meta: dict) -> Router:
    spec = r.mapping(root.get("spec"), "spec")
    hosts, host_line = _host(r, spec)
    tls = bool(r.string(r.mapping(spec.get("tls"), "spec.tls").get("secret"), "spec.tls.secret"))
    listener = r.mapping(spec.get("listener"), "spec.listener")
    class_node = spec.get("ingressClassName")
    return Router(**meta, class_name=r.string(class_node, "spec.ingressClassName"),
                  class_line=r.line(class_node) if class_node is not None else 0,
                  ways=_ways(r, spec, "routes", meta, hosts, host_line, tls), controller=CONTROLLER,
                  listeners=tuple(v for k in ("http", "https") if (v := r.string(listener.get(k), f"listener.{k}"))))


def virtual_server_route(r: Reader, root: dict, meta: dict) -> Router:
    """Reached only through the VirtualServer whose routes hand it paths."""
    spec = r.mapping(root.get("spec"), "spec")
    hosts, host_line = _host(r, spec)
    return Router(**meta, ways=_ways(r, spec, "subroutes", meta, hosts, host_line, None), opens=None)


def transport_server(r: Reader, root: dict, meta: dict) -> Router:
    spec = r.mapping(root.get("spec"), "spec")
    listener = r.mapping(spec.get("listener"), "spec.listener")
    protocol = PROTOCOLS.get((r.string(listener.get("protocol"), "spec.listener.protocol") or "").upper(), "TCP")
    upstreams = _upstreams(r, spec, meta["namespace"])
    targets = _action_targets(r, spec, "spec")
    hosts, host_line = _host(r, spec)
    way = Way(line=r.line(root["spec"]) if "spec" in root else meta["line"], hosts=hosts, host_line=host_line,
              backends=tuple(upstreams[name] for name, _ in targets if name in upstreams), protocol=protocol,
              tls=True if protocol == "TLS" else None)
    name = r.string(listener.get("name"), "spec.listener.name")
    class_node = spec.get("ingressClassName")
    return Router(**meta, class_name=r.string(class_node, "spec.ingressClassName"),
                  class_line=r.line(class_node) if class_node is not None else 0, ways=(way,), controller=CONTROLLER,
                  listeners=(name,) if name else ())


BUILDERS = {(GROUP, "VirtualServer"): virtual_server, (GROUP, "VirtualServerRoute"): virtual_server_route,
            (GROUP, "TransportServer"): transport_server}
QUIET = {(GROUP, kind) for kind in ("Policy", "GlobalConfiguration")}
