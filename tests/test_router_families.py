"""Kong, Emissary, APISIX and HAProxy, from each project's own repository
(tests/fixtures/<family>/SOURCE.txt names the repository and commit of every
file). The expected exposure, entry points, edges and findings are read by
hand from the manifests: what the controller's own install makes public, what
each router publishes through it, and what it is said when the controller is
not in the input."""

from __future__ import annotations

from pathlib import Path

import pytest

from svcdocs.config import Config
from svcdocs.pipeline import report_for_paths
from svcdocs.render.graph_json import graph_document

FIXTURES = Path(__file__).parent / "fixtures"
FAMILIES = ("kong", "emissary", "apisix", "haproxy")


def report_of(family: str, *paths: str):
    return report_for_paths([str(FIXTURES / family / p) for p in paths], Config())


def graph_of(family: str, *paths: str) -> dict:
    return graph_document(report_of(family, *paths))


def ways_in(doc: dict) -> set[tuple]:
    return {(e["via"], e.get("host"), e.get("path"), e.get("service"), e.get("port"), e["exposure"])
            for e in doc["entrypoints"] if e["kind"] in ("ingress", "route")}


def findings(doc: dict, rule: str | None = None) -> set[tuple[str, str, str]]:
    return {(f["rule"], f["severity"], f["object"]) for f in doc["findings"] if rule in (None, f["rule"])}


def edges(doc: dict, kind: str) -> set[tuple[str, str]]:
    return {(e["from"], e["to"]) for e in doc["edges"] if e["kind"] == kind}


def services(doc: dict) -> dict[str, str]:
    return {k: v for k, v in doc["exposure"].items() if k.startswith("Service/")}


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_fixture_names_its_repository_commit_and_files(family):
    source = (FIXTURES / family / "SOURCE.txt").read_text(encoding="utf-8")
    assert "repository: https://github.com/" in source and "commit: " in source
    listed = {line.strip()[2:] for line in source.splitlines() if line.strip().startswith("- ")}
    present = {str(p.relative_to(FIXTURES / family)) for p in (FIXTURES / family).rglob("*")
               if p.is_file() and p.name != "SOURCE.txt"}
    assert listed == present


# --- Kong ------------------------------------------------------------------------------

KONG = "deploy/single/all-in-one-dbless.yaml"


def test_kong_service_facades_publish_httpbin_through_the_proxy_load_balancer():
    """The issue's first story: /alpha and /beta reach httpbin through two
    KongServiceFacades, behind Kong's proxy, an AWS in-tree NLB (public)."""
    doc = graph_of("kong", KONG, "examples/kong-service-facade.yaml")
    assert services(doc) == {
        "Service/default/httpbin-deployment": "internet", "Service/kong/kong-admin": "cluster",
        "Service/kong/kong-proxy": "internet", "Service/kong/kong-validation-webhook": "cluster"}
    assert doc["exposure"]["Deployment/default/httpbin-deployment"] == "internet"
    assert ways_in(doc) == {
        ("KongServiceFacade/default/svc-facade-alpha", None, "/alpha", "Service/default/httpbin-deployment", 80,
         "internet"),
        ("KongServiceFacade/default/svc-facade-beta", None, "/beta", "Service/default/httpbin-deployment", 80,
         "internet")}
    assert edges(doc, "attaches") >= {("KongServiceFacade/default/svc-facade-alpha", "Ingress/default/httpbin-ingress"),
                                      ("KongServiceFacade/default/svc-facade-beta", "Ingress/default/httpbin-ingress")}
    assert edges(doc, "routes") == {("KongServiceFacade/default/svc-facade-alpha", "Service/default/httpbin-deployment"),
                                    ("KongServiceFacade/default/svc-facade-beta", "Service/default/httpbin-deployment")}
    # Kong's plugins and consumers route nothing: counted quietly, no router advice.
    assert doc["inputs"]["routing_kinds"] == {}
    assert doc["inputs"]["other_kinds"]["KongPlugin"] == 2 and doc["inputs"]["other_kinds"]["KongConsumer"] == 2
    assert not findings(doc, "ingress-without-tls")  # no host: the rule judges hosts
    assert not findings(doc, "dangling-ingress-backend")
    # The admin port is named by KONG_ADMIN_LISTEN, not stale.
    assert findings(doc, "unresolved-target-port") == {("unresolved-target-port", "info", "Service/kong/kong-admin")}


