"""Read typed objects out of composed YAML documents.

Only the fields the model needs are read, straight from the nodes, so every
field keeps its line for free and nothing else is ever turned into a value. A
field of the wrong type is reported as a problem at its line and ignored; a
document without a kind or a name, or with a key defined twice (kubectl rejects
both), is reported and left out.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

import yaml
from yaml import MappingNode, ScalarNode

from svcdocs.load import Document, Problem
from svcdocs.model.digest import content_digest
from svcdocs.model.kinds import POLICY, ROUTER
from svcdocs.model.objects import (
    IGNORE_ANNOTATION, WORKLOAD_KINDS, Endpoints, EnvRef, IPBlock, Namespace, NetworkPolicy, Object, Pairs, PolicyPeer,
    PolicyPort, PolicyRule, RouterClass, Unmodelled, Workload,
)
from svcdocs.model import policies
from svcdocs.model.operators import pods_made
from svcdocs.load.placement import Placement
from svcdocs.model.pods import MAX_ENV_VALUE, containers, hosts_in, pod_fields, pod_template
from svcdocs.model import schemes
from svcdocs.model.reader import HELM_REASON, Reader, Unusable, api_group, fields_of, is_null, is_template, label_selector
from svcdocs.model.routers import cloud_tls
from svcdocs.model.services import service

if TYPE_CHECKING:
    from svcdocs.model.routers import Routers

# The API groups each built-in kind lives in ("" is the core group). The same
# kind in another group (Knative's Service) is something else.
KIND_GROUPS: dict[str, frozenset[str]] = {
    "Service": frozenset({""}),
    "Pod": frozenset({""}),
    "ReplicationController": frozenset({""}),
    "Namespace": frozenset({""}),
    "Endpoints": frozenset({""}),
    "Deployment": frozenset({"apps", "extensions"}),
    "StatefulSet": frozenset({"apps"}),
    "DaemonSet": frozenset({"apps", "extensions"}),
    "ReplicaSet": frozenset({"apps", "extensions"}),
    "Job": frozenset({"batch"}),
    "CronJob": frozenset({"batch"}),
    "NetworkPolicy": frozenset({"networking.k8s.io", "extensions"}),
    "EndpointSlice": frozenset({"discovery.k8s.io"}),
    "IngressClass": frozenset({"networking.k8s.io"}),
    "GatewayClass": frozenset({"gateway.networking.k8s.io"}),
}
CLUSTER_SCOPED = frozenset({"Namespace", "IngressClass", "GatewayClass"})
POLICY_PROTOCOLS = ("TCP", "UDP", "SCTP")
MAX_NAME = 253  # a DNS-1123 subdomain, the longest name Kubernetes allows
MAX_NAMESPACE = 63  # a DNS-1123 label
# Unmodelled kinds whose content is data: no digest, so changing it is no change to the architecture.
DATA_KINDS = frozenset({"Secret", "ConfigMap"})
MAX_CONFIG_KEYS = 1_000  # keys of a ConfigMap read for the hosts that containers importing it call
# The only annotations read (exact keys): those that change what svcdocs
# reports. Every other annotation, whatever its key says, never enters the model.
KEPT_ANNOTATIONS = frozenset({
    IGNORE_ANNOTATION,
    "kubernetes.io/ingress.class",
    "projectcontour.io/ingress.class",
    "networking.gke.io/pre-shared-certs",
    "service.beta.kubernetes.io/load-balancer-source-ranges",
    "ingress.class",  # HAProxy's own resources
    "ingressclass.kubernetes.io/is-default-class",  # the IngressClass of Ingresses that name none
}) | schemes.ANNOTATIONS | cloud_tls.ANNOTATIONS


# --- documents -----------------------------------------------------------------

def extract(doc: Document, default_namespace: str, routers: Routers,
            placement: Placement | None = None) -> tuple[Object | Unmodelled | None, list[Problem]]:
    """One document: an object, an object of a kind we do not model, or None.
    `routers` builds the router kinds (model/routers/); a rendered document is
    read where its `placement` puts it (its source file)."""
    r = Reader(doc, placement)
    try:
        root = fields_of(doc.node)
        kind = r.string(root.get("kind"), "kind") or doc.implied_kind
        if not kind:
            raise Unusable(r.line(doc.node), "no kind; not a Kubernetes manifest")
        group = api_group(r.string(root.get("apiVersion"), "apiVersion") or doc.implied_api_version)
        meta = _metadata(r, root, kind, default_namespace)
        groups = KIND_GROUPS.get(kind)
        if groups is not None and (group is None or group in groups):
            return _BUILDERS[kind](r, root, meta), r.problems
        build = policies.builder(group, kind)
        if build is not None:
            meta["group"] = group if groups is not None else ""
            return build(r, root, meta), r.problems
        build = routers.builder(group, kind)
        if build is not None:
            meta["group"] = routers.id_group(kind, group, built_in=groups is not None)
            return build(r, root, meta), r.problems
        made = _operator_workload(r, root, {**meta, "group": routers.id_group(kind, group, groups is not None)}, group)
        if made is not None:
            return made, r.problems
        role = POLICY if policies.not_applied(group, kind) else routers.role(group, kind, root.get("spec"))
        return _unmodelled(r, doc, kind, group, groups is None and not routers.knows(kind), meta, role), r.problems
    except Unusable as e:
        return None, [Problem(r.file, e.line, e.reason)]


def _unmodelled(r: Reader, doc: Document, kind: str, group: str | None, unknown: bool, meta: dict,
                role: str | None) -> Unmodelled:
    """`role` says what the kind is for (model/kinds.py); a router or a policy
    is named with its group in the notices that say it was not read."""
    shown = kind if unknown else f"{kind} ({group})"
    id_kind = kind if unknown or not group else f"{kind}.{group}"
    named = f"{kind} ({group})" if group else kind
    return Unmodelled(f"{id_kind}/{meta['namespace']}/{meta['name']}", shown, r.file, r.line(doc.node),
                      "" if kind in DATA_KINDS and not group else content_digest(doc.node),
                      named if role == ROUTER else None, role, named if role == POLICY else None,
                      config_refs(r, fields_of(doc.node)) if kind == "ConfigMap" and not group else ())


def config_refs(r: Reader, root: dict) -> tuple[EnvRef, ...]:
    """A ConfigMap's keys, with the hosts their values name, for the
    containers that take it as variables (`envFrom`); values are not kept."""
    refs: list[EnvRef] = []
    data = root.get("data")
    if not isinstance(data, MappingNode):
        return ()
    for key, value in data.value[:MAX_CONFIG_KEYS]:
        if isinstance(key, ScalarNode) and isinstance(value, ScalarNode) and len(value.value) <= MAX_ENV_VALUE:
            refs.extend(EnvRef(key.value, host, r.line(key)) for host in hosts_in(value.value))
    return tuple(refs)


def _metadata(r: Reader, root: dict, kind: str, default_namespace: str) -> dict:
    node = root.get("metadata")
    if node is not None and not isinstance(node, MappingNode) and not is_null(node):
        raise Unusable(r.line(node), "metadata is not a mapping")
    metadata = r.mapping(node, "metadata")
    name_node = metadata.get("name") or metadata.get("generateName")
    if any(is_template(metadata.get(k)) for k in ("name", "namespace")):
        raise Unusable(r.line(name_node), HELM_REASON)
    name = r.string(name_node, "metadata.name")
    if not name:
        raise Unusable(r.line(node if node is not None else r.doc.node), "no metadata.name")
    if len(name) > MAX_NAME:
        raise Unusable(r.line(name_node), f"metadata.name is {len(name):,} characters long; "
                                          f"Kubernetes allows at most {MAX_NAME}")
    namespace = r.string(metadata.get("namespace"), "metadata.namespace") or default_namespace
    if len(namespace) > MAX_NAMESPACE:
        raise Unusable(r.line(metadata["namespace"]), f"metadata.namespace is {len(namespace):,} characters long; "
                                                      f"Kubernetes allows at most {MAX_NAMESPACE}")
    return {
        "kind": kind,
        "namespace": "" if kind in CLUSTER_SCOPED else namespace,
        "name": name,
        "file": r.file,
        "line": r.line(r.doc.node),
        "name_line": r.line(name_node),
        "labels": r.pairs(metadata.get("labels"), "metadata.labels"),
        "annotations": _annotations(r, metadata.get("annotations")),
    }


def _annotations(r: Reader, node: yaml.Node | None) -> Pairs:
    """Only annotations that change exposure or svcdocs itself are kept."""
    if node is None or not isinstance(node, MappingNode):
        return ()
    kept = []
    for key, value in node.value:
        if not isinstance(key, ScalarNode) or not isinstance(value, ScalarNode):
            continue
        if key.value in KEPT_ANNOTATIONS:
            kept.append((key.value, value.value[:512]))
    return tuple(sorted(kept))


# --- workloads ---------------------------------------------------------------

def _workload(r: Reader, root: dict, meta: dict) -> Workload:
    kind = meta["kind"]
    spec = r.mapping(root.get("spec"), "spec")
    if kind == "Pod":
        pod = pod_fields(r, root.get("metadata"), spec, meta, meta["labels"])
    else:
        where = "spec.template"
        template_node = spec.get("template")
        if kind == "CronJob":
            where = "spec.jobTemplate.spec.template"
            job_spec = r.mapping(r.mapping(spec.get("jobTemplate"), "spec.jobTemplate").get("spec"),
                                 "spec.jobTemplate.spec")
            template_node = job_spec.get("template")
        pod = pod_template(r, template_node, where, meta)
    service_name = spec.get("serviceName") if kind == "StatefulSet" else None
    return Workload(
        **meta,
        **pod,
        service_name=r.string(service_name, "spec.serviceName"),
        service_name_line=r.line(service_name) if service_name is not None else 0,
        replicas=r.integer(spec.get("replicas"), "spec.replicas", 0, 1_000_000),
        owner=_controller(r, root) if kind == "Pod" else None,
    )


def _controller(r: Reader, root: dict) -> tuple[str, str] | None:
    """A Pod's controller: the first ownerReference with `controller: true`
    (a Node owns static pods; that is no controller)."""
    metadata = r.mapping(root.get("metadata"), "metadata")
    for i, _, ref in r.mappings(metadata.get("ownerReferences"), "metadata.ownerReferences"):
        if r.flag(ref.get("controller")):
            kind = r.string(ref.get("kind"), f"metadata.ownerReferences[{i}].kind") or ""
            name = r.string(ref.get("name"), f"metadata.ownerReferences[{i}].name")
            return (kind, name) if name and kind != "Node" else None
    return None


def _operator_workload(r: Reader, root: dict, meta: dict, group: str | None) -> Workload | None:
    """A custom resource whose operator makes pods (model/operators)."""
    made = pods_made(r, root, meta, group)
    if made is None or not made.groups:
        return None
    pod_spec = r.mapping(made.pod_spec, "spec") if made.pod_spec is not None else {}
    return Workload(
        **meta,
        pod_labels=made.groups[0].labels,
        pod_labels_line=made.line,
        containers=tuple(containers(r, pod_spec)),
        replicas=made.replicas,
        operator=made.operator,
        pod_groups=made.groups,
    )


# --- policy, namespaces, endpoints ---------------------------------------------

def _network_policy(r: Reader, root: dict, meta: dict) -> NetworkPolicy:
    spec = r.mapping(root.get("spec"), "spec")
    node = spec.get("podSelector")
    types_node = spec.get("policyTypes")
    types = r.strings(types_node, "spec.policyTypes")
    for kind in types:
        if kind not in ("Ingress", "Egress"):
            r.warn(types_node, f"spec.policyTypes: {kind!r} is neither Ingress nor Egress; ignored")
    ingress = tuple(_policy_rules(r, spec.get("ingress"), "spec.ingress", "from"))
    egress = tuple(_policy_rules(r, spec.get("egress"), "spec.egress", "to"))
    return NetworkPolicy(
        **meta,
        pod_selector=label_selector(r, node, "spec.podSelector"),
        pod_selector_line=r.key_line(root.get("spec"), "podSelector") or meta["line"],
        policy_types=tuple(t for t in types if t in ("Ingress", "Egress")),
        policy_types_line=r.key_line(root.get("spec"), "policyTypes"),
        ingress_rules=len(ingress),
        egress_rules=len(egress),
        ingress=ingress,
        egress=egress,
    )


def _policy_rules(r: Reader, node: yaml.Node | None, what: str, peers_key: str):
    """The rules of one direction. An item that cannot be read matches nothing
    (dropping it could turn a list into "every peer" or "every port")."""
    for i, item, f in r.mappings(node, what):
        where = f"{what}[{i}]"
        peers = f.get(peers_key)
        ports = f.get("ports")
        yield PolicyRule(
            line=r.line(item),
            peers=tuple(_policy_peer(r, n, f"{where}.{peers_key}[{j}]")
                        for j, n in enumerate(r.sequence(peers, f"{where}.{peers_key}"))) or None,
            ports=tuple(_policy_port(r, n, f"{where}.ports[{j}]")
                        for j, n in enumerate(r.sequence(ports, f"{where}.ports"))) or None,
        )


def _policy_peer(r: Reader, node: yaml.Node, what: str) -> PolicyPeer:
    line = r.line(node)
    f = r.mapping(node, what)
    has = {k for k in ("podSelector", "namespaceSelector", "ipBlock") if k in f}
    if not has:
        r.warn(node, f"{what} names no podSelector, namespaceSelector or ipBlock; it matches nothing")
        return PolicyPeer(line)
    if "ipBlock" in has:
        if len(has) > 1:
            r.warn(node, f"{what} combines ipBlock with a selector, which the API rejects; it matches nothing")
            return PolicyPeer(line)
        return PolicyPeer(line, ip_block=_ip_block(r, f["ipBlock"], f"{what}.ipBlock"))
    return PolicyPeer(
        line,
        pod_selector=label_selector(r, f["podSelector"], f"{what}.podSelector") if "podSelector" in f else None,
        namespace_selector=label_selector(r, f["namespaceSelector"], f"{what}.namespaceSelector")
        if "namespaceSelector" in f else None,
        pod_selector_line=r.key_line(node, "podSelector"),
        namespace_selector_line=r.key_line(node, "namespaceSelector"),
    )


def _ip_block(r: Reader, node: yaml.Node, what: str) -> IPBlock | None:
    f = r.mapping(node, what)
    if "cidr" not in f:
        r.warn(node, f"{what} has no cidr; it matches nothing")
        return None
    cidr = _cidr(r, f["cidr"], f"{what}.cidr")
    if cidr is None:
        return None
    excepts = (_cidr(r, item, f"{what}.except[{j}]")
               for j, item in enumerate(r.sequence(f.get("except"), f"{what}.except")))
    return IPBlock(cidr, tuple(e for e in excepts if e is not None))


def _cidr(r: Reader, node: yaml.Node, what: str) -> str | None:
    text = r.string(node, what)
    try:
        return str(ipaddress.ip_network((text or "").strip(), strict=False))
    except ValueError:
        r.warn(node, f"{what} {text!r} is not a CIDR; ignored")
        return None


def _policy_port(r: Reader, node: yaml.Node, what: str) -> PolicyPort:
    """A port item; one that cannot be read becomes the port name "", which no
    container declares: it matches nothing."""
    f = r.mapping(node, what)
    line = r.line(node)
    protocol = r.string(f.get("protocol"), f"{what}.protocol") or "TCP"
    if protocol not in POLICY_PROTOCOLS:
        r.warn(f.get("protocol"), f"{what}.protocol {protocol!r} is not TCP, UDP or SCTP; it matches nothing")
        return PolicyPort(line, protocol, "")
    port_node = f.get("port")
    port = r.port_or_name(port_node, f"{what}.port")
    if port_node is not None and not is_null(port_node) and not port:
        return PolicyPort(line, protocol, "")  # not a port (reported, or 0)
    end_node = f.get("endPort")
    end_port = r.integer(end_node, f"{what}.endPort")
    if end_node is not None and not is_null(end_node):
        if end_port is None or not isinstance(port, int) or end_port < port:
            r.warn(end_node, f"{what}.endPort needs a numeric port no greater than it; it matches nothing")
            return PolicyPort(line, protocol, "")
    return PolicyPort(line, protocol, port, end_port)


def _namespace(r: Reader, root: dict, meta: dict) -> Namespace:
    return Namespace(**meta)


def _router_class(r: Reader, root: dict, meta: dict) -> RouterClass:
    spec = r.mapping(root.get("spec"), "spec")
    key = "controller" if meta["kind"] == "IngressClass" else "controllerName"
    return RouterClass(**meta, controller=r.string(spec.get(key), f"spec.{key}"))


def _endpoints(r: Reader, root: dict, meta: dict) -> Endpoints:
    if meta["kind"] == "EndpointSlice":
        service = dict(meta["labels"]).get("kubernetes.io/service-name", meta["name"])
        addresses = len(r.sequence(root.get("endpoints"), "endpoints"))
    else:
        service = meta["name"]
        addresses = sum(len(r.sequence(s.get("addresses"), "addresses"))
                        for _, _, s in r.mappings(root.get("subsets"), "subsets"))
    return Endpoints(**meta, service=service, addresses=addresses)


_BUILDERS = {
    "Service": service,
    "NetworkPolicy": _network_policy,
    "Namespace": _namespace,
    "Endpoints": _endpoints,
    "EndpointSlice": _endpoints,
    **{kind: _workload for kind in WORKLOAD_KINDS},
    "IngressClass": _router_class,
    "GatewayClass": _router_class,
}
