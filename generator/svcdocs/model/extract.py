"""Read typed objects out of composed YAML documents.

Only the fields the model needs are read, straight from the nodes, so every
field keeps its line for free and nothing else is ever turned into a value. A
field of the wrong type is reported as a problem at its line and ignored; a
document without a kind or a name, or with a key defined twice (kubectl rejects
both), is reported and left out.
"""

from __future__ import annotations

import re

import yaml
from yaml import MappingNode, ScalarNode, SequenceNode

from svcdocs.load import Document, Problem
from svcdocs.model.objects import (
    ROUTE_KINDS, WORKLOAD_KINDS, Backend, BackendRef, Container,
    ContainerPort, Endpoints, EnvRef, Gateway, Ingress, IngressPath, IngressRule, IngressTLS,
    LabelSelector, Listener, Namespace, NetworkPolicy, Object, Pairs, ParentRef, PolicyPeer, Probe, Requirement,
    Route, RouteRule, Service, ServicePort, Workload,
)
from svcdocs.model.operators import pods_made
from svcdocs.model.placement import Placement

_NULL = "tag:yaml.org,2002:null"
_INT = "tag:yaml.org,2002:int"
_MERGE = "tag:yaml.org,2002:merge"
SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
GATEWAY_GROUP = "gateway.networking.k8s.io"
# The API groups each modelled kind lives in ("" is the core group). The same
# kind in another group (Istio's Gateway, Knative's Service) is something else.
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
    "Ingress": frozenset({"networking.k8s.io", "extensions"}),
    "NetworkPolicy": frozenset({"networking.k8s.io", "extensions"}),
    "EndpointSlice": frozenset({"discovery.k8s.io"}),
    "Gateway": frozenset({GATEWAY_GROUP}),
    **{kind: frozenset({GATEWAY_GROUP}) for kind in ROUTE_KINDS},
}
CLUSTER_SCOPED = frozenset({"Namespace"})
MAX_ENV_VALUE = 4096
_HOST = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_TOKEN_SPLIT = re.compile(r"[\s,;]+")
NGINX_ANNOTATIONS = "nginx.ingress.kubernetes.io/"
HELM_REASON = "unrendered Helm template ({{ }}); render it first: helm template CHART | svcdocs <command> -"


class Unusable(Exception):
    """The document cannot become an object."""

    def __init__(self, line: int, reason: str):
        super().__init__(reason)
        self.line = line
        self.reason = reason