def test_kong_without_its_controller_keeps_the_default_and_says_it_was_assumed():
    report = report_of("kong", "examples/kong-service-facade.yaml")
    assert report.analysis.exposure["Service/default/httpbin-deployment"].level == "internet"
    assert "assumed" in report.analysis.router_notes["Ingress/default/httpbin-ingress"]
    assert "kong" in report.analysis.router_notes["Ingress/default/httpbin-ingress"]


def test_kong_ingress_with_https_protocols_is_tls():
    doc = graph_of("kong", KONG, "examples/ingress-https.yaml")
    assert ways_in(doc) == {("Ingress/default/httpbin-ingress", None, "/", "Service/default/httpbin-deployment", 80,
                             "internet")}
    assert [e["tls"] for e in doc["entrypoints"] if e["kind"] == "ingress"] == [True]
    assert not findings(doc, "ingress-without-tls")


def test_kong_udp_and_tcp_ingresses():
    doc = graph_of("kong", KONG, "examples/udpingress.yaml")
    assert ways_in(doc) == {("UDPIngress/default/example-udpingress", None, None,
                             "Service/default/example-udpingress-udpecho", 8888, "internet")}
    [router] = [r for r in report_of("kong", "examples/tcpingress.yaml").model.routers if r.kind == "TCPIngress"]
    assert [(w.port, w.protocol, [b.name for b in w.backends]) for w in router.ways] == [(9000, "TCP", ["tcp-echo"])]
    tcp = graph_of("kong", "examples/tcpingress.yaml")
    assert findings(tcp, "dangling-ingress-backend") == {
        ("dangling-ingress-backend", "error", "TCPIngress/default/tcpingress-sample")}


def test_kongs_gateway_api_routes_go_through_kongs_proxy():
    """The GatewayClass names Kong's controller; Kong's proxy is its NLB."""
    report = report_of("kong", KONG, "examples/gateway-httproute.yaml")
    doc = graph_document(report)
    assert ways_in(doc) == {
        ("HTTPRoute/default/httproute-testing", None, "/httproute-testing", "Service/default/echo-1", 80, "internet"),
        ("HTTPRoute/default/httproute-testing", None, "/httproute-testing", "Service/default/echo-2", 8080, "internet")}
    assert "Gateway/default/kong" not in report.analysis.router_notes
    alone = report_of("kong", "examples/gateway-httproute.yaml")
    assert "assumed" in alone.analysis.router_notes["Gateway/default/kong"]


# --- Emissary ---------------------------------------------------------------------------

EMISSARY = ("manifests/emissary/emissary-emissaryns.yaml", "docs/yaml/backends/quote.yaml",
            "test/e2e/fixtures/http-basic/manifests.yaml", "test/e2e/fixtures/tcpmapping-basic/manifests.yaml")


def test_emissary_mappings_publish_through_the_ambassador_service():
    report = report_of("emissary", *EMISSARY)
    doc = graph_document(report)
    assert services(doc) == {
        "Service/default/http-echo": "internet", "Service/default/quote": "internet",
        "Service/default/tcp-echo": "internet", "Service/emissary/emissary-ingress": "internet",
        "Service/emissary/emissary-ingress-admin": "node"}
    assert ways_in(doc) == {
        ("Mapping/default/quote-backend", None, "/backend/", "Service/default/quote", 80, "internet"),
        ("Mapping/default/http-echo", None, "/backend/", "Service/default/http-echo", 8080, "internet"),
        ("TCPMapping/default/tcp-echo", None, None, "Service/default/tcp-echo", 8080, "internet")}
    assert report.analysis.router_notes == {}
    # The Listener is shown with its port; Module configures Emissary and routes nothing.
    assert [(l.port, l.protocol) for g in report.model.gateways if g.kind == "Listener" for l in g.listeners] == \
        [(6789, "TCP")]
    assert doc["inputs"]["routing_kinds"] == {} and doc["inputs"]["other_kinds"]["Module"] == 1
    assert not findings(doc, "dangling-ingress-backend")


