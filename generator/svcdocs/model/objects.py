"""The typed, frozen objects that the rest of the pipeline works on.

Each object keeps where it came from (`file`, `line` of the document, and the
line of every field a finding may point at). Only what the architecture needs is
kept: no Secret or ConfigMap data, no env values (only variable names, and the
hosts that a value names), no annotations beyond those that change exposure or
svcdocs itself.

Every way in (an Ingress, a Gateway API route, and the custom routers of
`model/routers/`) is a `Router`: the one route model that the graph, the
analysis, the rules and the site read. A family maps its objects onto it and
adds nothing downstream has to know about.
"""

from __future__ import annotations

from dataclasses import field
from typing import ClassVar, Iterator

from svcdocs.runtime import record

Pairs = tuple[tuple[str, str], ...]

WORKLOAD_KINDS = (
    "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
    "ReplicationController", "Pod", "Job", "CronJob",
)
ROUTE_KINDS = ("HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute")
IGNORE_ANNOTATION = "svcdocs.io/ignore"


def object_id(kind: str, namespace: str, name: str) -> str:
    return f"{kind}/{namespace}/{name}"


@record
class Unmodelled:
    """An object of a kind svcdocs does not model: its id, where it is, and a
    digest of its content (never a value), so that a review can say it was
    added, removed or changed. Secrets and ConfigMaps have no digest."""

    id: str  # Kind/namespace/name, or Kind.group/namespace/name for a kind of another group
    kind: str  # as counted in `other_kinds`: `VirtualService`, `Gateway (networking.istio.io)`
    file: str
    line: int
    digest: str = ""
    routing: str | None = None  # `Kind (group)` when the kind is a router svcdocs does not read
    role: str | None = None  # router, mesh, policy or config (model/kinds.py); None: nothing says
    policy: str | None = None  # `Kind (group)` when the kind is a policy svcdocs does not apply
    refs: tuple[EnvRef, ...] = ()  # a ConfigMap's keys and the hosts their values name (never the values)


def id_kind(node_id: str) -> str:
    """The kind part of an id: `Gateway` or `Gateway.networking.istio.io`."""
    return node_id.split("/", 1)[0]


@record(kw_only=True)
class Object:
    kind: str
    namespace: str
    name: str
    file: str
    line: int
    name_line: int
    labels: Pairs = ()
    annotations: Pairs = ()
    # The API group, set only when svcdocs also models this kind from another
    # group (Knative's Service, Istio's Gateway): the id is then
    # `Kind.group/namespace/name`, so the two never share an id.
    group: str = ""
    id: str = field(init=False, repr=False)  # Kind/namespace/name, asked for everywhere: made once

    def __post_init__(self) -> None:
        kind = f"{self.kind}.{self.group}" if self.group else self.kind
        object.__setattr__(self, "id", object_id(kind, self.namespace, self.name))

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

@record
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


@record(kw_only=True)
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
    load_balancer_class: str | None = None  # the controller that makes its load balancer (service.k8s.aws/nlb)


# --- Workloads ----------------------------------------------------------------

@record
class ContainerPort:
    line: int
    number: int
    name: str | None = None
    protocol: str = "TCP"
    host_port: int | None = None


@record
class EnvRef:
    """A variable whose value names a host; the value itself is not kept.

    `host` is a word of the value, which may be a secret that looks like a
    host name: it is used only to find `calls` edges to Services that exist,
    and never output."""

    variable: str
    host: str
    line: int


@record
class Probe:
    """A liveness, readiness or startup probe, and the port it checks (None
    for an exec probe)."""

    kind: str  # liveness | readiness | startup
    line: int
    port: int | str | None = None
    port_line: int = 0


@record
class Container:
    name: str
    line: int
    image: str | None = None
    ports: tuple[ContainerPort, ...] = ()
    readiness_probe: bool = False
    sidecar: bool = False  # an init container with restartPolicy: Always
    env_names: tuple[str, ...] = ()
    env_refs: tuple[EnvRef, ...] = ()  # from env values, and from URLs and host:port in args and command
    probes: tuple[Probe, ...] = ()
    env_from: tuple[tuple[str, str], ...] = ()  # ConfigMaps whose keys become variables: (name, prefix)
    # What a controller's flags and variables say: (`ingress-class`, `nginx`),
    # (`publish-service`, `ns/name`), (`controller-class`, ...), (`ambassador-id`, ...).
    settings: tuple[tuple[str, str], ...] = ()
    named_ports: tuple[int, ...] = ()  # ports its env values, command and args name (`0.0.0.0:8444`, `--port=8080`)