class Reader:
    """Typed access to the nodes of one document; field problems collect here.
    A rendered document is read where its placement puts it (its source file)."""

    __slots__ = ("doc", "problems", "placement", "file")

    def __init__(self, doc: Document, placement: Placement | None = None):
        self.doc = doc
        self.problems: list[Problem] = []
        self.placement = placement
        self.file = placement.file if placement is not None else doc.file

    def line(self, node: yaml.Node) -> int:
        if self.placement is not None:
            return self.placement.line_of(node)
        return self.doc.line_of(node)

    def key_line(self, parent: yaml.Node | None, key: str) -> int:
        """The line of `key:` itself (a block value starts on the next line)."""
        if isinstance(parent, MappingNode):
            for k, _ in parent.value:
                if isinstance(k, ScalarNode) and k.value == key:
                    return self.line(k)
        return 0

    def warn(self, node: yaml.Node, reason: str) -> None:
        self.problems.append(Problem(self.file, self.line(node), reason))

    def mapping(self, node: yaml.Node | None, what: str) -> dict[str, yaml.Node]:
        if node is None or _is_null(node):
            return {}
        if not isinstance(node, MappingNode):
            self.warn(node, f"{what} is not a mapping; ignored")
            return {}
        return _fields(node, self.line)

    def sequence(self, node: yaml.Node | None, what: str) -> list[yaml.Node]:
        if node is None or _is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self.warn(node, f"{what} is not a list; ignored")
            return []
        return node.value

    def mappings(self, node: yaml.Node | None, what: str):
        """The items of a list of mappings, with their index."""
        for i, item in enumerate(self.sequence(node, what)):
            if isinstance(item, MappingNode):
                yield i, item, _fields(item, self.line)
            elif not _is_null(item):
                self.warn(item, f"{what}[{i}] is not a mapping; ignored")

    def string(self, node: yaml.Node | None, what: str) -> str | None:
        if node is None or _is_null(node):
            return None
        if isinstance(node, ScalarNode):
            return node.value
        self.warn(node, f"{what} is not a string; ignored")
        return None

    def strings(self, node: yaml.Node | None, what: str) -> tuple[str, ...]:
        items = (self.string(item, f"{what}[{i}]") for i, item in enumerate(self.sequence(node, what)))
        return tuple(s for s in items if s is not None)

    def integer(self, node: yaml.Node | None, what: str, low: int = 1, high: int = 65535) -> int | None:
        if node is None or _is_null(node):
            return None
        value = _as_int(node)
        if value is None or not low <= value <= high:
            self.warn(node, f"{what} is not a number from {low} to {high}; ignored")
            return None
        return value

    def port_or_name(self, node: yaml.Node | None, what: str) -> int | str | None:
        """An IntOrString port: a number, or the name of a container port."""
        if node is None or _is_null(node):
            return None
        if isinstance(node, ScalarNode) and node.tag != _INT and not node.value.isdigit():
            if node.value:
                return node.value
        return self.integer(node, what, 0, 65535)

    def flag(self, node: yaml.Node | None) -> bool:
        return isinstance(node, ScalarNode) and node.value.lower() == "true"

    def pairs(self, node: yaml.Node | None, what: str) -> Pairs:
        """A map of strings (labels, a selector): scalars are taken as written."""
        items = []
        for key, value in self.mapping(node, what).items():
            if isinstance(value, ScalarNode) and not _is_null(value):
                items.append((key, value.value))
            else:
                self.warn(value, f"{what}.{key} is not a string; ignored")
        return tuple(sorted(items))


def _is_template(node: yaml.Node | None) -> bool:
    """`{{ x }}` unquoted parses as a flow mapping inside a flow mapping."""
    if isinstance(node, ScalarNode):
        return "{{" in node.value
    return isinstance(node, MappingNode) and node.flow_style and any(isinstance(k, MappingNode) for k, _ in node.value)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL


def _as_int(node: yaml.Node) -> int | None:
    if not isinstance(node, ScalarNode):
        return None
    text = node.value.replace("_", "")
    if node.tag != _INT and not text.isdigit():
        return None
    try:
        return int(text, 0) if text[:2].lower() in ("0x", "0o", "0b") else int(text, 10)
    except ValueError:
        return None


def _fields(node: MappingNode, line_of) -> dict[str, yaml.Node]:
    """A mapping as key -> node. A repeated key makes the document unusable.

    Merge keys (`<<`) take the keys of the mappings they name, depth first,
    earlier ones first, never overriding. Each merged mapping is read once:
    through aliases, a mapping can merge itself, or be reached along 2^n paths."""
    result: dict[str, yaml.Node] = {}
    read: set[int] = set()
    pending = [node]
    while pending:
        mapping = pending.pop()
        if id(mapping) in read:
            continue
        read.add(id(mapping))
        own: dict[str, yaml.Node] = {}
        merged: list[yaml.Node] = []
        for key, value in mapping.value:
            if not isinstance(key, ScalarNode):
                continue
            if key.tag == _MERGE:
                merged.extend(value.value if isinstance(value, SequenceNode) else [value])
            elif key.value in own:
                raise Unusable(line_of(key), f"duplicate key '{key.value}' in a mapping (kubectl rejects this)")
            else:
                own[key.value] = value
        for k, v in own.items():
            result.setdefault(k, v)
        pending.extend(m for m in reversed(merged) if isinstance(m, MappingNode) and id(m) not in read)
    return result


def api_group(api_version: str | None) -> str | None:
    if api_version is None:
        return None
    return api_version.split("/", 1)[0] if "/" in api_version else ""


# --- documents -----------------------------------------------------------------

