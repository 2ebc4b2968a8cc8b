"""The typed, frozen objects that the rest of the pipeline works on.

Each object keeps where it came from (`file`, `line` of the document, and the
line of every field a finding may point at). Only what the architecture needs is
kept: no Secret or ConfigMap data, no env values (only variable names, and the
hosts that a value names), no annotations beyond those that change exposure or
svcdocs itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Pairs = tuple[tuple[str, str], ...]

WORKLOAD_KINDS = (
    "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
    "ReplicationController", "Pod", "Job", "CronJob",
)
ROUTE_KINDS = ("HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute")
IGNORE_ANNOTATION = "svcdocs.io/ignore"


def object_id(kind: str, namespace: str, name: str) -> str:
    return f"{kind}/{namespace}/{name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Object:
    kind: str
    namespace: str
    name: str
    file: str
    line: int
    name_line: int
    labels: Pairs = ()
    annotations: Pairs = ()
    id: str = field(init=False, repr=False)  # Kind/namespace/name, asked for everywhere: made once

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", object_id(self.kind, self.namespace, self.name))

    @property
    def ignored_rules(self) -> frozenset[str]:
        for key, value in self.annotations:
            if key == IGNORE_ANNOTATION:
                return frozenset(r.strip() for r in value.split(",") if r.strip())
        return frozenset()

    def annotation(self, key: str) -> str | None:
        for k, v in self.annotations:
            if k == key:
                return v
        return None


# --- Services -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ServicePort:
    line: int
    port: int | None
    target_port: int | str | None = None  # None: same as port
    target_port_line: int = 0
    name: str | None = None
    protocol: str = "TCP"
    node_port: int | None = None

    @property
    def target(self) -> int | str | None:
        """`targetPort` unset or 0 means the same as `port`."""
        return self.target_port if self.target_port not in (None, 0) else self.port


@dataclass(frozen=True, slots=True, kw_only=True)
class Service(Object):
    type: str = "ClusterIP"
    type_line: int = 0
    headless: bool = False
    selector: Pairs | None = None  # None: no selector (endpoints managed elsewhere)
    selector_line: int = 0
    ports: tuple[ServicePort, ...] = ()
    external_name: str | None = None
    external_name_line: int = 0
    external_ips: tuple[str, ...] = ()
    external_ips_line: int = 0
    source_ranges: tuple[str, ...] = ()
    external_traffic_policy: str | None = None  # Cluster (the default) or Local


# --- Workloads ----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ContainerPort:
    line: int
    number: int
    name: str | None = None
    protocol: str = "TCP"
    host_port: int | None = None


@dataclass(frozen=True, slots=True)
class EnvRef:
    """A variable whose value names a host; the value itself is not kept.

    `host` is a word of the value, which may be a secret that looks like a
    host name: it is used only to find `calls` edges to Services that exist,
    and never output."""

    variable: str
    host: str
    line: int


@dataclass(frozen=True, slots=True)
class Container:
    name: str
    line: int
    image: str | None = None
    ports: tuple[ContainerPort, ...] = ()
    readiness_probe: bool = False
    sidecar: bool = False  # an init container with restartPolicy: Always
    env_names: tuple[str, ...] = ()
    env_refs: tuple[EnvRef, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Workload(Object):
    pod_labels: Pairs = ()
    pod_labels_line: int = 0
    containers: tuple[Container, ...] = ()  # containers, then sidecar init containers
    host_network: bool = False
    host_network_line: int = 0
    service_name: str | None = None  # StatefulSet spec.serviceName
    replicas: int | None = None
    owner: tuple[str, str] | None = None  # a Pod's controller ownerReference: (kind, name); kind may be ""


# --- Ingress and Gateway API -------------------------------------------------

@dataclass(frozen=True, slots=True)
class Backend:
    service: str
    line: int  # the line of the backend's service name
    port: int | str | None = None
    port_line: int = 0


@dataclass(frozen=True, slots=True)
class IngressPath:
    backend: Backend
    line: int
    path: str | None = None
    path_type: str | None = None


@dataclass(frozen=True, slots=True)
class IngressRule:
    line: int
    host: str | None = None
    host_line: int = 0
    paths: tuple[IngressPath, ...] = ()


@dataclass(frozen=True, slots=True)
class IngressTLS:
    line: int
    hosts: tuple[str, ...] = ()
    secret_name: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Ingress(Object):
    class_name: str | None = None
    class_line: int = 0
    default_backend: Backend | None = None
    rules: tuple[IngressRule, ...] = ()
    tls: tuple[IngressTLS, ...] = ()


@dataclass(frozen=True, slots=True)
class Listener:
    name: str
    line: int
    port: int | None = None
    protocol: str | None = None
    hostname: str | None = None
    tls: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Gateway(Object):
    class_name: str | None = None
    listeners: tuple[Listener, ...] = ()


@dataclass(frozen=True, slots=True)
class ParentRef:
    kind: str  # Gateway (the default), Service (mesh), ListenerSet
    namespace: str
    name: str
    line: int
    section: str | None = None
    port: int | None = None

    @property
    def id(self) -> str:
        return object_id(self.kind, self.namespace, self.name)


@dataclass(frozen=True, slots=True)
class BackendRef:
    kind: str  # Service unless the group/kind says otherwise
    namespace: str
    name: str
    line: int
    port: int | str | None = None  # a Service port; an OpenShift Route may name a targetPort
    port_line: int = 0
    weight: int | None = None

    @property
    def id(self) -> str:
        return object_id(self.kind, self.namespace, self.name)


@dataclass(frozen=True, slots=True)
class RouteRule:
    line: int
    paths: tuple[str, ...] = ()  # empty for TCP, TLS and UDP routes
    backends: tuple[BackendRef, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Route(Object):
    hostnames: tuple[str, ...] = ()
    parents: tuple[ParentRef, ...] = ()
    rules: tuple[RouteRule, ...] = ()


# --- Policy, namespaces, endpoints --------------------------------------------

@dataclass(frozen=True, slots=True)
class Requirement:
    key: str
    operator: str  # In, NotIn, Exists, DoesNotExist
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LabelSelector:
    match_labels: Pairs = ()
    match_expressions: tuple[Requirement, ...] = ()

    @property
    def selects_all(self) -> bool:
        return not self.match_labels and not self.match_expressions


@dataclass(frozen=True, slots=True)
class IPBlock:
    cidr: str  # checked when read: a valid IPv4 or IPv6 CIDR
    excepts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PolicyPeer:
    """One item of a rule's `from` or `to`: selectors, or an ipBlock. Both
    selectors None and no ipBlock: an item that could not be read, which
    matches nothing (leaving it out would widen the rule)."""

    line: int
    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None  # None: the policy's own namespace
    ip_block: IPBlock | None = None


@dataclass(frozen=True, slots=True)
class PolicyPort:
    line: int
    protocol: str = "TCP"
    port: int | str | None = None  # None: every port; a string: a named container port
    end_port: int | None = None


@dataclass(frozen=True, slots=True)
class PolicyRule:
    """An ingress or egress rule. `peers` None: every source or destination
    (`from`/`to` absent or empty); `ports` None: every port. An empty tuple,
    where every item was unreadable, matches nothing."""

    line: int
    peers: tuple[PolicyPeer, ...] | None = None
    ports: tuple[PolicyPort, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkPolicy(Object):
    pod_selector: LabelSelector = field(default_factory=LabelSelector)
    pod_selector_line: int = 0
    policy_types: tuple[str, ...] = ()
    policy_types_line: int = 0
    ingress_rules: int = 0
    egress_rules: int = 0
    ingress: tuple[PolicyRule, ...] = ()
    egress: tuple[PolicyRule, ...] = ()

    @property
    def affects_ingress(self) -> bool:
        """policyTypes, or by default: Ingress always."""
        return "Ingress" in self.policy_types if self.policy_types else True

    @property
    def affects_egress(self) -> bool:
        """policyTypes, or by default: Egress when the policy has egress rules."""
        return "Egress" in self.policy_types if self.policy_types else bool(self.egress_rules)


@dataclass(frozen=True, slots=True, kw_only=True)
class RouterClass(Object):
    """An IngressClass or a GatewayClass: which controller serves the routers of that class."""

    controller: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Namespace(Object):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoints(Object):
    """Endpoints or EndpointSlice: the backends of a Service without a selector."""

    service: str
    addresses: int = 0
