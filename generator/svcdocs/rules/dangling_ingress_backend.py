"""dangling-ingress-backend: a router backend that names a missing Service or port."""

from __future__ import annotations

from svcdocs.graph import Routing
from svcdocs.model import BackendRef, Ingress, Object, Router, Service
from svcdocs.rules.context import Context, Hit, named

ID = "dangling-ingress-backend"
SEVERITY = "error"
SUMMARY = ("An Ingress, route or other router backend that names a Service, or a Service port, that does not exist, "
           "or a Service in another namespace that no ReferenceGrant lets it use.")
RATIONALE = (
    "An Ingress, a Gateway API route, an Istio VirtualService, a Contour HTTPProxy, a Traefik IngressRoute, an "
    "OpenShift Route and the like forward requests to the Service and port each backend names. When that Service "
    "or port does not exist, the controller has nowhere to send the requests: clients get 503 Service "
    "Unavailable (or the route is rejected) while the rest of the router works, so the mistake is easy to miss. "
    "It usually follows a Service rename or a port renumbering. Istio reads a short destination host such as "
    "`reviews` in the VirtualService's own namespace, whatever namespace the Service is in. A Gateway API route "
    "may send to a Service in another namespace only when a ReferenceGrant in that namespace allows it; without "
    "one, that backend carries no traffic."
)
FIX = ("Point the backend at an existing Service and one of its ports, by number or by name (for Istio, the "
       "Service's full name `name.namespace.svc.cluster.local`), or add the ReferenceGrant that lets the route use "
       "a Service of another namespace.")
EXAMPLE = """\
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
    - http:
        paths:
          - path: /api
            pathType: Prefix
            backend: {service: {name: api, port: {number: 80}}}   # no Service shop/api
"""
USE_INSTEAD = """\
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
    - http:
        paths:
          - path: /api
            pathType: Prefix
            backend: {service: {name: api-gateway, port: {number: 80}}}
"""


def check(ctx: Context):
    routing = Routing(ctx.model)
    services = {s.id: s for s in ctx.model.services}
    nodes = ctx.graph.nodes
    known = {o.namespace for o in ctx.model.objects()} | {n.name for n in ctx.model.namespaces}
    kinds = {"Service"} | {n.split("/", 1)[0] for n in nodes}  # a kind of no object here may live elsewhere
    entry_hosts = {h.lower() for e in ctx.model.service_entries for h in e.hosts}
    dangling = []  # (router, way, backend, message-maker)
    for router in ctx.model.every_router():
        seen = set()
        for way in router.ways:
            for backend in way.backends:
                if backend in seen or backend.id == router.id or backend.kind == "External":
                    continue
                seen.add(backend)
                if backend.id in services or backend.id in nodes:
                    if not routing.granted(router, backend):
                        dangling.append((router, way, backend, _ungranted))
                    elif _missing_port(router, backend, services.get(backend.id), "") is not None:
                        dangling.append((router, way, backend, _missing_port))
                elif backend.kind in kinds and _checkable(router, backend, known, entry_hosts):
                    dangling.append((router, way, backend, _missing))
    served = _served(ctx, {(router.id, backend) for router, _, backend, _ in dangling})
    for router, way, backend, message in dangling:
        host, path = served.get((router.id, backend), (_first(way.hosts), _first(way.paths)))
        what = _what(router, host, path)
        line = backend.line if message is _missing else backend.port_line or backend.line
        yield Hit(router, line, message(router, backend, services.get(backend.id), what))


def _served(ctx: Context, wanted: set[tuple[str, BackendRef]]) -> dict[tuple[str, BackendRef], tuple]:
    """The first host and path each wanted backend serves, its delegators'
    included (an included HTTPProxy serves under its root's host and path)."""
    found: dict[tuple[str, BackendRef], tuple] = {}
    routers = {router_id for router_id, _ in wanted}
    for hop in ctx.graph.hops:
        if hop.router in routers and (hop.router, hop.backend) in wanted:
            found.setdefault((hop.router, hop.backend), (hop.host, hop.path))
    return found


def _ungranted(router: Router, backend: BackendRef, service: Service | None, what: str) -> str:
    return (f"{named(router)} sends {what} to Service {backend.namespace}/{backend.name} of another namespace, "
            f"which no ReferenceGrant in {backend.namespace} lets it use, so that backend carries no traffic.")


def _first(values: tuple[str, ...]) -> str | None:
    return values[0] if values else None


def _what(router: Router, host: str | None, path: str | None) -> str:
    """What the backend serves, for a message: `requests for shop.example.com/api`."""
    if host is None and path is None:
        return "requests that match no rule" if isinstance(router, Ingress) else "its traffic"
    return f"requests for {host or ''}{path or ''}"


def _checkable(router: Router, backend: BackendRef, known: set[str], entry_hosts: set[str]) -> bool:
    """Whether a missing backend is a mistake these manifests show: in the
    router's own namespace, or in one the input has (a Service of another
    namespace may live outside the input); not a host a ServiceEntry declares."""
    if backend.host is not None and backend.host.lower().rstrip(".") in entry_hosts:
        return False
    return backend.namespace == router.namespace or backend.namespace in known


def _missing(router: Router, backend: BackendRef, service: Service | None, what: str) -> str:
    kind = backend.kind.split(".", 1)[0]
    if backend.host is not None and backend.host != backend.name:
        return (f"{named(router)} sends {what} to {backend.host}, which names Service {backend.name} in namespace "
                f"{backend.namespace}; it does not exist there, so clients get errors instead of answers.")
    if kind != "Service" or backend.namespace != router.namespace:
        verb = "sends" if kind in ("Service", "MultiClusterService") else "hands"
        return (f"{named(router)} {verb} {what} to {kind} {backend.namespace}/{backend.name}, which does not "
                f"exist, so clients get errors instead of answers.")
    return (f"{named(router)} sends {what} to Service {backend.name}, which does not exist in namespace "
            f"{backend.namespace}, so clients get errors instead of answers.")


def _missing_port(router: Object, backend: BackendRef, service: Service | None, what: str) -> str | None:
    """The message, if the backend's Service has no such port."""
    port = backend.port
    if service is None or service.type == "ExternalName" or port is None or _has_port(service, port, backend):
        return None
    ports = ", ".join(_port_label(p.port, p.name) for p in service.ports) or "none"
    return (f"{named(router)} sends {what} to port {port} of {_service_name(service)}, which has no such "
            f"port (its ports: {ports}), so clients get errors instead of answers.")


def _service_name(service: Service) -> str:
    return f"{service.kind} {service.namespace}/{service.name}"


def _has_port(service: Service, port: int | str, backend: BackendRef) -> bool:
    if isinstance(port, str):
        return any(p.name == port for p in service.ports)
    if backend.target_port:  # a pod's port: a named targetPort may name it, and a single port takes it
        return len(service.ports) == 1 or any(p.target == port or isinstance(p.target, str) for p in service.ports)
    return any(p.port == port for p in service.ports)


def _port_label(number: int | None, name: str | None) -> str:
    return f"{name}={number}" if name else str(number)
