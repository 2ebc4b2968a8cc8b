"""Model: the frozen objects of every source, with the problems met on the way.

Sources are parsed and read into objects together, one source at a time, so a
composed YAML tree never outlives its file; large inputs use every core.
Router kinds (Istio, Contour, Traefik, ...) are read by the adapters of
`model/routers/`, and by the config's `router-kinds`.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import Counter
from dataclasses import dataclass, replace
from functools import partial
from typing import Iterable, Iterator, Sequence

from svcdocs.config import RouterKind
from svcdocs.load import Problem, Source, parse
from svcdocs.load.yamldocs import in_hand
from svcdocs.runtime import gc_paused
from svcdocs.model.extract import extract
from svcdocs.load.placement import placer_of
from svcdocs.model.objects import (
    ROUTE_KINDS, WORKLOAD_KINDS, Backend, BackendRef, BackendTLSPolicy, Container, ContainerPort, Endpoints,
    EnvRef, Gateway, Ingress, IngressPath, IngressRule, IngressTLS, IPBlock, LabelSelector, Listener,
    Namespace, NetworkPolicy, Object, ParentRef, PolicyPeer, PolicyPort, PolicyRule, ReferenceGrant, Requirement,
    Route, ResourceBackend, RoutedWorkload, Router, RouterClass, RouteRule, Service, ServiceEntry, ServicePort, TLSSource,
    Unmodelled, Way, Workload, id_kind, object_id,
)
from svcdocs.model.policies import AddressSet, PolicyTier, TieredPolicy
from svcdocs.model.routers import Routers, router_kinds
from svcdocs.model.routers.custom import DescribedRouter, check_paths

__all__ = [
    "ROUTE_KINDS", "WORKLOAD_KINDS", "Backend", "BackendRef", "BackendTLSPolicy", "Container", "ContainerPort",
    "Duplicate", "Endpoints", "EnvRef", "Gateway", "IPBlock", "Ingress", "IngressPath", "IngressRule",
    "IngressTLS", "Inputs", "LabelSelector", "Listener", "Model", "Namespace", "NetworkPolicy",
    "Object", "ParentRef", "PolicyPeer", "PolicyPort", "PolicyRule", "PolicyTier", "ReferenceGrant", "Requirement",
    "ResourceBackend", "Route", "RoutedWorkload", "Router", "RouterClass", "RouteRule", "Service", "ServiceEntry",
    "ServicePort", "TieredPolicy", "TLSSource", "Unmodelled", "Way", "Workload", "build_model", "build_models",
    "id_kind", "object_id",
]

# Below this many bytes, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Inputs:
    """What was read. Every document is an object, a kind svcdocs does not model,
    or unusable: `documents == objects (duplicates included) + other + unusable`."""

    files: int
    documents: int
    problems: tuple[Problem, ...]
    unusable: int = 0
    skipped: int = 0
    other_kinds: tuple[tuple[str, int], ...] = ()
    unmodelled: tuple[Unmodelled, ...] = ()  # the objects counted in other_kinds, by id
    # Of the kinds not modelled, those that look like traffic routing (`Mapping
    # (getambassador.io)`): a way in svcdocs cannot see.
    routing_kinds: tuple[tuple[str, int], ...] = ()
    # Of the kinds not modelled, those that decide connections which svcdocs
    # does not apply (`AuthorizationPolicy (security.istio.io)`).
    unapplied_policies: tuple[tuple[str, int], ...] = ()
    dropped: tuple[Problem, ...] = ()  # of `problems`, those of a document (or file) not read at all


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A later definition of an object; the later one is the one used."""

    id: str
    file: str
    line: int
    first_file: str
    first_line: int
    source: str = ""  # the label of the source each definition was read from
    first_source: str = ""


