"""Which pods carry the traffic of an Ingress or a route: its controller's.

Found generally, from what the input says: the pods a Gateway API
implementation makes for a Gateway carry the label
`gateway.networking.k8s.io/gateway-name` (Envoy Gateway its own pair); an
Istio Gateway's are the pods its selector picks (its `configures` edges); else
the router's class, through an IngressClass or GatewayClass of the input (its
controller name) or its name alone, picks a family of controllers whose pods
carry well-known labels (ingress-nginx, Istio's ingress gateway, Contour's
Envoy, ...). A router without a class goes to the one family whose pods the
input holds, if there is only one. When none of them is in the input, the
caller assumes an unknown pod in another namespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from svcdocs.analysis.reach.engine import Pod
from svcdocs.graph import Graph
from svcdocs.model import Gateway, RouterClass

GATEWAY_NAME = "gateway.networking.k8s.io/gateway-name"
ENVOY_GATEWAY_NAME = "gateway.envoyproxy.io/owning-gateway-name"
ENVOY_GATEWAY_NAMESPACE = "gateway.envoyproxy.io/owning-gateway-namespace"
OPENSHIFT_ROUTE = "Route"


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    classes: tuple[str, ...]  # usual class names
    controllers: tuple[str, ...]  # prefixes of IngressClass `controller` / GatewayClass `controllerName`
    pods: tuple[tuple[dict[str, str | None], str | None], ...]  # (labels, value None: any; namespace or None)

    def pods_in(self, by_label: dict[tuple[str, str | None], list[Pod]]) -> list[Pod]:
        """Its pods, from an index of pods by (label, value) and by (label, None)."""
        found: dict[int, Pod] = {}
        for labels, namespace in self.pods:
            (key, value), *rest = labels.items()
            for pod in by_label.get((key, value), ()):
                if (namespace is None or pod.namespace == namespace) and all(
                        k in pod.labels and (v is None or pod.labels[k] == v) for k, v in rest):
                    found[id(pod)] = pod
        return sorted(found.values(), key=lambda pod: pod.workload)


FAMILIES = (
    Family("ingress-nginx", ("nginx", "ingress-nginx"), ("k8s.io/ingress-nginx",), (
        ({"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"}, None),
        ({"app": "ingress-nginx"}, None), ({"app": "nginx-ingress"}, None),
        ({"app.kubernetes.io/name": "nginx-ingress"}, None))),
    Family("istio", ("istio",), ("istio.io/",), (
        ({"istio": "ingressgateway"}, None), ({"app": "istio-ingressgateway"}, None))),
    Family("contour", ("contour",), ("projectcontour.io/",), (
        ({"app": "envoy"}, "projectcontour"),
        ({"app.kubernetes.io/component": "envoy", "app.kubernetes.io/managed-by": "contour-gateway-provisioner"},
         None))),
    Family("envoy-gateway", ("eg", "envoy-gateway", "envoy"), ("gateway.envoyproxy.io/",), (
        ({"app.kubernetes.io/name": "envoy", "app.kubernetes.io/component": "proxy"}, None),)),
    Family("traefik", ("traefik",), ("traefik.io/",), (({"app.kubernetes.io/name": "traefik"}, None),)),
    Family("kong", ("kong",), ("ingress-controllers.konghq.com/", "konghq.com/"), (
        ({"app.kubernetes.io/name": "kong"}, None),)),
    Family("haproxy", ("haproxy",), ("haproxy.org/", "haproxy-ingress.github.io/"), (
        ({"app.kubernetes.io/name": "kubernetes-ingress"}, None), ({"app.kubernetes.io/name": "haproxy-ingress"}, None))),
    Family("openshift-router", ("openshift-default",), ("openshift.io/ingress-to-route",), (
        ({"ingresscontroller.operator.openshift.io/deployment-ingresscontroller": None}, None),)),
)
OPENSHIFT = FAMILIES[-1]
FIRST_KEYS = frozenset(next(iter(labels)) for family in FAMILIES for labels, _ in family.pods)


class Controllers:
    """The controller pods of each router, found once per family and Gateway."""

    def __init__(self, graph: Graph, pods: list[Pod]):
        self.graph = graph
        self.pods = pods
        self.classes: dict[tuple[str, str], RouterClass] = {(c.kind, c.name): c for c in graph.model.router_classes}
        by_label: dict[tuple[str, str | None], list[Pod]] = {}
        for pod in pods:  # only the labels a family looks its pods up by
            for key in FIRST_KEYS.intersection(pod.labels):
                by_label.setdefault((key, pod.labels[key]), []).append(pod)
                by_label.setdefault((key, None), []).append(pod)
        self.by_family = {f.name: f.pods_in(by_label) for f in FAMILIES}
        present = [f for f in FAMILIES if self.by_family[f.name]]
        self.only = present[0] if len(present) == 1 else None

    def of(self, router_id: str, gateways: tuple[str, ...] = ()) -> list[Pod]:
        """The pods that carry `router_id`'s traffic; empty when the input holds none."""
        router = self.graph.nodes.get(router_id)
        if router is None:
            return []
        if router.kind == OPENSHIFT_ROUTE:
            return self.by_family[OPENSHIFT.name]
        if gateways:
            found: dict[int, Pod] = {}
            for gateway in gateways:
                found.update((id(p), p) for p in self._gateway_pods(gateway))
            return list(found.values())
        family = self._family("IngressClass", getattr(router, "class_name", None))
        return self.by_family[family.name] if family else []

    def _gateway_pods(self, gateway_id: str) -> list[Pod]:
        gateway = self.graph.nodes.get(gateway_id)
        if gateway is None:
            return []
        own = [p for p in self.pods
               if (p.labels.get(GATEWAY_NAME) == gateway.name and p.namespace == gateway.namespace)
               or (p.labels.get(ENVOY_GATEWAY_NAME) == gateway.name
                   and p.labels.get(ENVOY_GATEWAY_NAMESPACE) == gateway.namespace)]
        if own:
            return own
        configured = {e.target for e in self.graph.edges_from(gateway_id, "configures")}  # an Istio Gateway's pods
        if configured:
            return [p for p in self.pods if p.workload in configured]
        family = self._family("GatewayClass", gateway.class_name if isinstance(gateway, Gateway) else None)
        return self.by_family[family.name] if family else []

    def _family(self, class_kind: str, class_name: str | None) -> Family | None:
        if class_name is None:
            return self.only
        declared = self.classes.get((class_kind, class_name))
        if declared is not None and declared.controller:
            for family in FAMILIES:
                if declared.controller.startswith(family.controllers):
                    return family
        return next((f for f in FAMILIES if class_name in f.classes), None)