def extract(doc: Document, default_namespace: str,
            placement: Placement | None = None) -> tuple[Object | str | None, list[Problem]]:
    """One document: an object, or the name of a kind we do not model, or None."""
    r = Reader(doc, placement)
    try:
        root = _fields(doc.node, r.line)
        kind = r.string(root.get("kind"), "kind")
        if not kind:
            raise Unusable(r.line(doc.node), "no kind; not a Kubernetes manifest")
        group = api_group(r.string(root.get("apiVersion"), "apiVersion"))
        meta = _metadata(r, root, kind, default_namespace)
        groups = KIND_GROUPS.get(kind)
        if groups is None or (group is not None and group not in groups):
            made = _operator_workload(r, root, meta, group)
            if made is not None:
                return made, r.problems
            return (kind if groups is None else f"{kind} ({group})"), r.problems
        return _BUILDERS[kind](r, root, meta), r.problems
    except Unusable as e:
        return None, [Problem(r.file, e.line, e.reason)]


def _metadata(r: Reader, root: dict, kind: str, default_namespace: str) -> dict:
    node = root.get("metadata")
    if node is not None and not isinstance(node, MappingNode) and not _is_null(node):
        raise Unusable(r.line(node), "metadata is not a mapping")
    metadata = r.mapping(node, "metadata")
    name_node = metadata.get("name") or metadata.get("generateName")
    if any(_is_template(metadata.get(k)) for k in ("name", "namespace")):
        raise Unusable(r.line(name_node), HELM_REASON)
    name = r.string(name_node, "metadata.name")
    if not name:
        raise Unusable(r.line(node if node is not None else r.doc.node), "no metadata.name")
    namespace = r.string(metadata.get("namespace"), "metadata.namespace") or default_namespace
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
        k = key.value
        if k.startswith("svcdocs.io/") or "load-balancer" in k or "loadbalancer" in k or k == "kubernetes.io/ingress.class":
            kept.append((k, value.value[:512]))
    return tuple(sorted(kept))


# --- Service -----------------------------------------------------------------

def _service(r: Reader, root: dict, meta: dict) -> Service:
    spec = r.mapping(root.get("spec"), "spec")
    type_node = spec.get("type")
    svc_type = r.string(type_node, "spec.type") or "ClusterIP"
    if svc_type not in SERVICE_TYPES:
        r.warn(type_node, f"spec.type {svc_type!r} is not a Service type; read as ClusterIP")
        svc_type = "ClusterIP"
    selector_node = spec.get("selector")
    selector = r.pairs(selector_node, "spec.selector") or None
    external_name = r.string(spec.get("externalName"), "spec.externalName")
    return Service(
        **meta,
        type=svc_type,
        type_line=r.line(type_node) if type_node is not None else 0,
        headless=r.string(spec.get("clusterIP"), "spec.clusterIP") == "None",
        selector=selector,
        selector_line=r.key_line(root.get("spec"), "selector") if selector else 0,
        ports=tuple(_service_ports(r, spec.get("ports"))),
        external_name=external_name.rstrip(".") if external_name else None,
        external_name_line=r.line(spec["externalName"]) if external_name else 0,
        external_ips=r.strings(spec.get("externalIPs"), "spec.externalIPs"),
        external_ips_line=r.line(spec["externalIPs"]) if "externalIPs" in spec else 0,
        source_ranges=r.strings(spec.get("loadBalancerSourceRanges"), "spec.loadBalancerSourceRanges"),
    )


def _service_ports(r: Reader, node: yaml.Node | None):
    for i, item, f in r.mappings(node, "spec.ports"):
        what = f"spec.ports[{i}]"
        port = r.integer(f.get("port"), f"{what}.port")
        if port is None:
            if "port" not in f:
                r.warn(item, f"{what} has no port; ignored")
            continue
        target = f.get("targetPort")
        yield ServicePort(
            line=r.line(item),
            port=port,
            target_port=r.port_or_name(target, f"{what}.targetPort"),
            target_port_line=r.line(target) if target is not None else 0,
            name=r.string(f.get("name"), f"{what}.name"),
            protocol=r.string(f.get("protocol"), f"{what}.protocol") or "TCP",
            node_port=r.integer(f.get("nodePort"), f"{what}.nodePort"),
        )


