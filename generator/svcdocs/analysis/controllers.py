"""How far out a router is reached: as far as its controller's pods are.

An Ingress, a Gateway, or a router of a family (an HTTPProxy, a Mapping, a
TCPIngress...) opens nothing by itself: the proxy pods of its controller
carry its traffic, and they are reached through the Services in front of
them. Where the input holds that controller, the router's level is theirs:
a LoadBalancer by its documented scheme, a NodePort (or host ports) `node`,
ClusterIP alone `cluster` (then it is no way in from outside, and that is
said). Where the controller's pods are not in the input, the router keeps
the level it opens by itself (`internet` for a way in of its own) and that
it was assumed is said.

A router's controller is found from its class (`ingressClassName`, the
`kubernetes.io/ingress.class` annotation, a Gateway's GatewayClass), through
the IngressClass or GatewayClass of the input (`spec.controller`,
`controllerName`), or from its family (a Kong TCPIngress is Kong's). Of that
controller's pods (known by their images or labels), those serving the
router's class are the ones whose `--ingress-class` (or the like) names it,
with the proxies beside them in their namespace; a controller that names the
Service it publishes (`--publish-service`) is reached through that Service.
A class that is a cloud's own load balancer (an ALB, a GKE or Azure gateway)
is reached as that load balancer's documented scheme says.
"""

from __future__ import annotations

from dataclasses import dataclass
from svcdocs.graph import Graph
from svcdocs.model import Gateway, Router, Service, Workload, object_id
from svcdocs.model.pods import image_is, repository
from svcdocs.model.schemes import class_scheme

DEFAULT_CLASS = "ingressclass.kubernetes.io/is-default-class"
GATEWAY_NAME = "gateway.networking.k8s.io/gateway-name"
ENVOY_GATEWAY_NAME = "gateway.envoyproxy.io/owning-gateway-name"
OUTSIDE = ("internet", "network", "node")
INSIDE = "reached only inside the cluster"  # how a note on a router that opens no way in begins
ASSUMED = "exposure assumed"  # how a note on an assumed level begins


@dataclass(frozen=True, slots=True)
class Family:
    """A controller: the classes it serves by default, the controller names of
    its IngressClass and GatewayClass, the images of its pods (the controller
    and the proxies it configures), and labels that mark its pods."""

    name: str
    classes: tuple[str, ...]
    controllers: tuple[str, ...]
    images: tuple[str, ...]
    labels: tuple[tuple[tuple[str, str], ...], ...] = ()
    # Proxies that the controller configures and that are known only beside
    # it, in its namespace (Contour's Envoy): images, and labels.
    proxy_images: tuple[str, ...] = ()
    proxy_labels: tuple[tuple[tuple[str, str], ...], ...] = ()

    def proxies(self, workload: Workload) -> bool:
        return _is(workload, self.proxy_images, self.proxy_labels)


def _is(workload: Workload, images: tuple[str, ...], labels: tuple[tuple[tuple[str, str], ...], ...]) -> bool:
    if any(image_is(c.image, images) for c in workload.containers):
        return True
    have = set(workload.pod_labels)
    return any(set(wanted) <= have for wanted in labels)


FAMILIES = (
    Family("ingress-nginx", ("nginx", "ingress-nginx"), ("k8s.io/ingress-nginx",),
           ("ingress-nginx/controller", "ingress-nginx/controller-chroot", "kubernetes-ingress-controller/nginx-ingress-controller"),
           ((("app.kubernetes.io/name", "ingress-nginx"), ("app.kubernetes.io/component", "controller")),)),
    Family("nginx-inc", ("nginx",), ("nginx.org/ingress-controller",), ("nginx/nginx-ingress", "nginx-ic/nginx-plus-ingress")),
    Family("kong", ("kong",), ("ingress-controllers.konghq.com/", "konghq.com/"),
           ("kong", "kong/kong", "kong/kong-gateway", "kong/kubernetes-ingress-controller", "kong/nightly-ingress-controller"),
           ((("app.kubernetes.io/name", "kong"),),)),
    Family("emissary", ("ambassador", "emissary"), ("getambassador.io/ingress-controller",),
           ("emissaryingress/emissary", "datawire/emissary", "datawire/ambassador", "datawire/aes", "ambassador/ambassador"),
           ((("app.kubernetes.io/name", "emissary-ingress"),), (("service", "ambassador"),))),
    Family("apisix", ("apisix",), ("apisix.apache.org/",), ("apache/apisix", "apache/apisix-ingress-controller"),
           ((("app.kubernetes.io/name", "apisix"),),)),
    Family("haproxy", ("haproxy",), ("haproxy.org/", "haproxy-ingress.github.io/"),
           ("haproxytech/kubernetes-ingress", "jcmoraisjr/haproxy-ingress"),
           ((("app.kubernetes.io/name", "kubernetes-ingress"),), (("app.kubernetes.io/name", "haproxy-ingress"),))),
    Family("traefik", ("traefik",), ("traefik.io/",), ("traefik",), ((("app.kubernetes.io/name", "traefik"),),)),
    Family("contour", ("contour",), ("projectcontour.io/",), ("projectcontour/contour",),
           ((("app.kubernetes.io/component", "envoy"), ("app.kubernetes.io/managed-by", "contour-gateway-provisioner")),),
           ("envoyproxy/envoy", "envoyproxy/envoy-distroless"), ((("app", "envoy"),),)),
    Family("istio", ("istio",), ("istio.io/ingress-controller",), ("istio/proxyv2",),
           ((("istio", "ingressgateway"),), (("app", "istio-ingressgateway"),))),
)
BY_NAME = {f.name: f for f in FAMILIES}
IMAGES = frozenset(image for f in FAMILIES for image in f.images)
FIRST_LABELS = frozenset(wanted[0] for f in FAMILIES for wanted in f.labels)
# Gateway API implementations that make a Deployment and a Service for each
# Gateway (not in a repository's manifests): their pods carry the Gateway's name.
PER_GATEWAY = ("istio.io/gateway-controller", "gateway.envoyproxy.io/", "io.cilium/gateway-controller",
               "gateway.nginx.org/", "projectcontour.io/gateway-controller")


