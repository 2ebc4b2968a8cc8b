"""Routing resolved across objects: which host and path of which router
reaches which backend, with or without TLS.

A router's ways name their own hosts and paths. A router that another one
delegates to (an included HTTPProxy, an Istio delegate, a
VirtualServerRoute, a TraefikService, a child IngressRoute) serves under the
hosts and paths of its delegator: a Contour include prefixes its path, the
others keep their own paths when they have some. Where a way leaves TLS to
what it hangs on, the listeners of its Gateways say: TLS when one that serves
the host has it, plain when all of them are plain HTTP.

Every (router, host, path, backend) is one `Hop`. Hops grow as hostnames x
paths x backends, so the graph stops taking them at its edge limit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterator

from svcdocs.model import BackendRef, Gateway, Model, ReferenceGrant, Router, Service, TLSSource, Way

GATEWAY_API = "gateway.networking.k8s.io"
MAX_DEPTH = 8  # delegation deeper than this (or a loop) is not followed
# Kinds a router hangs on that carry listeners.
GATEWAY_KINDS = frozenset({"Gateway", "ListenerSet", "XListenerSet", "Gateway.networking.istio.io"})


@dataclass(frozen=True, slots=True)
class Hop:
    """One resolved way through a router: the host and path it serves (its
    own, or those of the router that delegates to it), whether TLS protects
    it, and the backend it sends to."""

    router: str
    host: str | None
    path: str | None
    backend: BackendRef
    tls: bool | None  # None: not known from these manifests
    protocol: str | None
    line: int  # of the way
    host_line: int = 0
    inherited: bool = False  # host and path come from a router that delegates to this one


@dataclass(frozen=True, slots=True)
class _Context:
    host: str | None
    path: str | None
    tls: bool | None
    joins: bool  # prefix the delegator's path to the router's own paths


class Routing:
    """Lookups over every router of a model, made once."""

    def __init__(self, model: Model):
        self.routers: dict[str, Router] = {r.id: r for r in model.every_router()}
        # Routers a backend hands traffic on to; a workload that is its own way
        # in (a Knative Service) is a backend like a Service, not one of them.
        workloads = {w.id for w in model.workloads}
        self.delegates: dict[str, Router] = {k: r for k, r in self.routers.items() if k not in workloads}
        self.gateways: dict[str, Gateway] = {g.id: g for g in model.gateways}
        self.services: dict[str, Service] = {s.id: s for s in model.services}
        # What serves hosts over TLS besides the routers themselves: by id (named
        # by a router), and by the router kinds whose hosts they cover.
        self.tls_sources: dict[str, TLSSource] = {t.id: t for t in model.tls_sources}
        self.tls_by_kind: dict[str, list[TLSSource]] = defaultdict(list)
        for source in model.tls_sources:
            for kind in source.serves:
                self.tls_by_kind[kind].append(source)
        self.grants: dict[str, list[ReferenceGrant]] = defaultdict(list)
        for grant in model.grants:
            self.grants[grant.namespace].append(grant)
        # Children that name a router as their parent (Traefik multi-layer routing).
        self.children: dict[str, list[Router]] = defaultdict(list)
        delegated: set[str] = set()
        for router in self.routers.values():
            for parent in router.parents:
                if parent.id in self.delegates:
                    self.children[parent.id].append(router)
                    delegated.add(router.id)
            for way in router.ways:
                delegated.update(b.id for b in way.backends if b.id in self.delegates and b.id != router.id)
        self.delegated = frozenset(delegated)

    def own_way_in(self, router: Router) -> bool:
        """Whether a router serves its ways under its own hosts: it opens a
        way in, hangs on a Gateway, or nothing delegates to it."""
        return (router.opens is not None or router.id not in self.delegated
                or any(p.id not in self.delegates for p in router.parents))

    def hops(self) -> Iterator[Hop]:
        for router in self.routers.values():
            if self.own_way_in(router):
                yield from self._walk(router, None, (router.id,))

    def _walk(self, router: Router, context: _Context | None, chain: tuple[str, ...]) -> Iterator[Hop]:
        for way in router.ways:
            for host in _hosts(way, context):
                tls = self._tls(router, way, host, context)
                for path in _paths(way, context):
                    for backend in way.backends:
                        yield Hop(router.id, host, path, backend, tls, way.protocol, way.line, way.host_line,
                                  inherited=context is not None)
                        child = self.delegates.get(backend.id)
                        if child is not None and child.id not in chain and len(chain) < MAX_DEPTH:
                            yield from self._walk(child, _Context(host, path, tls, way.prefixes), (*chain, child.id))
                    for child in self.children.get(router.id, ()):
                        if child.id not in chain and len(chain) < MAX_DEPTH:
                            yield from self._walk(child, _Context(host, path, tls, False), (*chain, child.id))

    def _tls(self, router: Router, way: Way, host: str | None, context: _Context | None) -> bool | None:
        if way.tls is not None:
            return way.tls
        if context is not None:
            return context.tls
        found = self.source_tls(router, host)
        return found if found is not None else self.listener_tls(router, host)

    def source_tls(self, router: Router, host: str | None) -> bool | None:
        """TLS as the objects that serve a router's hosts say: those it names
        (a ManagedCertificate the input does not hold still covers its hosts),
        then those that cover hosts of its kind (an ApisixTls, an Emissary
        Host): plain when they exist but none covers the host; None when
        nothing says."""
        found = None
        for source_id in router.tls_sources:
            source = self.tls_sources.get(source_id)
            if source is None:
                if source_id.startswith("ManagedCertificate/"):
                    return True
                continue
            if source.tls is not None and covers(source.hosts, host):
                return source.tls
            if source.tls is not None:
                found = False
        for source in self.tls_by_kind.get(router.kind, ()):
            if covers(source.hosts, host):
                return bool(source.tls)
            found = False
        return found

    def listener_tls(self, router: Router, host: str | None) -> bool | None:
        """TLS as the listeners a router hangs on serve `host`: True when one
        of them has TLS (or only redirects to HTTPS), False when they all
        serve plain HTTP, None when no Gateway of it is in the input."""
        found = None
        for parent in router.parents:
            gateway = self.gateways.get(parent.id)
            if gateway is None:
                if parent.kind in GATEWAY_KINDS:
                    return None
                continue
            for listener in gateway.listeners:
                if parent.section not in (None, listener.name) or not _serves(listener.hostname, host):
                    continue
                if parent.port is not None and listener.port not in (None, parent.port):
                    continue
                if listener.tls or listener.redirects:
                    return True
                found = False
        return found

    def granted(self, router: Router, backend: BackendRef) -> bool:
        """Whether a backend in another namespace may be used: always, unless
        the router's API asks for a ReferenceGrant (Gateway API), and then
        only if one in the backend's namespace allows it."""
        if not router.needs_grant or backend.namespace == router.namespace or backend.kind != "Service":
            return True
        return any(g.allows(GATEWAY_API, router.kind, router.namespace, "Service", backend.name)
                   for g in self.grants.get(backend.namespace, ()))