def test_emissary_without_its_install_says_it_was_assumed():
    report = report_of("emissary", "docs/yaml/backends/quote.yaml")
    assert report.analysis.exposure["Service/default/quote"].level == "internet"
    assert "assumed" in report.analysis.router_notes["Mapping/default/quote-backend"]


def test_the_ambassador_service_of_the_docs_is_the_way_in():
    doc = graph_of("emissary", "docs/yaml/ambassador/ambassador-service.yaml")
    assert services(doc) == {"Service/default/ambassador": "internet"}


# --- APISIX -----------------------------------------------------------------------------

def test_apisix_route_rules_carry_their_own_hosts_and_an_apisix_tls_covers_them():
    doc = graph_of("apisix", "config/samples", "examples/httpbin/deployment.yaml")
    assert ways_in(doc) == {("ApisixRoute/default/apisixroute-sample", "httpbin.example.com", "/get",
                             "Service/default/httpbin", 80, "internet")}
    assert [e["tls"] for e in doc["entrypoints"] if e["kind"] == "route"] == [True]  # *.example.com
    assert doc["inputs"]["other_kinds"] == {"ApisixUpstream": 1} and doc["inputs"]["routing_kinds"] == {}
    assert not findings(doc, "ingress-without-tls")


def test_apisix_stream_routes_by_sni_to_redis():
    """Two stream rules on ingressPort 6379, by SNI: TLS by their ApisixTls;
    Redis images say what listens there, so an error."""
    report = report_of("apisix", "docs/en/latest/tutorials/match-stream-route-by-sni")
    doc = graph_document(report)
    assert ways_in(doc) == {
        ("ApisixRoute/default/redis-stream-route", "redis-1.com", None, "Service/default/redis-1", 6379, "internet"),
        ("ApisixRoute/default/redis-stream-route", "redis-2.com", None, "Service/default/redis-2", 6379, "internet")}
    assert {e["tls"] for e in doc["entrypoints"] if e["kind"] == "route"} == {True}
    [router] = report.model.routers
    assert {(w.port, w.protocol) for w in router.ways} == {(6379, "TLS")}
    assert findings(doc, "sensitive-port-exposed") == {
        ("sensitive-port-exposed", "error", "ApisixRoute/default/redis-stream-route")}


def test_an_ingress_of_class_apisix_without_the_controller_in_the_input():
    report = report_of("apisix", "examples/httpbin")
    doc = graph_document(report)
    assert ways_in(doc) == {("Ingress/default/apisix-ingress", "httpbin.example.com", "/", "Service/default/httpbin",
                             80, "internet")}
    assert findings(doc, "ingress-without-tls") == {("ingress-without-tls", "warning", "Ingress/default/apisix-ingress")}
    assert "apisix" in report.analysis.router_notes["Ingress/default/apisix-ingress"]
    assert doc["inputs"]["other_kinds"] == {"GatewayProxy": 1}


def test_apisix_routes_of_the_mtls_tutorial():
    doc = graph_of("apisix", "docs/en/latest/tutorials/mtls")
    assert ways_in(doc) == set()  # its httpbin Service is not in the tutorial's files
    assert findings(doc, "dangling-ingress-backend") == {
        ("dangling-ingress-backend", "error", "ApisixRoute/default/httpserver-route")}


# --- HAProxy ----------------------------------------------------------------------------

def test_haproxy_behind_a_node_port_makes_its_ingress_backends_node():
    """The issue's fourth story: the controller is reached only through a
    NodePort, so what its Ingress publishes is `node`, not `internet`."""
    report = report_of("haproxy", "deploy/tests/config")
    doc = graph_document(report)
    assert services(doc) == {"Service/default/http-echo": "node",
                             "Service/haproxy-controller/haproxy-kubernetes-ingress": "node"}
    assert ways_in(doc) == {("Ingress/default/http-echo", "echo.haproxy.local", "/", "Service/default/http-echo", 80,
                             "node")}
    # haproxytech/http-echo on 8888: only the number says Jupyter, so a warning.
    assert findings(doc, "sensitive-port-exposed") == {
        ("sensitive-port-exposed", "warning", "Ingress/default/http-echo")}
    # The controller listens on 8080, 8443 and 6060 by default: declared or not, not stale.
    assert {s for _, s, _ in findings(doc, "unresolved-target-port")} == {"info"}
    assert not findings(doc, "ingress-without-tls")  # not from the internet
    assert "Ingress/default/http-echo" not in report.analysis.router_notes


