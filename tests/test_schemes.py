"""Load balancer schemes by each provider's documented default: one case per
row of model/schemes.py (a Service, or a router of a cloud's class), and a
check that no row goes untested."""

from __future__ import annotations

import pytest

from svcdocs.model.schemes import CLASS_SCHEMES, SERVICE_SCHEMES

from test_graph import docs


def load_balancer(annotations: dict[str, str], extra: str = "") -> str:
    lines = "".join(f"\n    {k}: {v!r}" for k, v in annotations.items())
    return f"""\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  annotations: {{svcdocs.io/x: y}}{lines}
spec:
  type: LoadBalancer{extra}
  selector: {{app: web}}
  ports: [{{port: 80}}]
""".replace("annotations: {svcdocs.io/x: y}\n", "annotations:\n    svcdocs.io/x: y\n")


# (row index in SERVICE_SCHEMES, annotations, spec extra, expected level)
SERVICE_CASES = [
    (0, {"service.beta.kubernetes.io/aws-load-balancer-type": "external"}, "", "network"),
    (0, {"service.beta.kubernetes.io/aws-load-balancer-type": "external",
         "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"}, "", "internet"),
    (0, {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb-ip"}, "", "network"),
    (0, {}, "\n  loadBalancerClass: service.k8s.aws/nlb", "network"),
    (0, {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"},
     "\n  loadBalancerClass: service.k8s.aws/nlb", "internet"),
    (1, {"service.beta.kubernetes.io/aws-load-balancer-internal": "true"}, "", "network"),
    (1, {"service.beta.kubernetes.io/aws-load-balancer-internal": "0.0.0.0/0"}, "", "network"),
    (1, {"service.beta.kubernetes.io/aws-load-balancer-internal": "false"}, "", "internet"),
    (1, {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}, "", "internet"),  # in-tree NLB: public
    (2, {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}, "", "network"),
    (3, {"networking.gke.io/load-balancer-type": "Internal"}, "", "network"),
    (4, {"cloud.google.com/load-balancer-type": "Internal"}, "", "network"),
    (5, {"service.beta.kubernetes.io/azure-load-balancer-internal": "true"}, "", "network"),
    (5, {"service.beta.kubernetes.io/azure-load-balancer-internal": "false"}, "", "internet"),
    (6, {"service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type": "intranet"}, "", "network"),
    (6, {"service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type": "internet"}, "", "internet"),
    (7, {"service.beta.kubernetes.io/oci-load-balancer-internal": "true"}, "", "network"),
    (8, {"oci-network-load-balancer.oraclecloud.com/internal": "true"}, "", "network"),
    (9, {"service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type": "private"}, "", "network"),
    (9, {"service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type": "public"}, "", "internet"),
    (10, {"service.beta.kubernetes.io/openstack-internal-load-balancer": "true"}, "", "network"),
    (11, {"service.beta.kubernetes.io/cce-load-balancer-internal-vpc": "true"}, "", "network"),
    (12, {"service.kubernetes.io/qcloud-loadbalancer-internal-subnetid": "subnet-xxxxxxxx"}, "", "network"),
    (13, {"load-balancer.hetzner.cloud/disable-public-network": "true"}, "", "network"),
    (14, {"service.beta.kubernetes.io/do-loadbalancer-network": "INTERNAL"}, "", "network"),
    (14, {"service.beta.kubernetes.io/do-loadbalancer-network": "EXTERNAL"}, "", "internet"),
    (None, {}, "", "internet"),  # no row applies: every cloud's in-tree default is public
]


@pytest.mark.parametrize("row, annotations, extra, level", SERVICE_CASES)
def test_a_load_balancer_service_is_as_private_as_its_provider_documents(graph_json, row, annotations, extra,
                                                                         level):
    doc = graph_json(load_balancer(annotations, extra))
    assert doc["exposure"]["Service/shop/web"] == level
    [entry] = [e for e in doc["entrypoints"] if e["kind"] == "loadbalancer"]
    assert entry["exposure"] == level


def test_every_service_scheme_row_has_a_case():
    assert {row for row, *_ in SERVICE_CASES if row is not None} == set(range(len(SERVICE_SCHEMES)))


BACKEND = """\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80}]}
"""


def ingress(class_name: str, annotations: dict[str, str] | None = None, annotate_class: bool = False) -> str:
    notes = dict(annotations or {})
    if annotate_class:
        notes["kubernetes.io/ingress.class"] = class_name
    lines = "".join(f"\n    {k}: {v!r}" for k, v in notes.items())
    class_field = "" if annotate_class else f"\n  ingressClassName: {class_name}"
    return f"""\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    svcdocs.io/x: y{lines}
spec:{class_field}
  rules: [{{host: shop.example.com, http: {{paths: [{{path: /, pathType: Prefix,
           backend: {{service: {{name: web, port: {{number: 80}}}}}}}}]}}}}]
"""


def gateway(class_name: str) -> str:
    return f"""\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: public, namespace: shop}}
spec:
  gatewayClassName: {class_name}
  listeners: [{{name: http, protocol: HTTP, port: 80}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: web, namespace: shop}}
spec:
  parentRefs: [{{name: public}}]
  rules: [{{backendRefs: [{{name: web, port: 80}}]}}]
"""


# (row index in CLASS_SCHEMES, manifest of the router, expected level of its backend)
CLASS_CASES = [
    (0, ingress("alb"), "network"),  # the AWS Load Balancer Controller's default scheme is internal
    (0, ingress("alb", {"alb.ingress.kubernetes.io/scheme": "internal"}), "network"),
    (0, ingress("alb", {"alb.ingress.kubernetes.io/scheme": "internet-facing"}), "internet"),
    (0, ingress("alb", annotate_class=True), "network"),
    (0, ingress("aws-public", {"alb.ingress.kubernetes.io/scheme": "internet-facing"}) + """---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: aws-public}
spec: {controller: ingress.k8s.aws/alb}
""", "internet"),
    (1, ingress("gce-internal", annotate_class=True), "network"),
    (2, ingress("gce", annotate_class=True), "internet"),
    (3, gateway("gke-l7-rilb"), "network"),
    (3, gateway("gke-l7-regional-internal-managed"), "network"),
    (4, gateway("gke-l7-global-external-managed"), "internet"),
    (5, ingress("azure/application-gateway", annotate_class=True), "internet"),
    (5, ingress("azure/application-gateway", {"appgw.ingress.kubernetes.io/use-private-ip": "true"},
                annotate_class=True), "network"),
]


@pytest.mark.parametrize("row, router, level", CLASS_CASES)
def test_a_router_of_a_cloud_load_balancer_class_is_as_private_as_its_scheme(graph_json, row, router, level):
    doc = graph_json(docs(router, BACKEND))
    assert doc["exposure"]["Service/shop/web"] == level
    assert {e["exposure"] for e in doc["entrypoints"] if e["kind"] in ("ingress", "route")} == {level}


def test_every_class_scheme_row_has_a_case():
    assert {row for row, *_ in CLASS_CASES} == set(range(len(CLASS_SCHEMES)))


def test_a_router_of_another_class_keeps_its_level_and_says_it_was_assumed(manifests):
    report = manifests(docs(ingress("nginx"), BACKEND))
    assert report.analysis.exposure["Service/shop/web"].level == "internet"
    assert "assumed" in report.analysis.router_notes["Ingress/shop/web"]


# --- TLS from where the clouds put it ------------------------------------------------------

def tls_of(graph_json, *parts: str) -> set:
    doc = graph_json(docs(*parts, BACKEND))
    return {e["tls"] for e in doc["entrypoints"] if e["kind"] == "ingress"}


def with_tls(manifest: str) -> str:
    return manifest.replace("spec:\n", "spec:\n  tls: [{hosts: [shop.example.com], secretName: shop-tls}]\n", 1)


MANAGED = """\
apiVersion: networking.gke.io/v1
kind: ManagedCertificate
metadata: {name: shop, namespace: shop}
spec: {domains: [shop.example.com]}
"""


@pytest.mark.parametrize("parts, tls", [
    # GKE: a ManagedCertificate the Ingress names, in the input (covering the host, or not) or not.
    ((ingress("gce", {"networking.gke.io/managed-certificates": "shop"}, annotate_class=True), MANAGED), True),
    ((ingress("gce", {"networking.gke.io/managed-certificates": "shop"}, annotate_class=True),
      MANAGED.replace("shop.example.com", "other.example.com")), False),
    ((ingress("gce", {"networking.gke.io/managed-certificates": "shop"}, annotate_class=True),), True),
    ((ingress("gce", {"ingress.gcp.kubernetes.io/pre-shared-cert": "shop-cert"}, annotate_class=True),), True),
    ((ingress("gce", annotate_class=True),), False),
    # AWS Load Balancer Controller: the listeners decide, spec.tls is not read.
    ((ingress("alb", {"alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:eu-west-1:1:certificate/x"}),),
     True),  # HTTPS 443 by default when certificate-arn is set
    ((ingress("alb", {"alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:eu-west-1:1:certificate/x",
                      "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]'}),), False),
    ((ingress("alb", {"alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:eu-west-1:1:certificate/x",
                      "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
                      "alb.ingress.kubernetes.io/ssl-redirect": "443"}),), True),
    ((with_tls(ingress("alb")),), False),  # HTTP 80 by default: spec.tls alone opens no HTTPS listener
    ((with_tls(ingress("alb", {"alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS": 443}]'})),), True),
    # Azure Application Gateway: a certificate installed on the gateway.
    ((ingress("azure/application-gateway", {"appgw.ingress.kubernetes.io/appgw-ssl-certificate": "shop"},
              annotate_class=True),), True),
    # Kong: HTTPS only, or a redirect; on the Ingress or in the KongIngress it names.
    ((ingress("kong", {"konghq.com/protocols": "https"}),), True),
    ((ingress("kong", {"konghq.com/protocols": "http,https"}),), False),
    ((ingress("kong", {"konghq.com/https-redirect-status-code": "301"}),), True),
    ((ingress("kong", {"konghq.com/override": "https-only"}), """\
apiVersion: configuration.konghq.com/v1
kind: KongIngress
metadata: {name: https-only, namespace: shop}
route: {protocols: [https]}
"""), True),
    ((with_tls(ingress("nginx")),), True),
])
def test_tls_from_where_the_clouds_put_it(graph_json, parts, tls):
    assert tls_of(graph_json, *parts) == {tls}