def _hosts(way: Way, context: _Context | None) -> tuple[str | None, ...]:
    if way.hosts:
        return way.hosts
    return (context.host,) if context is not None else (None,)


def _paths(way: Way, context: _Context | None) -> tuple[str | None, ...]:
    if context is None or context.path is None:
        return way.paths or (None,)
    if not way.paths:
        return (context.path,)
    if context.joins:
        return tuple(join_paths(context.path, p) for p in way.paths)
    return way.paths


def join_paths(prefix: str, path: str) -> str:
    """`/blog` + `/` is `/blog`; `/blog` + `/posts` is `/blog/posts`."""
    if path in ("", "/"):
        return prefix
    return prefix.rstrip("/") + "/" + path.lstrip("/")


def covers(patterns: tuple[str, ...], host: str | None) -> bool:
    """Whether certificate names cover a host: none names every host; `*`
    any; `*.example.com` one label under example.com; a router's way
    without a host is covered only by `*` or no names."""
    if not patterns:
        return True
    if host is None:
        return "*" in patterns
    host = host.lower()
    for name in (p.lower() for p in patterns):
        if name in ("*", host) or (name.startswith("*.") and host.partition(".")[2] == name[2:] and "." in host):
            return True
    return False


def _serves(listener_host: str | None, host: str | None) -> bool:
    """Whether a listener for `listener_host` (None: any) serves `host` (None: any)."""
    if listener_host is None or host is None:
        return True
    listener_host, host = listener_host.lower(), host.lower()
    if listener_host.startswith("*."):
        return host.endswith(listener_host[1:]) or host == listener_host
    return listener_host == host or (host.startswith("*.") and listener_host.endswith(host[1:]))