@pytest.mark.parametrize("version", ["crd-v3", "crd-v1"])
def test_haproxy_tcp_opens_its_bind_ports_to_its_services(version):
    report = report_of("haproxy", "deploy/tests/config", f"deploy/tests/e2e/crd-tcp/config/{version}/tcp-cr.yaml")
    doc = graph_document(report)
    [tcp] = [r for r in report.model.routers if r.kind == "TCP"]
    assert [(w.port, w.protocol, [(b.name, b.port) for b in w.backends]) for w in tcp.ways] == [
        (32766, "TCP", [("http-echo", 80)]), (32767, "TCP", [("http-echo", 81)])]
    assert ("TCP/default/tcp-1", None, None, "Service/default/http-echo", 80, "node") in ways_in(doc)
    # echo-app.yaml's http-echo has no port 81 (the e2e suite's own Service has): said.
    assert findings(doc, "dangling-ingress-backend") == {("dangling-ingress-backend", "error", "TCP/default/tcp-1")}


def test_haproxy_v3_tcp_with_backend_switching_reaches_three_services():
    report = report_of("haproxy", "deploy/tests/config", "deploy/tests/e2e/crd-tcp/config/crd-v3/tcp-cr-full.yaml",
                       "deploy/tests/e2e/crd-tcp/config/crd-v3/backend-cr.yaml")
    [tcp] = [r for r in report.model.routers if r.kind == "TCP"]
    assert [(w.port, sorted(b.name for b in w.backends)) for w in tcp.ways] == [
        (32766, ["http-echo", "http-echo-0", "http-echo-1"])]
    assert report.model.inputs.other_kinds == (("Backend", 1),) and report.model.inputs.routing_kinds == ()


def test_haproxy_install_alone():
    doc = graph_of("haproxy", "deploy/haproxy-ingress.yaml")
    assert services(doc) == {"Service/haproxy-controller/haproxy-kubernetes-ingress": "node"}


# --- Ingress backends of kinds svcdocs does not read ------------------------------------

BUCKET = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /static
        pathType: Prefix
        backend: {resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: static-assets}}
      - path: /
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80}]}
"""


def test_an_ingress_backend_of_an_unknown_kind_is_said_in_check_and_on_its_page(cli, tmp_path):
    (tmp_path / "in.yaml").write_text(BUCKET, encoding="utf-8")
    result = cli("check", tmp_path)
    first = result.stdout.splitlines()[0]
    assert first.startswith("note: ") and "Ingress shop/web sends shop.example.com/static to StorageBucket " \
        "(k8s.example.com) static-assets, a kind svcdocs does not read" in first
    assert "in.yaml:11:" in first
    out = tmp_path / "site"
    assert cli("build", tmp_path / "in.yaml", "-o", out).exit_code == 0
    page = (out / "namespaces" / "shop" / "index.html").read_text(encoding="utf-8")
    assert "StorageBucket static-assets (k8s.example.com): a kind svcdocs does not read" in page
    assert "<td>shop.example.com /static</td>" in page


def test_a_kong_service_facade_backend_is_read_not_said(cli):
    result = cli("check", FIXTURES / "kong" / KONG, FIXTURES / "kong" / "examples/kong-service-facade.yaml")
    assert "a kind svcdocs does not read" not in result.stdout


# --- The families svcdocs read before: as exposed as their controllers too ---------------

CONTOUR = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: contour, namespace: projectcontour}
spec:
  template:
    metadata: {labels: {app: contour}}
    spec: {containers: [{name: contour, image: "ghcr.io/projectcontour/contour:v1.28.0"}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: envoy, namespace: projectcontour}
spec:
  template:
    metadata: {labels: {app: envoy}}
    spec: {containers: [{name: envoy, image: "docker.io/envoyproxy/envoy:v1.29.1",
                         ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: envoy, namespace: projectcontour}
spec: {type: NodePort, selector: {app: envoy}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: contour, namespace: projectcontour}
spec: {selector: {app: contour}, ports: [{port: 8001}]}
---
apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata: {name: web, namespace: shop}
spec:
  virtualhost: {fqdn: shop.example.com}
  routes: [{services: [{name: web, port: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80}]}
"""


