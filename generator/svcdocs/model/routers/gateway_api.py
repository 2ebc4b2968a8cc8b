"""Gateway API (gateway.networking.k8s.io, and the experimental
gateway.networking.x-k8s.io): Gateways and ListenerSets with their listeners;
HTTPRoute, GRPCRoute, TLSRoute, TCPRoute and UDPRoute, which open what the
Gateways they attach to open; ReferenceGrants, without which a backendRef to
another namespace carries no traffic; BackendTLSPolicies, shown on the
Services they target."""

from __future__ import annotations

import yaml

from svcdocs.model.objects import (
    ROUTE_KINDS, BackendRef, BackendTLSPolicy, Gateway, GrantFrom, GrantTo, Listener, ParentRef, PolicyTarget,
    ReferenceGrant, Route, RouteRule, Way,
)
from svcdocs.model.reader import Reader
from svcdocs.model.routers.parts import MAX_WEIGHT

GROUP = "gateway.networking.k8s.io"
EXPERIMENTAL = "gateway.networking.x-k8s.io"
PROTOCOLS = {"HTTPRoute": "HTTP", "GRPCRoute": "GRPC", "TLSRoute": "TLS", "TCPRoute": "TCP", "UDPRoute": "UDP"}


def gateway(r: Reader, root: dict, meta: dict) -> Gateway:
    spec = r.mapping(root.get("spec"), "spec")
    return Gateway(**meta, class_name=r.string(spec.get("gatewayClassName"), "spec.gatewayClassName"),
                   listeners=listeners(r, spec))


def listener_set(r: Reader, root: dict, meta: dict) -> Gateway:
    """A ListenerSet adds listeners to the Gateway it names; routes attach to it."""
    spec = r.mapping(root.get("spec"), "spec")
    parent = _parent(r, r.mapping(spec.get("parentRef"), "spec.parentRef"), "spec.parentRef", meta["namespace"])
    return Gateway(**meta, listeners=listeners(r, spec), parents=(parent,) if parent else ())


def listeners(r: Reader, spec: dict) -> tuple[Listener, ...]:
    found = []
    for i, item, f in r.mappings(spec.get("listeners"), "spec.listeners"):
        protocol = r.string(f.get("protocol"), f"spec.listeners[{i}].protocol")
        found.append(Listener(
            name=r.string(f.get("name"), f"spec.listeners[{i}].name") or "",
            line=r.line(item),
            port=r.integer(f.get("port"), f"spec.listeners[{i}].port"),
            protocol=protocol,
            hostname=r.string(f.get("hostname"), f"spec.listeners[{i}].hostname"),
            tls=protocol in ("HTTPS", "TLS") or "tls" in f,
        ))
    return tuple(found)


def route(r: Reader, root: dict, meta: dict) -> Route:
    spec = r.mapping(root.get("spec"), "spec")
    namespace = meta["namespace"]
    parents = []
    for i, _, f in r.mappings(spec.get("parentRefs"), "spec.parentRefs"):
        parent = _parent(r, f, f"spec.parentRefs[{i}]", namespace)
        if parent is not None:
            parents.append(parent)
    rules = []
    for i, item, f in r.mappings(spec.get("rules"), "spec.rules"):
        backends = []
        for j, _, b in r.mappings(f.get("backendRefs"), f"spec.rules[{i}].backendRefs"):
            what = f"spec.rules[{i}].backendRefs[{j}]"
            name = r.string(b.get("name"), f"{what}.name")
            if name:
                backends.append(BackendRef(
                    kind=_backend_kind(r, b, what),
                    namespace=r.string(b.get("namespace"), f"{what}.namespace") or namespace,
                    name=name,
                    line=r.line(b["name"]),
                    port=r.integer(b.get("port"), f"{what}.port"),
                    port_line=r.line(b["port"]) if "port" in b else 0,
                    weight=r.integer(b.get("weight"), f"{what}.weight", 0, MAX_WEIGHT),
                ))
        rules.append(RouteRule(line=r.line(item), paths=_paths(r, meta["kind"], f.get("matches")),
                               backends=tuple(backends)))
    hostnames = r.strings(spec.get("hostnames"), "spec.hostnames")
    protocol = PROTOCOLS[meta["kind"]]
    ways = tuple(Way(line=rule.line, hosts=hostnames, host_line=r.key_line(root.get("spec"), "hostnames"),
                     paths=rule.paths, backends=rule.backends, protocol=protocol,
                     tls=True if protocol == "TLS" else None)
                 for rule in rules)
    return Route(**meta, hostnames=hostnames, parents=tuple(parents), rules=tuple(rules), ways=ways,
                 opens=None, needs_grant=True)