@record
class LabelValues:
    """A label whose value differs from pod to pod of a group: one of `values`;
    or `prefix` followed by an ordinal from `first` up to below `stop` (None:
    no bound), as in a StatefulSet's pod names; or, with neither, any value at
    all (a hash or a uid that a controller makes)."""

    key: str
    values: tuple[str, ...] = ()
    prefix: str | None = None
    first: int = 0
    stop: int | None = None

    @property
    def any_value(self) -> bool:
        return not self.values and self.prefix is None

    def admits(self, value: str) -> bool:
        if self.any_value:
            return True
        if self.prefix is None:
            return value in self.values
        ordinal = value[len(self.prefix):]
        if not value.startswith(self.prefix) or not ordinal.isdigit() or (ordinal[0] == "0" and ordinal != "0"):
            return False
        return self.first <= int(ordinal) and (self.stop is None or int(ordinal) < self.stop)


@record
class PodGroup:
    """Pods that one controller makes alike: the labels every one of them
    carries, those that differ from pod to pod, and what makes them (the kind
    and name of a StatefulSet, Deployment... whose controller adds its own
    labels, and pod names, from that name)."""

    labels: Pairs
    controller: str
    name: str
    replicas: int | None = None
    varying: tuple[LabelValues, ...] = ()
    where: str = ""  # the field of the manifest that gives `labels`, when it is not a pod template


@record(kw_only=True)
class Workload(Object):
    pod_labels: Pairs = ()
    pod_labels_line: int = 0
    containers: tuple[Container, ...] = ()  # containers, then sidecar init containers
    host_network: bool = False
    host_network_line: int = 0
    service_name: str | None = None  # StatefulSet spec.serviceName
    service_name_line: int = 0
    replicas: int | None = None
    owner: tuple[str, str] | None = None  # a Pod's controller ownerReference: (kind, name); kind may be ""
    # A custom resource whose operator makes the pods: the operator, and the
    # groups of pods it makes with the labels it documents. Empty for the
    # built-in kinds, whose pods are those of their pod template.
    operator: str | None = None
    pod_groups: tuple[PodGroup, ...] = ()
    # Istio gateway injection (`inject.istio.io/templates: gateway`, image
    # `auto`): the injected proxy brings the ports.
    gateway_injection: bool = False

    def groups(self) -> tuple[PodGroup, ...]:
        """The groups of pods this workload makes; a built-in kind makes one."""
        return self.pod_groups or (PodGroup(self.pod_labels, self.kind, self.name, self.replicas),)


# --- Routers: every way in ------------------------------------------------------

@record
class BackendRef:
    """Where a router sends traffic: a Service and port with a weight, or
    another router it delegates to, or a workload that serves by itself
    (`kind` is then that object's kind, `Kind.group` when its id has a group)."""

    kind: str  # Service unless the group/kind says otherwise
    namespace: str
    name: str
    line: int
    port: int | str | None = None  # a Service port number or name
    port_line: int = 0
    weight: int | None = None
    # The port names the Service's targetPort rather than its port (OpenShift
    # Route `port.targetPort`): a number is matched against targetPorts.
    target_port: bool = False
    host: str | None = None  # the host name as written, when the router names backends by DNS name (Istio)
    id: str = field(init=False, repr=False, compare=False)  # the id of what it names, asked for on every hop: made once

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", object_id(self.kind, self.namespace, self.name))


@record
class Way:
    """One way through a router: the hosts and paths it matches, the port and
    protocol it listens on, whether TLS protects it, and where it sends the
    traffic. A router has one Way per rule, route or path it declares."""

    line: int
    hosts: tuple[str, ...] = ()  # empty: any host (or, delegated, the hosts of the router that delegates)
    host_line: int = 0
    paths: tuple[str, ...] = ()  # empty: no HTTP path (TCP, TLS, UDP), or the delegating router's
    backends: tuple[BackendRef, ...] = ()
    protocol: str | None = None  # HTTP, HTTPS, GRPC, TLS, TCP, UDP
    port: int | None = None  # the port it listens on, when the router names one
    tls: bool | None = None  # True: TLS; False: plain; None: as the listener or router it hangs on says
    tls_line: int = 0
    prefixes: bool = False  # its paths are prefixed to those of the routers it delegates to (Contour includes)


