"""dangling-ingress-backend: an Ingress or route backend that names a missing Service or port."""

from __future__ import annotations

from svcdocs.graph.build import ingress_backends, route_backends
from svcdocs.model import Object, Service, object_id
from svcdocs.rules.context import Context, Hit, named

ID = "dangling-ingress-backend"
SEVERITY = "error"
SUMMARY = "An Ingress or route backend that names a Service, or a Service port, that does not exist."
RATIONALE = (
    "An Ingress or a Gateway API route forwards requests to the Service and port its backend names, "
    "in its own namespace. When that Service or port does not exist, the controller has nowhere to "
    "send the requests: clients get 503 Service Unavailable (or the route is rejected) while the "
    "rest of the Ingress works, so the mistake is easy to miss. It usually follows a Service rename "
    "or a port renumbering."
)
FIX = "Point the backend at an existing Service in the same namespace and at one of its ports, by number or by name."
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
    services = {s.id: s for s in ctx.model.services}
    for ingress in ctx.model.ingresses:
        seen = set()
        for host, path, backend in ingress_backends(ingress):
            if backend not in seen:
                seen.add(backend)
                service = services.get(object_id("Service", ingress.namespace, backend.service))
                what = _served(host, path) if host or path else "requests that match no rule"
                hit = _missing(ingress, ingress.namespace, backend.service, service, backend.port, what)
                if hit is not None:
                    yield Hit(ingress, backend.port_line if service else backend.line, hit)
    for route in ctx.model.routes:
        seen = set()
        for host, path, backend in route_backends(route):
            # A Service in another namespace may well exist outside this input (with a ReferenceGrant).
            if backend.kind == "Service" and backend.namespace == route.namespace and backend not in seen:
                seen.add(backend)
                service = services.get(backend.id)
                hit = _missing(route, backend.namespace, backend.name, service, backend.port, _served(host, path))
                if hit is not None:
                    yield Hit(route, (backend.port_line or backend.line) if service else backend.line, hit)


def _served(host: str | None, path: str | None) -> str:
    """What the backend serves, for a message: `requests for shop.example.com/api`."""
    if host is None and path is None:
        return "its traffic"
    return f"requests for {host or ''}{path or ''}"


def _missing(router: Object, namespace: str, name: str, service: Service | None,
             port: int | str | None, what: str) -> str | None:
    """The message, if the backend's Service or port does not exist."""
    if service is None:
        return (f"{named(router)} sends {what} to Service {name}, which does not exist in namespace "
                f"{namespace}, so clients get errors instead of answers.")
    if service.type == "ExternalName" or port is None or _has_port(service, port):
        return None
    ports = ", ".join(_port_label(p.port, p.name) for p in service.ports) or "none"
    return (f"{named(router)} sends {what} to port {port} of Service {namespace}/{name}, which has no such "
            f"port (its ports: {ports}), so clients get errors instead of answers.")


def _has_port(service: Service, port: int | str) -> bool:
    return any((p.name if isinstance(port, str) else p.port) == port for p in service.ports)


def _port_label(number: int | None, name: str | None) -> str:
    return f"{name}={number}" if name else str(number)