@dataclass(frozen=True, slots=True)
class Model:
    inputs: Inputs
    services: tuple[Service, ...] = ()
    workloads: tuple[Workload, ...] = ()
    ingresses: tuple[Ingress, ...] = ()
    gateways: tuple[Gateway, ...] = ()
    routes: tuple[Route, ...] = ()
    network_policies: tuple[NetworkPolicy, ...] = ()
    namespaces: tuple[Namespace, ...] = ()
    endpoints: tuple[Endpoints, ...] = ()
    router_classes: tuple[RouterClass, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    routers: tuple[Router, ...] = ()  # the router families' (model/routers/), besides Ingresses and routes
    grants: tuple[ReferenceGrant, ...] = ()
    backend_tls: tuple[BackendTLSPolicy, ...] = ()
    service_entries: tuple[ServiceEntry, ...] = ()
    tls_sources: tuple[TLSSource, ...] = ()
    policies: tuple[TieredPolicy, ...] = ()  # every policy kind besides NetworkPolicy (model/policies/)
    policy_tiers: tuple[PolicyTier, ...] = ()
    address_sets: tuple[AddressSet, ...] = ()  # Calico network sets, Cilium CIDR groups

    def objects(self) -> Iterator[Object]:
        for group in (self.services, self.workloads, self.ingresses, self.gateways, self.routes,
                      self.network_policies, self.namespaces, self.endpoints, self.router_classes, self.routers,
                      self.grants, self.backend_tls, self.service_entries, self.tls_sources, self.policies,
                      self.policy_tiers, self.address_sets):
            yield from group

    def every_router(self) -> list[Router]:
        """Every way in, whatever its kind, sorted by id: Ingresses, routes,
        the families' routers, and the routers of workloads that are their own
        way in (a Knative Service)."""
        found = [*self.ingresses, *self.routes, *self.routers,
                 *(w.router for w in self.workloads if isinstance(w, RoutedWorkload))]
        return sorted(found, key=lambda r: r.id)


@dataclass(slots=True)
class _SourceResult:
    objects: list[Object]
    problems: list[Problem]
    skipped: int
    documents: int
    unusable: int
    other_kinds: Counter
    unmodelled: list[Unmodelled]
    routing_kinds: Counter
    unapplied: Counter
    dropped: list[Problem]


def build_model(sources: Iterable[Source], *, namespace: str = "default", skipped_files: int = 0,
                jobs: int | None = None, router_kinds_configured: tuple[RouterKind, ...] = ()) -> Model:
    """Parse every source and read its documents into objects; the config's
    `router-kinds` are read besides the families svcdocs knows."""
    sources = list(sources)
    results = _map_sources(sources, namespace, jobs, router_kinds(router_kinds_configured))
    model = _assemble([s.label for s in sources], results, skipped_files)
    check_paths(router_kinds_configured, model.routers)
    return model


def build_models(groups: Sequence[tuple[Sequence[Source], int, Sequence[str]]], *,
                 jobs: int | None = None, router_kinds_configured: tuple[RouterKind, ...] = ()) -> list[Model]:
    """One model per group of (sources, skipped files, for each source the
    namespace of its objects that name none), as `build_model` makes each;
    every source of every group is parsed in one pass, on every core once the
    whole is large, however small each group is."""
    everything = [source for sources, _, _ in groups for source in sources]
    namespaces = [namespace for _, _, per_source in groups for namespace in per_source]
    routers = router_kinds(router_kinds_configured)
    if len(groups) > 1:
        results = _map_distinct(everything, namespaces, jobs, routers)
    else:  # one group shares nothing with another: its files are read where they are parsed, in parallel
        results = _map_sources(everything, namespaces, jobs, routers)
    models, start = [], 0
    for sources, skipped_files, _ in groups:
        models.append(_assemble([s.label for s in sources], results[start:start + len(sources)], skipped_files))
        start += len(sources)
    check_paths(router_kinds_configured, [r for model in models for r in model.routers])
    return models


def _assemble(labels: list[str], results: list[_SourceResult], skipped_files: int) -> Model:
    by_id: dict[str, Object] = {}
    source_of: dict[str, str] = {}  # object id -> the label of the source it was last read from
    duplicates: list[Duplicate] = []
    problems: list[Problem] = []
    dropped: list[Problem] = []
    other: Counter = Counter()
    unmodelled: list[Unmodelled] = []
    routing: Counter = Counter()
    unapplied: Counter = Counter()
    documents = skipped = unusable = 0
    for label, result in zip(labels, results):
        problems.extend(result.problems)
        dropped.extend(result.dropped)
        other.update(result.other_kinds)
        unmodelled.extend(result.unmodelled)
        routing.update(result.routing_kinds)
        unapplied.update(result.unapplied)
        documents += result.documents
        skipped += result.skipped
        unusable += result.unusable
        for obj in result.objects:
            earlier = by_id.get(obj.id)
            if earlier is not None:
                duplicates.append(Duplicate(obj.id, obj.file, obj.name_line, earlier.file, earlier.name_line,
                                            label, source_of[obj.id]))
            by_id[obj.id] = obj
            source_of[obj.id] = label
    inputs = Inputs(
        files=len(labels),
        documents=documents,
        problems=tuple(sorted(problems, key=lambda p: (p.file, p.line, p.reason))),
        unusable=unusable,
        skipped=skipped + skipped_files,
        other_kinds=tuple(sorted(other.items())),
        unmodelled=tuple(sorted(unmodelled, key=lambda u: (u.id, u.file, u.line))),
        routing_kinds=tuple(sorted(routing.items())),
        unapplied_policies=tuple(sorted(unapplied.items())),
        dropped=tuple(sorted(dropped, key=lambda p: (p.file, p.line, p.reason))),
    )
    return _group(inputs, by_id.values(), duplicates)


# The Model field each class of object goes to.
_FIELDS = {
    Service: "services", Workload: "workloads", RoutedWorkload: "workloads", Ingress: "ingresses",
    Gateway: "gateways", Route: "routes", NetworkPolicy: "network_policies", Namespace: "namespaces",
    Endpoints: "endpoints", Router: "routers", DescribedRouter: "routers", ReferenceGrant: "grants",
    BackendTLSPolicy: "backend_tls", ServiceEntry: "service_entries", RouterClass: "router_classes",
    TLSSource: "tls_sources", TieredPolicy: "policies", PolicyTier: "policy_tiers", AddressSet: "address_sets",
}


def _group(inputs: Inputs, objects: Iterable[Object], duplicates: list[Duplicate]) -> Model:
    groups: dict[str, list[Object]] = {}
    for obj in sorted(objects, key=lambda o: o.id):
        groups.setdefault(_FIELDS[type(obj)], []).append(obj)
    return Model(
        inputs=inputs,
        duplicates=tuple(sorted(duplicates, key=lambda d: (d.id, d.file, d.line))),
        **{name: tuple(found) for name, found in groups.items()},
    )


def _map_distinct(sources: list[Source], namespaces: list[str], jobs: int | None,
                  routers: Routers) -> list[_SourceResult]:
    """`_map_sources`, each distinct file read once: the same bytes in the same
    namespace make the same objects, only named after another file. A review
    reads BASE and HEAD, which share most of their files."""
    first: dict[tuple[bytes, str], int] = {}
    distinct: list[Source] = []
    distinct_namespaces: list[str] = []
    where: list[int] = []  # for each source, its distinct source
    for source, namespace in zip(sources, namespaces):
        if source.origins is not None or source.problems:  # a render is placed in its own files: never shared
            key = None
        else:
            source = in_hand(source)
            key = (hashlib.blake2b(source.data, digest_size=16).digest(), namespace)
        if key is None or key not in first:
            if key is not None:
                first[key] = len(distinct)
            distinct.append(source)
            distinct_namespaces.append(namespace)
        where.append(first[key] if key is not None else len(distinct) - 1)
    results = _map_sources(distinct, distinct_namespaces, jobs, routers)
    return [results[i] if distinct[i].label == source.label else _renamed(results[i], distinct[i].label, source.label)
            for i, source in zip(where, sources)]


def _renamed(result: _SourceResult, old: str, new: str) -> _SourceResult:
    """A result for the same bytes read under another name."""
    def moved(item):
        return replace(item, file=new) if item.file == old else item
    return _SourceResult([moved(o) for o in result.objects], [moved(p) for p in result.problems], result.skipped,
                         result.documents, result.unusable, result.other_kinds,
                         [moved(u) for u in result.unmodelled], result.routing_kinds, result.unapplied,
                         [moved(p) for p in result.dropped])


def _map_sources(sources: list[Source], namespace: str | list[str], jobs: int | None,
                 routers: Routers) -> list[_SourceResult]:
    """Each source read; `namespace` is one for all, or one per source."""
    with gc_paused():
        return _map_sources_now(sources, namespace, jobs, routers)


def _map_sources_now(sources: list[Source], namespace: str | list[str], jobs: int | None,
                     routers: Routers) -> list[_SourceResult]:
    read = partial(_read_source, routers=routers)
    workers = jobs if jobs is not None else min(os.cpu_count() or 1, 4)
    total = sum(s.size for s in sources)
    serial = (workers < 2 or len(sources) < 2 or total < PARALLEL_MIN_BYTES
              or "fork" not in multiprocessing.get_all_start_methods())
    namespaces = [namespace] * len(sources) if isinstance(namespace, str) else namespace
    pairs = list(zip(sources, namespaces))
    if serial:
        return [read(s, n) for s, n in pairs]
    chunk = max(1, len(pairs) // (workers * 8))
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.starmap(read, pairs, chunksize=chunk)


def _read_source(source: Source, namespace: str, routers: Routers) -> _SourceResult:
    parsed = parse(source)
    objects: list[Object] = []
    problems = list(parsed.problems)
    dropped = list(parsed.problems)  # each one a document (or a whole file) that could not be read
    other: Counter = Counter()
    unmodelled: list[Unmodelled] = []
    routing: Counter = Counter()
    unapplied: Counter = Counter()
    unusable = len(parsed.problems)  # each one a document (or a whole file) that could not be read
    placer = placer_of(source.origins) if source.origins is not None else None  # a kustomize or helm render
    for doc in parsed.documents:
        obj, doc_problems = extract(doc, namespace, routers, placer.place(doc) if placer is not None else None)
        problems.extend(doc_problems)
        if isinstance(obj, Unmodelled):
            other[obj.kind] += 1
            unmodelled.append(obj)
            if obj.routing:
                routing[obj.routing] += 1
            if obj.policy:
                unapplied[obj.policy] += 1
        elif obj is not None:
            objects.append(obj)
        else:
            unusable += 1
            dropped.extend(doc_problems)
    return _SourceResult(objects, problems, parsed.skipped, parsed.seen, unusable, other, unmodelled, routing,
                         unapplied, dropped)