def _parent(r: Reader, f: dict, what: str, namespace: str) -> ParentRef | None:
    name = r.string(f.get("name"), f"{what}.name")
    if not name:
        return None
    return ParentRef(
        kind=r.string(f.get("kind"), f"{what}.kind") or "Gateway",
        namespace=r.string(f.get("namespace"), f"{what}.namespace") or namespace,
        name=name,
        line=r.line(f["name"]),
        section=r.string(f.get("sectionName"), f"{what}.sectionName"),
        port=r.integer(f.get("port"), f"{what}.port"),
    )


def _backend_kind(r: Reader, f: dict, what: str) -> str:
    """A backendRef is a core Service unless its group or kind says otherwise."""
    group = r.string(f.get("group"), f"{what}.group") or ""
    kind = r.string(f.get("kind"), f"{what}.kind") or "Service"
    return kind if group == "" else f"{kind}.{group}"


def _paths(r: Reader, kind: str, matches: yaml.Node | None) -> tuple[str, ...]:
    """HTTP paths, or gRPC `/service/method`; a rule without matches serves `/`."""
    if kind not in ("HTTPRoute", "GRPCRoute"):
        return ()
    paths = []
    for _, _, m in r.mappings(matches, "matches"):
        if kind == "HTTPRoute":
            path = r.string(r.mapping(m.get("path"), "matches.path").get("value"), "path.value") or "/"
        else:
            method = r.mapping(m.get("method"), "matches.method")
            service = r.string(method.get("service"), "method.service")
            name = r.string(method.get("method"), "method.method")
            path = "/" + "/".join(p for p in (service, name) if p) if service or name else "/"
        if path not in paths:
            paths.append(path)
    return tuple(paths) or ("/",)


def reference_grant(r: Reader, root: dict, meta: dict) -> ReferenceGrant:
    spec = r.mapping(root.get("spec"), "spec")
    grants_from = tuple(
        GrantFrom(r.string(f.get("group"), "from.group") or "", r.string(f.get("kind"), "from.kind") or "",
                  r.string(f.get("namespace"), "from.namespace") or "")
        for _, _, f in r.mappings(spec.get("from"), "spec.from"))
    grants_to = tuple(
        GrantTo(r.string(f.get("group"), "to.group") or "", r.string(f.get("kind"), "to.kind") or "",
                r.string(f.get("name"), "to.name"))
        for _, _, f in r.mappings(spec.get("to"), "spec.to"))
    return ReferenceGrant(**meta, grants_from=grants_from, grants_to=grants_to)


def backend_tls_policy(r: Reader, root: dict, meta: dict) -> BackendTLSPolicy:
    spec = r.mapping(root.get("spec"), "spec")
    targets = []
    refs = spec.get("targetRefs") if "targetRefs" in spec else spec.get("targetRef")  # v1alpha2 had one
    items = r.mappings(refs, "spec.targetRefs") if "targetRefs" in spec else (
        [(0, refs, r.mapping(refs, "spec.targetRef"))] if refs is not None else [])
    for i, _, f in items:
        name = r.string(f.get("name"), f"spec.targetRefs[{i}].name")
        if name:
            targets.append(PolicyTarget(kind=r.string(f.get("kind"), "kind") or "Service", name=name,
                                        line=r.line(f["name"]), section=r.string(f.get("sectionName"), "sectionName")))
    validation = r.mapping(spec.get("validation", spec.get("tls")), "spec.validation")
    return BackendTLSPolicy(**meta, targets=tuple(targets),
                            hostname=r.string(validation.get("hostname"), "spec.validation.hostname"))


BUILDERS = {
    **{(group, kind): route for group in (GROUP, EXPERIMENTAL) for kind in ROUTE_KINDS},
    (GROUP, "Gateway"): gateway,
    **{(group, kind): listener_set for group in (GROUP, EXPERIMENTAL) for kind in ("ListenerSet", "XListenerSet")},
    (GROUP, "ReferenceGrant"): reference_grant,
    **{(group, "BackendTLSPolicy"): backend_tls_policy for group in (GROUP, EXPERIMENTAL)},
}
QUIET = {(group, kind) for group in (GROUP, EXPERIMENTAL)
         for kind in ("GatewayClass", "BackendLBPolicy", "BackendTrafficPolicy", "XBackendTrafficPolicy")}