@record
class ParentRef:
    """What a router hangs on: a Gateway (or one of its listeners), a
    ListenerSet, an Istio Gateway, or a Service for mesh routing."""

    kind: str  # Gateway (the default), Service (mesh), ListenerSet, Gateway.networking.istio.io
    namespace: str
    name: str
    line: int
    section: str | None = None
    port: int | None = None

    @property
    def id(self) -> str:
        return object_id(self.kind, self.namespace, self.name)


@record(kw_only=True)
class Router(Object):
    """The one route model. `opens` says how far out the router reaches by
    itself: `internet` for a way in of its own (an Ingress, an HTTPProxy with
    a virtual host), `network` or `cluster` when an annotation, a label or the
    config says it is private, None when it only carries what its parents
    open (a Gateway API route, an Istio VirtualService, an included HTTPProxy)."""

    class_name: str | None = None
    class_line: int = 0
    parents: tuple[ParentRef, ...] = ()
    ways: tuple[Way, ...] = ()
    opens: str | None = "internet"
    listeners: tuple[str, ...] = ()  # the controller's listeners it is served on (Traefik entryPoints)
    needs_grant: bool = False  # a backend in another namespace needs a ReferenceGrant (Gateway API)
    # The family of controllers that serves it, for a family's own kinds (`kong`,
    # `emissary`); None: its class says (an Ingress, a Gateway's routes).
    controller: str | None = None
    # Ids of the objects it names for its TLS (a GKE ManagedCertificate, a
    # KongIngress override): a way whose `tls` is None is TLS as they say.
    tls_sources: tuple[str, ...] = ()

    # Fields that restate the family's own fields (shown once in a review).
    DERIVED: ClassVar[frozenset[str]] = frozenset()


@record
class Backend:
    service: str
    line: int  # the line of the backend's service name
    port: int | str | None = None
    port_line: int = 0


@record
class IngressPath:
    backend: Backend
    line: int
    path: str | None = None
    path_type: str | None = None


@record
class IngressRule:
    line: int
    host: str | None = None
    host_line: int = 0
    paths: tuple[IngressPath, ...] = ()


@record
class IngressTLS:
    line: int
    hosts: tuple[str, ...] = ()
    secret_name: str | None = None


@record
class ResourceBackend:
    """An Ingress backend that names an object other than a Service
    (`backend.resource`): its API group, kind and name, and where it serves."""

    group: str
    kind: str
    name: str
    line: int
    host: str | None = None
    path: str | None = None


@record(kw_only=True)
class Ingress(Router):
    snippets: tuple[tuple[str, int], ...] = ()  # nginx.ingress.kubernetes.io/*-snippet annotations and their lines
    default_backend: Backend | None = None
    rules: tuple[IngressRule, ...] = ()
    tls: tuple[IngressTLS, ...] = ()
    resources: tuple[ResourceBackend, ...] = ()  # backends that name another kind than Service

    DERIVED: ClassVar[frozenset[str]] = frozenset({"ways", "opens", "needs_grant"})


@record
class Listener:
    name: str
    line: int
    port: int | None = None
    protocol: str | None = None
    hostname: str | None = None
    tls: bool = False
    redirects: bool = False  # plain HTTP that only redirects to HTTPS (Istio `tls.httpsRedirect`)


@record(kw_only=True)
class Gateway(Object):
    """A Gateway API Gateway or ListenerSet, or an Istio Gateway: listeners
    that routers hang on. An Istio Gateway picks the proxy pods it configures
    with `selector`; a ListenerSet hangs on a Gateway (`parents`)."""

    class_name: str | None = None
    listeners: tuple[Listener, ...] = ()
    selector: Pairs | None = None
    selector_line: int = 0
    parents: tuple[ParentRef, ...] = ()


@record
class RouteRule:
    line: int
    paths: tuple[str, ...] = ()  # empty for TCP, TLS and UDP routes
    backends: tuple[BackendRef, ...] = ()


@record(kw_only=True)
class Route(Router):
    """A Gateway API route (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute)."""

    hostnames: tuple[str, ...] = ()
    rules: tuple[RouteRule, ...] = ()

    DERIVED: ClassVar[frozenset[str]] = frozenset({"ways", "opens", "needs_grant"})


@record(kw_only=True)
class RoutedWorkload(Workload):
    """A workload that is also a way in by itself (a Knative Service): the
    router it carries has the workload's own id. `traffic` is how requests
    are split between its revisions: (revision, or `latest`, percent, tag)."""

    router: Router
    traffic: tuple[tuple[str, int | None, str | None], ...] = ()