# --- workloads ---------------------------------------------------------------

def _workload(r: Reader, root: dict, meta: dict) -> Workload:
    kind = meta["kind"]
    spec = r.mapping(root.get("spec"), "spec")
    if kind == "Pod":
        template_meta, pod_spec = root.get("metadata"), spec
        labels_node = r.mapping(template_meta, "metadata").get("labels")
        pod_labels = meta["labels"]
    else:
        where = "spec.template"
        template_node = spec.get("template")
        if kind == "CronJob":
            where = "spec.jobTemplate.spec.template"
            job_spec = r.mapping(r.mapping(spec.get("jobTemplate"), "spec.jobTemplate").get("spec"),
                                 "spec.jobTemplate.spec")
            template_node = job_spec.get("template")
        template = r.mapping(template_node, where)
        template_meta = template.get("metadata")
        labels_node = r.mapping(template_meta, f"{where}.metadata").get("labels")
        pod_labels = r.pairs(labels_node, f"{where}.metadata.labels")
        pod_spec = r.mapping(template.get("spec"), f"{where}.spec")
    host_network = pod_spec.get("hostNetwork")
    service_name = spec.get("serviceName") if kind == "StatefulSet" else None
    containers = tuple(_containers(r, pod_spec))
    return Workload(
        **meta,
        pod_labels=pod_labels,
        pod_labels_line=r.key_line(template_meta, "labels") or meta["line"],
        containers=containers,
        host_network=r.flag(host_network),
        host_network_line=r.line(host_network) if host_network is not None else 0,
        service_name=r.string(service_name, "spec.serviceName"),
        service_name_line=r.line(service_name) if service_name is not None else 0,
        replicas=r.integer(spec.get("replicas"), "spec.replicas", 0, 1_000_000),
        gateway_injection=_gateway_injection(r, template_meta, containers),
    )


def _gateway_injection(r: Reader, template_meta: yaml.Node | None, containers: tuple[Container, ...]) -> bool:
    """Istio's gateway injection: the pod asks for the `gateway` template and
    leaves the proxy's image to the injector (`auto`)."""
    annotations = r.mapping(r.mapping(template_meta, "metadata").get("annotations"), "metadata.annotations")
    templates = annotations.get("inject.istio.io/templates")
    asked = isinstance(templates, ScalarNode) and "gateway" in (t.strip() for t in templates.value.split(","))
    return asked and any(c.image == "auto" for c in containers)


def _operator_workload(r: Reader, root: dict, meta: dict, group: str | None) -> Workload | None:
    """A custom resource whose operator makes pods (model/operators)."""
    made = pods_made(r, root, meta, group)
    if made is None or not made.groups:
        return None
    kind = meta["kind"]
    if kind in KIND_GROUPS and group:
        kind = f"{kind}.{group}"  # Knative's Service is not a Service: the id says whose it is
    pod_spec = r.mapping(made.pod_spec, "spec") if made.pod_spec is not None else {}
    return Workload(
        **{**meta, "kind": kind},
        pod_labels=made.groups[0].labels,
        pod_labels_line=made.line,
        containers=tuple(_containers(r, pod_spec)),
        replicas=made.replicas,
        operator=made.operator,
        pod_groups=made.groups,
    )


def _containers(r: Reader, pod_spec: dict):
    for i, item, f in r.mappings(pod_spec.get("containers"), "containers"):
        yield _container(r, item, f, f"containers[{i}]", sidecar=False)
    for i, item, f in r.mappings(pod_spec.get("initContainers"), "initContainers"):
        if r.string(f.get("restartPolicy"), "restartPolicy") == "Always":
            yield _container(r, item, f, f"initContainers[{i}]", sidecar=True)