def test_an_http_proxy_is_reached_as_contours_envoy_is(graph_json, manifests):
    """Contour's Envoy, beside Contour in its namespace, is reached through a NodePort."""
    doc = graph_json(CONTOUR)
    assert doc["exposure"]["Service/shop/web"] == "node"
    assert {e["exposure"] for e in doc["entrypoints"] if e["via"] == "HTTPProxy/shop/web"} == {"node"}
    clusterip = CONTOUR.replace("spec: {type: NodePort, selector: {app: envoy}", "spec: {selector: {app: envoy}")
    report = manifests(clusterip)
    assert report.analysis.exposure["Service/shop/web"].level == "cluster"
    assert not [e for e in report.analysis.entrypoints if e.via == "HTTPProxy/shop/web"]
    assert report.analysis.router_notes["HTTPProxy/shop/web"].startswith("reached only inside the cluster")


def test_check_says_which_routers_open_no_way_in(cli, tmp_path):
    (tmp_path / "in.yaml").write_text(CONTOUR.replace("spec: {type: NodePort, selector: {app: envoy}",
                                                      "spec: {selector: {app: envoy}"), encoding="utf-8")
    first = cli("check", tmp_path).stdout.splitlines()[0]
    assert first.startswith("note: ") and "HTTPProxy shop/web is reached only inside the cluster: the Services in " \
        "front of contour's pods are ClusterIP" in first


# --- ingress-nginx: the corpus's controller, with an Ingress of its class ----------------

WEB = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  ingressClassName: nginx
  rules: [{host: shop.example.com, http: {paths: [{path: /, pathType: Prefix,
           backend: {service: {name: web, port: {number: 80}}}}]}}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80}]}
"""


@pytest.mark.parametrize("provider, level", [
    ("cloud", "internet"),  # a LoadBalancer, named by --publish-service
    ("aws", "internet"),  # an in-tree NLB (aws-load-balancer-type: nlb): public by AWS's default
    ("baremetal", "node"),  # a NodePort
    ("kind", "internet"),  # host ports 80 and 443, and a LoadBalancer Service besides
])
def test_an_ingress_of_class_nginx_is_as_exposed_as_the_ingress_nginx_install(tmp_path, provider, level):
    (tmp_path / "web.yaml").write_text(WEB, encoding="utf-8")
    report = report_for_paths([str(FIXTURES / "ingress-nginx" / provider / "deploy.yaml"), str(tmp_path)], Config())
    assert report.analysis.exposure["Service/shop/web"].level == level
    assert "Ingress/shop/web" not in report.analysis.router_notes


def test_an_ingress_without_a_class_is_served_by_the_default_ingress_class(tmp_path):
    """Two controllers in the input; the IngressClass marked default (HAProxy's,
    behind a NodePort) serves the Ingress that names no class."""
    classless = WEB.replace("  ingressClassName: nginx\n", "")
    default = (FIXTURES / "haproxy" / "deploy/tests/config/2.2.ingressclass.yaml").read_text(encoding="utf-8")
    (tmp_path / "web.yaml").write_text(classless, encoding="utf-8")
    (tmp_path / "class.yaml").write_text(default.replace(
        "  name: haproxy\n", "  name: haproxy\n  annotations: {ingressclass.kubernetes.io/is-default-class: \"true\"}\n"),
        encoding="utf-8")
    paths = [FIXTURES / "ingress-nginx" / "cloud" / "deploy.yaml",
             FIXTURES / "haproxy" / "deploy/tests/config/3.ingress-controller.yaml", tmp_path]
    report = report_for_paths([str(p) for p in paths], Config())
    assert report.analysis.exposure["Service/shop/web"].level == "node"