@record
class GrantFrom:
    group: str
    kind: str
    namespace: str


@record
class GrantTo:
    group: str
    kind: str
    name: str | None = None  # None: every object of that kind in the namespace


@record(kw_only=True)
class ReferenceGrant(Object):
    """Gateway API: lets objects of other namespaces refer to objects in this one."""

    grants_from: tuple[GrantFrom, ...] = ()
    grants_to: tuple[GrantTo, ...] = ()

    def allows(self, group: str, kind: str, namespace: str, to_kind: str, to_name: str) -> bool:
        return (any(f.group == group and f.kind == kind and f.namespace == namespace for f in self.grants_from)
                and any(t.group == "" and t.kind == to_kind and t.name in (None, to_name) for t in self.grants_to))


@record
class PolicyTarget:
    kind: str
    name: str
    line: int
    section: str | None = None


@record(kw_only=True)
class BackendTLSPolicy(Object):
    """Gateway API: TLS from the gateway to the Services it targets."""

    targets: tuple[PolicyTarget, ...] = ()
    hostname: str | None = None  # the name the backend's certificate must carry


@record(kw_only=True)
class TLSSource(Object):
    """What serves a router's hosts over TLS without the router saying so:
    an APISIX ApisixTls or an Emissary Host (for the hosts they name, to the
    routers of `serves` kinds), a GKE ManagedCertificate or a KongIngress
    (to the routers that name them, in `Router.tls_sources`)."""

    hosts: tuple[str, ...] = ()  # the hosts it covers; empty: every host of the routers that name it
    tls: bool | None = True  # False: it says plain HTTP; None: it says nothing of TLS
    redirects: bool = False  # plain HTTP is redirected to HTTPS
    serves: tuple[str, ...] = ()  # the router kinds whose hosts it covers by name


@record(kw_only=True)
class ServiceEntry(Object):
    """Istio: names that the mesh routes to. Those outside the mesh are
    External nodes, as an ExternalName Service's target is."""

    hosts: tuple[str, ...] = ()
    hosts_line: int = 0
    external: bool = True  # location MESH_EXTERNAL (the default)
    ports: tuple[int, ...] = ()


# --- Policy, namespaces, endpoints --------------------------------------------

@record
class Requirement:
    key: str
    operator: str  # In, NotIn, Exists, DoesNotExist
    values: tuple[str, ...] = ()


@record
class LabelSelector:
    match_labels: Pairs = ()
    match_expressions: tuple[Requirement, ...] = ()

    @property
    def selects_all(self) -> bool:
        return not self.match_labels and not self.match_expressions


@record
class IPBlock:
    cidr: str  # checked when read: a valid IPv4 or IPv6 CIDR
    excepts: tuple[str, ...] = ()


@record
class PolicyPeer:
    """One item of a rule's `from` or `to`: selectors, or an ipBlock. Both
    selectors None and no ipBlock: an item that could not be read, which
    matches nothing (leaving it out would widen the rule)."""

    line: int
    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None  # None: the policy's own namespace
    ip_block: IPBlock | None = None
    pod_selector_line: int = 0
    namespace_selector_line: int = 0


@record
class PolicyPort:
    line: int
    protocol: str = "TCP"
    port: int | str | None = None  # None: every port; a string: a named container port
    end_port: int | None = None


@record
class PolicyRule:
    """An ingress or egress rule. `peers` None: every source or destination
    (`from`/`to` absent or empty); `ports` None: every port. An empty tuple,
    where every item was unreadable, matches nothing."""

    line: int
    peers: tuple[PolicyPeer, ...] | None = None
    ports: tuple[PolicyPort, ...] | None = None


@record(kw_only=True)
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

    def peers(self) -> Iterator[tuple[str, PolicyPeer]]:
        """Every `from` (ingress) and `to` (egress) item, with its direction."""
        for direction, rules in (("ingress", self.ingress), ("egress", self.egress)):
            for rule in rules:
                yield from ((direction, peer) for peer in rule.peers or ())


@record(kw_only=True)
class RouterClass(Object):
    """An IngressClass or a GatewayClass: which controller serves the routers of that class."""

    controller: str | None = None


@record(kw_only=True)
class Namespace(Object):
    pass


@record(kw_only=True)
class Endpoints(Object):
    """Endpoints or EndpointSlice: the backends of a Service without a selector."""

    service: str
    addresses: int = 0