def _container(r: Reader, node: MappingNode, f: dict, what: str, sidecar: bool) -> Container:
    name_node = f.get("name")
    ports = []
    for i, item, p in r.mappings(f.get("ports"), f"{what}.ports"):
        number = r.integer(p.get("containerPort"), f"{what}.ports[{i}].containerPort")
        if number is not None:
            ports.append(ContainerPort(
                line=r.line(item),
                number=number,
                name=r.string(p.get("name"), f"{what}.ports[{i}].name"),
                protocol=r.string(p.get("protocol"), f"{what}.ports[{i}].protocol") or "TCP",
                host_port=r.integer(p.get("hostPort"), f"{what}.ports[{i}].hostPort"),
            ))
    env_names, env_refs = _env(r, f.get("env"), what)
    probe = f.get("readinessProbe")
    return Container(
        name=r.string(name_node, f"{what}.name") or "",
        line=r.line(name_node if name_node is not None else node),
        image=r.string(f.get("image"), f"{what}.image"),
        ports=tuple(ports),
        readiness_probe=probe is not None and not _is_null(probe),
        sidecar=sidecar,
        env_names=env_names,
        env_refs=env_refs,
        probes=tuple(_probes(r, node, f, what)),
    )


def _probes(r: Reader, container: MappingNode, f: dict, what: str):
    """Each probe, with the port of its httpGet, tcpSocket or grpc check."""
    for kind in ("liveness", "readiness", "startup"):
        node = f.get(f"{kind}Probe")
        if node is None or _is_null(node):
            continue
        probe = r.mapping(node, f"{what}.{kind}Probe")
        port_node = None
        for handler in ("httpGet", "tcpSocket", "grpc"):
            if handler in probe:
                port_node = r.mapping(probe[handler], f"{what}.{kind}Probe.{handler}").get("port")
                break
        yield Probe(
            kind=kind,
            line=r.key_line(container, f"{kind}Probe"),
            port=r.port_or_name(port_node, f"{what}.{kind}Probe port"),
            port_line=r.line(port_node) if port_node is not None else 0,
        )


def _env(r: Reader, node: yaml.Node | None, what: str) -> tuple[tuple[str, ...], tuple[EnvRef, ...]]:
    """Variable names, and the hosts that literal values name. Values are not kept."""
    names, refs = [], []
    for i, item, f in r.mappings(node, f"{what}.env"):
        name = r.string(f.get("name"), f"{what}.env[{i}].name")
        if not name:
            continue
        names.append(name)
        value = f.get("value")
        if isinstance(value, ScalarNode) and len(value.value) <= MAX_ENV_VALUE:
            refs.extend(EnvRef(name, host, r.line(item)) for host in hosts_in(value.value))
    return tuple(names), tuple(refs)


def hosts_in(value: str) -> list[str]:
    """DNS names in an env value: `svc`, `svc.ns:port`, `http://user@svc.ns.svc/path`, lists."""
    hosts = []
    for token in _TOKEN_SPLIT.split(value):
        token = _SCHEME.sub("", token)
        token = token.split("/", 1)[0].rsplit("@", 1)[-1]
        host = token.split(":", 1)[0].rstrip(".")
        if host and not host.isdigit() and _HOST.fullmatch(host) and host not in hosts:
            hosts.append(host)
    return hosts


# --- Ingress -----------------------------------------------------------------

def _ingress(r: Reader, root: dict, meta: dict) -> Ingress:
    spec = r.mapping(root.get("spec"), "spec")
    class_node = spec.get("ingressClassName")
    class_name = r.string(class_node, "spec.ingressClassName")
    if class_name is None:
        class_name = dict(meta["annotations"]).get("kubernetes.io/ingress.class")
    default = spec.get("defaultBackend", spec.get("backend"))
    rules = []
    for i, item, f in r.mappings(spec.get("rules"), "spec.rules"):
        host = r.string(f.get("host"), f"spec.rules[{i}].host")
        http = r.mapping(f.get("http"), f"spec.rules[{i}].http")
        paths = []
        for j, pitem, p in r.mappings(http.get("paths"), f"spec.rules[{i}].http.paths"):
            backend = _ingress_backend(r, p.get("backend"), f"spec.rules[{i}].http.paths[{j}].backend")
            if backend is not None:
                paths.append(IngressPath(
                    backend=backend,
                    line=r.line(pitem),
                    path=r.string(p.get("path"), "path"),
                    path_type=r.string(p.get("pathType"), "pathType"),
                ))
        rules.append(IngressRule(line=r.line(item), host=host or None, host_line=r.line(f["host"]) if host else 0,
                                 paths=tuple(paths)))
    tls = [
        IngressTLS(line=r.line(item), hosts=r.strings(f.get("hosts"), f"spec.tls[{i}].hosts"),
                   secret_name=r.string(f.get("secretName"), f"spec.tls[{i}].secretName"))
        for i, item, f in r.mappings(spec.get("tls"), "spec.tls")
    ]
    return Ingress(
        **meta,
        snippets=_snippets(r, root),
        class_name=class_name,
        class_line=r.line(class_node) if class_node is not None else 0,
        default_backend=_ingress_backend(r, default, "spec.defaultBackend") if default is not None else None,
        rules=tuple(rules),
        tls=tuple(tls),
    )