@dataclass(frozen=True, slots=True)
class Opened:
    """How far out a router or Gateway is reached, and what to say of it."""

    level: str | None  # internet, network, node; cluster or None: no way in from outside
    note: str = ""  # why, when it was assumed or is narrower than the router says


class Controllers:
    """The controllers of the input, looked up once for every router."""

    def __init__(self, graph: Graph, level_of_service):
        self.graph = graph
        self.level_of_service = level_of_service  # a Service's own level (analysis.exposure.own_level)
        self.classes = {(c.kind, c.name): c for c in graph.model.router_classes}
        self.default_class = next((c.name for c in graph.model.router_classes
                                   if c.kind == "IngressClass" and (c.annotation(DEFAULT_CLASS) or "") == "true"), None)
        # Workloads by the last parts of their images' repositories and by their
        # pod labels: a family's pods are looked up, never scanned for.
        self.by_image: dict[str, list[Workload]] = {}
        self.by_label: dict[tuple[str, str], list[Workload]] = {}
        for w in graph.model.workloads:
            for suffix in {x for c in w.containers for x in _suffixes(repository(c.image))} & IMAGES:
                self.by_image.setdefault(suffix, []).append(w)
            for pair in FIRST_LABELS.intersection(w.pod_labels):
                self.by_label.setdefault(pair, []).append(w)
        self._members: dict[str, list[Workload]] = {}
        self._only: tuple[Family | None] | None = None
        self.services = {s.id: s for s in graph.model.services}
        # The pods made for a Gateway, by (namespace, Gateway name): one pass, however many Gateways.
        self.gateway_pods: dict[tuple[str, str], list[Workload]] = {}
        for w in graph.model.workloads:
            labels = dict(w.pod_labels)
            for name in {labels.get(GATEWAY_NAME), labels.get(ENVOY_GATEWAY_NAME)} - {None}:
                self.gateway_pods.setdefault((w.namespace, name), []).append(w)
        self.by_namespace: dict[str, list[Workload]] = {}
        for w in graph.model.workloads:
            self.by_namespace.setdefault(w.namespace, []).append(w)
        # A class's answer, the same for every router of that class: made once.
        self.reached: dict[tuple, Opened] = {}

    def router(self, router: Router, own: str) -> Opened:
        """`own`: the level the router opens by itself (internet, or network
        for one that an annotation or visibility makes private)."""
        class_name = router.class_name
        declared = self.classes.get(("IngressClass", class_name)) if class_name else None
        controller = declared.controller if declared is not None else None
        cloud = class_scheme(class_name, controller, router.annotations)
        if cloud is not None:
            return Opened(cloud[0])
        family = BY_NAME.get(router.controller or "") or self._family(controller, class_name or self.default_class)
        if family is None:
            return Opened(own, _assumed(class_name, None))
        return self._reached(family, class_name or self.default_class, controller, own)

    def gateway(self, gateway: Gateway) -> Opened:
        """A Gateway API Gateway: the pods made for it, or its class's controller."""
        declared = self.classes.get(("GatewayClass", gateway.class_name)) if gateway.class_name else None
        controller = declared.controller if declared is not None else None
        cloud = class_scheme(gateway.class_name, controller, gateway.annotations)
        if cloud is not None:
            return Opened(cloud[0])
        own = self.gateway_pods.get((gateway.namespace, gateway.name))
        if own:
            return self._level(own, f"the pods made for Gateway {gateway.name}", "internet")
        if controller is not None and not controller.startswith(PER_GATEWAY):
            family = self._family(controller, gateway.class_name)
            if family is not None:
                return self._reached(family, None, controller, "internet")
        return Opened("internet", f"{ASSUMED}: the Service its controller makes for it is not in these manifests")

    def members(self, family: Family) -> list[Workload]:
        """The family's pods, by their images or labels, in input order."""
        if family.name not in self._members:
            found = {w.id: w for image in family.images for w in self.by_image.get(image, ())}
            for wanted in family.labels:
                (first, *rest) = wanted
                found.update((w.id, w) for w in self.by_label.get(first, ()) if set(rest) <= set(w.pod_labels))
            order = {w.id: i for i, w in enumerate(self.graph.model.workloads)}
            self._members[family.name] = sorted(found.values(), key=lambda w: order[w.id])
        return self._members[family.name]

    def only(self) -> Family | None:
        """The one family whose pods the input holds, if only one does."""
        if self._only is None:
            present = [f for f in FAMILIES if self.members(f)]
            self._only = (present[0] if len(present) == 1 else None,)
        return self._only[0]

    def _family(self, controller: str | None, class_name: str | None) -> Family | None:
        if controller:
            return next((f for f in FAMILIES if controller.startswith(f.controllers)), None)
        if class_name:
            return next((f for f in FAMILIES if class_name in f.classes and self.members(f)), None) or \
                next((f for f in FAMILIES if class_name in f.classes), None)
        return self.only()

    def _reached(self, family: Family, class_name: str | None, controller: str | None, own: str) -> Opened:
        key = (family.name, class_name, controller, own)
        if key not in self.reached:
            self.reached[key] = self._reached_now(family, class_name, controller, own)
        return self.reached[key]

    def _reached_now(self, family: Family, class_name: str | None, controller: str | None, own: str) -> Opened:
        chosen = self._serving(family, class_name, controller)
        if not chosen:
            return Opened(own, _assumed(class_name, family))
        published = [self.services[s] for s in _published(chosen) if s in self.services]
        if published:
            return self._from_services(published, [], f"{family.name}'s pods", own)
        return self._level(chosen, f"{family.name}'s pods", own)

    def _serving(self, family: Family, class_name: str | None, controller: str | None) -> list[Workload]:
        """The family's pods that serve a class: those whose settings name it
        (or name none) and the proxies in their namespaces."""
        members = self.members(family)
        naming = [w for w in members if class_name is not None and _serves_class(w, class_name, controller)]
        if not naming:
            naming = [w for w in members if not _classes_of(w)]
        ids = {w.id for w in members}
        return [w for namespace in sorted({w.namespace for w in naming}) for w in self.by_namespace[namespace]
                if w.id in ids or family.proxies(w)]

    def _level(self, workloads: list[Workload], what: str, own: str) -> Opened:
        services = {s.id: s for w in workloads for s in self.graph.selecting_services(w)}
        host = any(w.host_network or any(p.host_port for c in w.containers for p in c.ports) for w in workloads)
        return self._from_services(list(services.values()), ["node"] if host else [], what, own)

    def _from_services(self, services: list[Service], extra: list[str], what: str, own: str) -> Opened:
        """The highest level of the Services in front of a controller's pods;
        with none in the input, the router's own level, assumed."""
        if not services and not extra:
            return Opened(own, f"{ASSUMED}: no Service in these manifests sends traffic to {what}")
        levels = [self.level_of_service(s) for s in services] + extra
        found = [level for level in OUTSIDE if level in levels]
        if found:
            return Opened(found[0])
        return Opened(None, f"{INSIDE}: the Services in front of {what} are ClusterIP, with no LoadBalancer, "
                            f"NodePort or host port")


def _suffixes(path: str) -> list[str]:
    """`registry.k8s.io/ingress-nginx/controller` -> itself, `ingress-nginx/controller`, `controller`."""
    parts = path.split("/") if path else []
    return ["/".join(parts[i:]) for i in range(len(parts))]


def _assumed(class_name: str | None, family: Family | None) -> str:
    who = f"its controller ({family.name})" if family else \
        (f"the controller of class {class_name}" if class_name else "its controller")
    return f"{ASSUMED}: {who} is not in these manifests"


def _classes_of(workload: Workload) -> set[str]:
    return {v for c in workload.containers for k, v in c.settings if k in ("ingress-class", "controller-class")}


def _serves_class(workload: Workload, class_name: str, controller: str | None) -> bool:
    named = _classes_of(workload)
    return class_name in named or (controller is not None and controller in named)


def _published(workloads: list[Workload]) -> list[str]:
    """The Services that controllers say they publish (`ns/name`)."""
    found = []
    for w in workloads:
        for c in w.containers:
            for key, value in c.settings:
                if key == "publish-service":
                    namespace, _, name = value.replace("$(POD_NAMESPACE)", w.namespace).rpartition("/")
                    found.append(object_id("Service", namespace or w.namespace, name))
    return found