def _snippets(r: Reader, root: dict) -> tuple[tuple[str, int], ...]:
    """ingress-nginx `*-snippet` annotations, by key and line (their NGINX
    configuration is not kept)."""
    annotations = r.mapping(root.get("metadata"), "metadata").get("annotations")
    if not isinstance(annotations, MappingNode):
        return ()
    return tuple(sorted((k.value, r.line(k)) for k, _ in annotations.value
                        if isinstance(k, ScalarNode) and k.value.startswith(NGINX_ANNOTATIONS)
                        and k.value.endswith("-snippet")))


def _ingress_backend(r: Reader, node: yaml.Node | None, what: str) -> Backend | None:
    """networking.k8s.io/v1 `service: {name, port}`, or v1beta1 `serviceName`/`servicePort`."""
    f = r.mapping(node, what)
    if "service" in f:
        service = r.mapping(f["service"], f"{what}.service")
        name_node, port = service.get("name"), r.mapping(service.get("port"), f"{what}.service.port")
        port_node = port.get("number", port.get("name"))
    elif "serviceName" in f:
        name_node, port_node = f["serviceName"], f.get("servicePort")
    else:
        return None  # a `resource` backend, or nothing
    name = r.string(name_node, f"{what} service name")
    if not name:
        return None
    return Backend(
        service=name,
        line=r.line(name_node),
        port=r.port_or_name(port_node, f"{what} port"),
        port_line=r.line(port_node) if port_node is not None else 0,
    )


# --- Gateway API -------------------------------------------------------------

def _gateway(r: Reader, root: dict, meta: dict) -> Gateway:
    spec = r.mapping(root.get("spec"), "spec")
    listeners = []
    for i, item, f in r.mappings(spec.get("listeners"), "spec.listeners"):
        protocol = r.string(f.get("protocol"), f"spec.listeners[{i}].protocol")
        listeners.append(Listener(
            name=r.string(f.get("name"), f"spec.listeners[{i}].name") or "",
            line=r.line(item),
            port=r.integer(f.get("port"), f"spec.listeners[{i}].port"),
            protocol=protocol,
            hostname=r.string(f.get("hostname"), f"spec.listeners[{i}].hostname"),
            tls=protocol in ("HTTPS", "TLS") or "tls" in f,
        ))
    return Gateway(**meta, class_name=r.string(spec.get("gatewayClassName"), "spec.gatewayClassName"),
                   listeners=tuple(listeners))


def _route(r: Reader, root: dict, meta: dict) -> Route:
    spec = r.mapping(root.get("spec"), "spec")
    namespace = meta["namespace"]
    parents = []
    for i, _, f in r.mappings(spec.get("parentRefs"), "spec.parentRefs"):
        name = r.string(f.get("name"), f"spec.parentRefs[{i}].name")
        if name:
            parents.append(ParentRef(
                kind=r.string(f.get("kind"), "kind") or "Gateway",
                namespace=r.string(f.get("namespace"), "namespace") or namespace,
                name=name,
                line=r.line(f["name"]),
                section=r.string(f.get("sectionName"), "sectionName"),
                port=r.integer(f.get("port"), f"spec.parentRefs[{i}].port"),
            ))
    rules = []
    for i, item, f in r.mappings(spec.get("rules"), "spec.rules"):
        backends = []
        for j, _, b in r.mappings(f.get("backendRefs"), f"spec.rules[{i}].backendRefs"):
            name = r.string(b.get("name"), f"spec.rules[{i}].backendRefs[{j}].name")
            if name:
                backends.append(BackendRef(
                    kind=r.string(b.get("kind"), "kind") or "Service",
                    namespace=r.string(b.get("namespace"), "namespace") or namespace,
                    name=name,
                    line=r.line(b["name"]),
                    port=r.integer(b.get("port"), f"spec.rules[{i}].backendRefs[{j}].port"),
                    port_line=r.line(b["port"]) if "port" in b else 0,
                    weight=r.integer(b.get("weight"), "weight", 0, 1_000_000),
                ))
        rules.append(RouteRule(line=r.line(item), paths=_route_paths(r, meta["kind"], f.get("matches")),
                               backends=tuple(backends)))
    return Route(**meta, hostnames=r.strings(spec.get("hostnames"), "spec.hostnames"),
                 parents=tuple(parents), rules=tuple(rules))


def _route_paths(r: Reader, kind: str, matches: yaml.Node | None) -> tuple[str, ...]:
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


# --- policy, namespaces, endpoints ---------------------------------------------

def _network_policy(r: Reader, root: dict, meta: dict) -> NetworkPolicy:
    spec = r.mapping(root.get("spec"), "spec")
    node = spec.get("podSelector")
    return NetworkPolicy(
        **meta,
        pod_selector=label_selector(r, node, "spec.podSelector"),
        pod_selector_line=r.key_line(root.get("spec"), "podSelector") or meta["line"],
        policy_types=r.strings(spec.get("policyTypes"), "spec.policyTypes"),
        ingress_rules=len(r.sequence(spec.get("ingress"), "spec.ingress")),
        egress_rules=len(r.sequence(spec.get("egress"), "spec.egress")),
        peers=tuple(_peers(r, spec)),
    )


def _peers(r: Reader, spec: dict):
    """The pod and namespace selectors of every `from` and `to` peer."""
    for direction, key in (("ingress", "from"), ("egress", "to")):
        for i, _, rule in r.mappings(spec.get(direction), f"spec.{direction}"):
            for j, item, peer in r.mappings(rule.get(key), f"spec.{direction}[{i}].{key}"):
                what = f"spec.{direction}[{i}].{key}[{j}]"
                selectors = {}
                for field in ("podSelector", "namespaceSelector"):
                    if field in peer and not _is_null(peer[field]):
                        selectors[field] = (label_selector(r, peer[field], f"{what}.{field}"), r.key_line(item, field))
                if selectors:
                    pods, pods_line = selectors.get("podSelector", (None, 0))
                    namespaces, namespaces_line = selectors.get("namespaceSelector", (None, 0))
                    yield PolicyPeer(direction, r.line(item), pods, pods_line, namespaces, namespaces_line)


def label_selector(r: Reader, node: yaml.Node | None, what: str) -> LabelSelector:
    """A label selector; empty or null selects every pod."""
    f = r.mapping(node, what)
    requirements = []
    for i, _, e in r.mappings(f.get("matchExpressions"), f"{what}.matchExpressions"):
        key = r.string(e.get("key"), "key")
        operator = r.string(e.get("operator"), "operator")
        if key and operator in ("In", "NotIn", "Exists", "DoesNotExist"):
            requirements.append(Requirement(key, operator, r.strings(e.get("values"), "values")))
        elif key:
            r.warn(e.get("operator") or node, f"{what}.matchExpressions[{i}]: unknown operator {operator!r}; ignored")
    return LabelSelector(r.pairs(f.get("matchLabels"), f"{what}.matchLabels"), tuple(requirements))


def _namespace(r: Reader, root: dict, meta: dict) -> Namespace:
    return Namespace(**meta)


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
    "Service": _service,
    "Ingress": _ingress,
    "Gateway": _gateway,
    "NetworkPolicy": _network_policy,
    "Namespace": _namespace,
    "Endpoints": _endpoints,
    "EndpointSlice": _endpoints,
    **{kind: _workload for kind in WORKLOAD_KINDS},
    **{kind: _route for kind in ROUTE_KINDS},
}
