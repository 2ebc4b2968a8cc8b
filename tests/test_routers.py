"""Every router family as a way in: fixtures written here, and public examples
copied unchanged into tests/fixtures/<family>/ (each with its SOURCE.txt).
The expected exposure, entry points, edges and findings are read by hand from
the manifests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from svcdocs.config import Config, parse_config
from svcdocs.pipeline import report_for_paths
from svcdocs.render.graph_json import graph_document

from test_graph import deployment, docs, service

FIXTURES = Path(__file__).parent / "fixtures"


def graph_of(*paths: str, config: Config = Config()) -> dict:
    return graph_document(report_for_paths([str(FIXTURES / p) for p in paths], config))


def ways_in(doc: dict, via_prefix: str = "") -> set[tuple]:
    """(via, host, path, service, port) of the entry points through routers."""
    return {(e["via"], e.get("host"), e.get("path"), e.get("service"), e.get("port"))
            for e in doc["entrypoints"] if e["kind"] in ("ingress", "route") and e["via"].startswith(via_prefix)}


def edges(doc: dict, kind: str) -> set[tuple[str, str]]:
    return {(e["from"], e["to"]) for e in doc["edges"] if e["kind"] == kind}


def found(doc: dict, rule: str) -> dict[str, list[str]]:
    by_object: dict[str, list[str]] = {}
    for f in doc["findings"]:
        if f["rule"] == rule:
            by_object.setdefault(f["object"], []).append(f["message"])
    return by_object


def doc_text(path: str) -> str:
    return (FIXTURES / path).read_text(encoding="utf-8")


def graph_json_of(text: str) -> dict:
    """The graph of manifests given as text, written to a temporary file."""
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "in.yaml").write_text(text, encoding="utf-8")
        return graph_document(report_for_paths([folder], Config()))


ROUTER_FAMILIES = ("contour", "gateway-api", "gke", "istio", "knative", "nginx", "openshift", "traefik")


def test_every_public_fixture_names_its_source():
    for family in (FIXTURES / name for name in ROUTER_FAMILIES):
        source = (family / "SOURCE.txt").read_text(encoding="utf-8")
        assert "repository: https://github.com/" in source and "commit: " in source, family.name
        listed = {line.strip()[2:] for line in source.splitlines() if line.strip().startswith("- ")}
        present = {str(p.relative_to(family)) for p in family.rglob("*") if p.is_file() and p.name != "SOURCE.txt"}
        assert listed == present, f"{family.name}: SOURCE.txt must list exactly the files copied"


# --- Istio -------------------------------------------------------------------------

BOOKINFO = "istio/samples/bookinfo"


def test_istio_bookinfo_gateway_publishes_productpage_only():
    doc = graph_of(f"{BOOKINFO}/platform/kube/bookinfo.yaml", f"{BOOKINFO}/networking/bookinfo-gateway.yaml")
    services = {k: v for k, v in doc["exposure"].items() if k.startswith("Service/")}
    assert services == {"Service/default/details": "cluster", "Service/default/productpage": "internet",
                        "Service/default/ratings": "cluster", "Service/default/reviews": "cluster"}
    assert doc["exposure"]["Deployment/default/productpage-v1"] == "internet"
    vs, gateway = "VirtualService/default/bookinfo", "Gateway.networking.istio.io/default/bookinfo-gateway"
    assert ways_in(doc) == {(vs, None, path, "Service/default/productpage", 9080)
                            for path in ("/productpage", "/static", "/login", "/logout", "/api/v1/products")}
    assert all(e["gateways"] == [gateway] and e["tls"] is False for e in doc["entrypoints"])
    assert edges(doc, "attaches") == {(vs, gateway)}
    [node] = [n for n in doc["nodes"] if n["id"] == gateway]
    assert node["kind"] == "Gateway" and node["group"] == "networking.istio.io"
    assert node["selector"] == {"istio": "ingressgateway"}


def test_istio_mesh_only_virtual_service_and_service_entry():
    doc = graph_of(f"{BOOKINFO}/platform/kube/bookinfo.yaml", f"{BOOKINFO}/networking/virtual-service-reviews-80-20.yaml",
                   f"{BOOKINFO}/networking/egress-rule-google-apis.yaml")
    # A VirtualService bound to no gateway is mesh routing: it routes, but opens nothing.
    assert ("VirtualService/default/reviews", "Service/default/reviews") in edges(doc, "routes")
    assert doc["exposure"]["Service/default/reviews"] == "cluster" and not doc["entrypoints"]
    # The ServiceEntry's host outside the mesh is an External node, as an ExternalName target is.
    assert edges(doc, "aliases") == {("ServiceEntry/default/googleapis", "External/www.googleapis.com")}
    assert not found(doc, "dangling-ingress-backend")  # www.googleapis.com is outside the cluster


def test_istio_tcp_route_through_a_tcp_gateway():
    doc = graph_of("istio/samples/tcp-echo/tcp-echo-all-v1.yaml", "istio/samples/tcp-echo/tcp-echo-services.yaml")
    assert ways_in(doc) == {("VirtualService/default/tcp-echo", None, None, "Service/default/tcp-echo", 9000)}
    assert doc["exposure"]["Service/default/tcp-echo"] == "internet"
    assert doc["exposure"]["Deployment/default/tcp-echo-v1"] == doc["exposure"]["Deployment/default/tcp-echo-v2"] == "internet"


def test_istio_https_server_with_lowercase_protocol_is_tls():
    doc = graph_of("istio/samples/multicluster/expose-istiod-https.yaml")
    [gateway] = [n for n in doc["nodes"] if n["id"] == "Gateway.networking.istio.io/default/istiod-gateway"]
    assert {l["protocol"] for l in gateway["listeners"]} == {"HTTPS"}
    # istiod lives in istio-system, which this input does not have: nothing to call dangling.
    assert not found(doc, "dangling-ingress-backend") and not found(doc, "ingress-without-tls")


def test_istio_destination_hosts_as_istios_own_analyzer_reads_them():
    """Istio's analyzer testdata says which destinations do not resolve. svcdocs
    finds the missing hosts and ports; exportTo visibility and a port left out
    on a multi-port Service are Istio's own checks."""
    doc = graph_of("istio/pkg/config/analysis/analyzers/testdata/virtualservice_destinationhosts.yaml")
    dangling = found(doc, "dangling-ingress-backend")
    assert set(dangling) == {"VirtualService/default/reviews-bogushost", "VirtualService/default/reviews-mirror-bogushost",
                             "VirtualService/default/reviews-bogusport"}
    assert "to Service reviews-bogus, which does not exist in namespace default" in dangling[
        "VirtualService/default/reviews-bogushost"][0]
    assert "port 999 of Service default/reviews" in dangling["VirtualService/default/reviews-bogusport"][0]
    # The FQDN of a Service in another namespace resolves; Service entries' hosts are outside the cluster.
    assert ("VirtualService/istio-system/cross-namespace", "Service/default/reviews") in edges(doc, "routes")


def test_istio_gateway_configures_the_proxy_pods_its_selector_picks():
    """The custom ingress gateway's pod is in the input, behind a Service that
    sets a nodePort but no type (so ClusterIP): the gateway is reached only
    inside the cluster and its VirtualService opens nothing; as a NodePort,
    it is reached on the nodes' ports."""
    doc = graph_of("istio/pkg/config/analysis/analyzers/testdata/gateway-custom-ingressgateway.yaml")
    gateway = "Gateway.networking.istio.io/default/httpbin-gateway"
    [configures] = [e for e in doc["edges"] if e["kind"] == "configures"]
    assert (configures["from"], configures["to"]) == (gateway, "Pod/default/my-ingressgateway-1234")
    assert configures["ports"] == [{"port": 8003, "targetPort": 8003}]  # the container declares no port 8003
    text = (doc_text("istio/pkg/config/analysis/analyzers/testdata/gateway-custom-ingressgateway.yaml") + """---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: httpbin}
spec:
  hosts: ["*"]
  gateways: [httpbin-gateway]
  http:
  - route: [{destination: {host: httpbin, port: {number: 8000}}}]
---
""" + service("httpbin", "selector: {app: httpbin}\n  ports: [{port: 8000}]", ns="default"))
    cluster_only = graph_json_of(text)
    assert cluster_only["exposure"]["Service/default/httpbin"] == "cluster" and not ways_in(cluster_only)
    vs = graph_json_of(text.replace("spec:\n  ports:\n  - name: http2", "spec:\n  type: NodePort\n  ports:\n  - name: http2"))
    assert vs["exposure"]["Service/default/httpbin"] == "node"
    [entry] = [e for e in vs["entrypoints"] if e["via"] == "VirtualService/default/httpbin"]
    assert entry["exposure"] == "node" and entry["gateways"] == [gateway]


def test_istio_gateway_level_from_its_pods(graph_json):
    gateway = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop/shop.example.com]
    tls: {mode: SIMPLE, credentialName: shop-tls}
"""
    proxy = deployment("istio-ingressgateway", "{istio: ingressgateway}", ns="istio-system")
    vs = """\
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [istio-system/gw, mesh]
  http:
  - match: [{uri: {prefix: /api}}]
    route:
    - {destination: {host: api.shop.svc.cluster.local, port: {number: 80}}, weight: 90}
    - {destination: {host: api-canary, port: {number: 80}}, weight: 10}
"""
    internal = service("istio-ingressgateway", "type: LoadBalancer\n  selector: {istio: ingressgateway}\n  ports: [{port: 443}]",
                       ns="istio-system").replace("metadata: {", "metadata: {annotations: {service.beta.kubernetes.io/aws-load-balancer-internal: 'true'}, ")
    base = [gateway, vs, service("api"), service("api-canary"), deployment("api"), deployment("api-canary")]
    # Not in the input: a shared gateway is reachable from the internet.
    assert graph_json(docs(*base))["exposure"]["Service/shop/api"] == "internet"
    # Its pods behind an internal load balancer: the private network.
    doc = graph_json(docs(*base, proxy, internal))
    assert doc["exposure"]["Service/shop/api"] == doc["exposure"]["Service/shop/api-canary"] == "network"
    assert ways_in(doc) == {("VirtualService/shop/web", "shop.example.com", "/api", "Service/shop/api", 80),
                            ("VirtualService/shop/web", "shop.example.com", "/api", "Service/shop/api-canary", 80)}
    assert {e["tls"] for e in doc["entrypoints"] if e["kind"] == "route"} == {True}
    # Its pods with no Service in front: only the cluster reaches them, and the route opens nothing.
    doc = graph_json(docs(*base, proxy))
    assert doc["exposure"]["Service/shop/api"] == "cluster" and not ways_in(doc)


def test_istio_short_host_is_read_in_the_virtual_services_namespace(graph_json):
    vs = """\
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: {name: web, namespace: frontend}
spec:
  hosts: [shop.example.com]
  gateways: [gw]
  http:
  - route: [{destination: {host: api}}]
  - match: [{uri: {exact: /orders}}]
    route: [{destination: {host: orders.backend}}]
  - match: [{uri: {prefix: /legacy}}]
    delegate: {name: legacy, namespace: backend}
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: {name: legacy, namespace: backend}
spec:
  http:
  - match: [{uri: {prefix: /legacy/v1}}]
    route: [{destination: {host: legacy-v1}}]
"""
    doc = graph_json(docs(vs, service("api", ns="backend"), service("orders", ns="backend"),
                          service("legacy-v1", ns="backend")))
    # `api` is frontend/api to Istio, which does not exist: the Service in backend is not reached.
    assert "VirtualService/frontend/web" in found(doc, "dangling-ingress-backend")
    assert doc["exposure"]["Service/backend/api"] == "cluster"
    assert ways_in(doc) == {
        ("VirtualService/frontend/web", "shop.example.com", "/orders", "Service/backend/orders", 80),
        # The delegate serves under its delegator's host, with its own paths.
        ("VirtualService/backend/legacy", "shop.example.com", "/legacy/v1", "Service/backend/legacy-v1", 80)}
    assert ("VirtualService/backend/legacy", "VirtualService/frontend/web") in edges(doc, "attaches")
    # Without a Gateway of its own in the input, TLS is not known: no finding either way.
    assert not found(doc, "ingress-without-tls")


# --- Contour -----------------------------------------------------------------------

CONTOUR = "contour/examples/example-workload/httpproxy"


def test_contour_inclusion_across_namespaces():
    doc = graph_of(f"{CONTOUR}/00-common", f"{CONTOUR}/04-inclusion/httpproxy-inclusion-across-namespaces.yaml")
    root, blog = "HTTPProxy/default/namespace-delegation-root", "HTTPProxy/marketing/blog"
    assert ways_in(doc) == {(root, "ns-root.bar.com", "/", "Service/default/s1", 80),
                            (blog, "ns-root.bar.com", "/blog", "Service/marketing/s2", 80)}
    assert edges(doc, "attaches") == {(blog, root)}
    [entry] = [e for e in doc["entrypoints"] if e["via"] == blog]
    assert entry["gateways"] == [root] and entry["workloads"] == ["Deployment/marketing/kuard"]
    assert doc["exposure"]["Service/marketing/s2"] == "internet"
    assert doc["exposure"]["Service/default/s2"] == "cluster"  # the same name in default is not it
    assert set(found(doc, "ingress-without-tls")) == {root}


def test_contour_inclusion_in_the_same_namespace_names_a_missing_service():
    doc = graph_of(f"{CONTOUR}/00-common", f"{CONTOUR}/04-inclusion/httpproxy-inclusion-samenamespace.yaml")
    assert ("HTTPProxy/default/service2", "root.bar.com", "/service2", "Service/default/s2", 80) in ways_in(doc)
    [message] = found(doc, "dangling-ingress-backend")["HTTPProxy/default/service2"]
    assert message.startswith("HTTPProxy default/service2 sends requests for root.bar.com/service2/blog to Service blog,")


def test_contour_tls_and_permit_insecure():
    doc = graph_of(f"{CONTOUR}/00-common", f"{CONTOUR}/03-routes/httpproxy-tls-permitinsecure.yaml")
    tls = {(e["path"], e["tls"]) for e in doc["entrypoints"] if e["via"] == "HTTPProxy/default/tls-example-insecure"}
    assert tls == {("/", True), ("/blog", False)}
    [message] = found(doc, "ingress-without-tls")["HTTPProxy/default/tls-example-insecure"]
    assert "foo2.bar.com over plain HTTP" in message


def test_contour_tcp_proxy_with_tls_passthrough():
    doc = graph_of(f"{CONTOUR}/00-common", f"{CONTOUR}/05-tcp-proxy/httpproxy-tls-passthrough.yaml")
    # tcpservice and otherservice are not among the example's Services.
    assert not ways_in(doc)
    messages = found(doc, "dangling-ingress-backend")["HTTPProxy/default/example"]
    assert [m.split(" to Service ")[1].split(",")[0] for m in messages] == ["tcpservice", "otherservice"]


def test_contour_weights_and_two_roots_for_one_host():
    doc = graph_of(f"{CONTOUR}/00-common", f"{CONTOUR}/03-routes/httpproxy-weight-shfiting.yaml",
                   f"{CONTOUR}/01-ingress-to-httpproxy")
    assert {(e["service"], e["host"]) for e in doc["entrypoints"] if e["via"] == "HTTPProxy/default/weight-shifting"} == {
        ("Service/default/s1", "weights.bar.com"), ("Service/default/s2", "weights.bar.com")}
    # tls-example serves foo2.bar.com with TLS: no finding for it; basic has no namespace: default.
    assert "HTTPProxy/default/tls-example" not in found(doc, "ingress-without-tls")
    assert "HTTPProxy/default/basic" in found(doc, "ingress-without-tls")


# --- Traefik -----------------------------------------------------------------------

TRAEFIK = "traefik/integration/fixtures/k8s"


def test_traefik_ingress_routes_tcp_udp_and_traefik_services():
    doc = graph_of(TRAEFIK)
    whoami = "Service/default/whoami"
    assert ways_in(doc) == {
        ("IngressRoute/default/test.route", "foo.com", "/bar", whoami, 80),
        ("IngressRoute/default/test2.route", "foo.com", "/tobestripped", whoami, 80),
        ("IngressRouteTCP/default/test3.route", None, None, "Service/default/whoamitcp", 8080),
        ("IngressRouteTCP/default/test3.route", None, None, "Service/default/externalname-svc", 9090),
        ("IngressRouteUDP/default/test3.route", None, None, "Service/default/whoamiudp", 8090),
        ("IngressRouteUDP/default/test3.route", None, None, "Service/default/externalname-svc", 9090),
        # TraefikServices resolved down to Services, under the host and path of the IngressRoute that uses them.
        ("TraefikService/default/wrr1", "foo.com", "/wrr1", whoami, 80),
        ("TraefikService/default/mirror1", "foo.com", "/wrr1", whoami, 80),
        ("TraefikService/default/hrw1", "foo.com", "/hrw1", whoami, 80),
    }
    # An ExternalName behind an IngressRouteTCP is reached from the internet, not only a name outside.
    assert doc["exposure"]["Service/default/externalname-svc"] == "internet"
    assert {("TraefikService/default/wrr1", "IngressRoute/default/test3.route"),
            ("TraefikService/default/mirror1", "TraefikService/default/wrr1")} <= edges(doc, "attaches")
    listeners = {e["via"]: e.get("listeners") for e in doc["entrypoints"]}
    assert listeners["IngressRouteUDP/default/test3.route"] == ["fooudp"]
    assert listeners["TraefikService/default/mirror1"] == ["web"]  # its IngressRoute's entryPoints
    # test.route has `tls: {options, store}`, which turns TLS on; test2.route has none.
    assert set(found(doc, "ingress-without-tls")) == {"IngressRoute/default/test2.route",
                                                       "IngressRoute/default/test3.route",
                                                       "IngressRoute/default/test4.route"}
    assert "api@internal" not in str(doc["edges"])


@pytest.mark.parametrize("match, hosts, paths", [
    ("Host(`a.example.com`) && PathPrefix(`/api`)", ("a.example.com",), ("/api",)),
    ("Host(`a.example.com`, `b.example.com`) && (Path(`/x`) || PathPrefix(\"/y\"))",
     ("a.example.com", "b.example.com"), ("/x", "/y")),
    ("HostSNI(`*`)", (), ()),
    ("HostRegexp(`{sub:[a-z]+}.example.com`)", ("{sub:[a-z]+}.example.com",), ()),
    ("Method(`GET`) && Header(`X`, `y`)", (), ()),
])
def test_traefik_match_rules(match, hosts, paths):
    from svcdocs.model.routers.traefik import match_rule
    assert match_rule(match) == (hosts, paths)


# --- OpenShift ---------------------------------------------------------------------

def test_openshift_route_from_origin_test_data():
    doc = graph_of("openshift")
    assert ways_in(doc) == {("Route/default/test", None, "/", "Service/default/hello-openshift", 8080)}
    assert doc["exposure"]["ReplicaSet/default/hello-openshift"] == "internet"


def test_openshift_route_makes_its_node_port_service_internet(graph_json):
    route = """\
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: web, namespace: shop}
spec:
  host: shop.apps.example.com
  path: /store
  to: {kind: Service, name: web, weight: 90}
  alternateBackends: [{kind: Service, name: web-canary, weight: 10}]
  port: {targetPort: 8080}
  tls: {termination: edge, insecureEdgeTerminationPolicy: Redirect}
"""
    nodeport = "type: NodePort\n  selector: {app: web}\n  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]"
    doc = graph_json(docs(route, service("web", nodeport), service("web-canary"), deployment("web"),
                          deployment("web-canary")))
    assert doc["exposure"]["Service/shop/web"] == "internet"
    # port.targetPort 8080 is the pods' port: the Service port is 80 (for web-canary, its only port).
    assert ways_in(doc) == {("Route/shop/web", "shop.apps.example.com", "/store", "Service/shop/web", 80),
                            ("Route/shop/web", "shop.apps.example.com", "/store", "Service/shop/web-canary", 80)}
    assert {e["tls"] for e in doc["entrypoints"] if e["via"] == "Route/shop/web"} == {True}
    assert not found(doc, "dangling-ingress-backend")
    allow = graph_json(docs(route.replace("Redirect", "Allow"), service("web", nodeport), service("web-canary")))
    assert "Route/shop/web" in found(allow, "ingress-without-tls")


# --- Knative -----------------------------------------------------------------------

def test_knative_services_are_workloads_and_ways_in():
    doc = graph_of("knative/code-samples/serving/hello-world/helloworld-go/service.yaml",
                   "knative/code-samples/serving/grpc-ping-go/service.yaml")
    hello = "Service.serving.knative.dev/default/helloworld-go"
    assert doc["exposure"] == {hello: "internet", "Service.serving.knative.dev/default/grpc-ping": "internet"}
    [entry] = [e for e in doc["entrypoints"] if e["via"] == hello]
    assert entry["workloads"] == [hello] and "service" not in entry and "host" not in entry
    [node] = [n for n in doc["nodes"] if n["id"] == hello]
    assert node["kind"] == "Service" and node["group"] == "serving.knative.dev"
    [grpc] = [n for n in doc["nodes"] if n["id"] == "Service.serving.knative.dev/default/grpc-ping"]
    assert grpc["containers"][0]["ports"] == [{"name": "h2c", "containerPort": 8080, "protocol": "TCP"}]


def test_knative_traffic_split_and_cluster_local(graph_json):
    ksvc = """\
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: hello
  namespace: apps
  labels: {networking.knative.dev/visibility: cluster-local}
spec:
  template:
    metadata: {name: hello-v2, labels: {team: web}}
    spec:
      containers: [{image: ghcr.io/example/hello:2, ports: [{containerPort: 8080}], readinessProbe: {httpGet: {path: /}}}]
  traffic:
  - {revisionName: hello-v1, percent: 20}
  - {latestRevision: true, percent: 80, tag: latest}
"""
    mapping = """\
apiVersion: serving.knative.dev/v1beta1
kind: DomainMapping
metadata: {name: hello.example.com, namespace: apps}
spec:
  ref: {name: hello, kind: Service, apiVersion: serving.knative.dev/v1}
"""
    doc = graph_json(ksvc)
    hello = "Service.serving.knative.dev/apps/hello"
    assert doc["exposure"] == {hello: "cluster"} and not doc["entrypoints"]
    [node] = [n for n in doc["nodes"] if n["id"] == hello]
    assert node["traffic"] == [{"revision": "hello-v1", "percent": 20}, {"revision": "latest", "percent": 80, "tag": "latest"}]
    # A DomainMapping publishes even a cluster-local Service, here without TLS.
    doc = graph_json(docs(ksvc, mapping))
    assert doc["exposure"] == {hello: "internet"}
    assert ways_in(doc) == {("DomainMapping/apps/hello.example.com", "hello.example.com", "/", None, None)}
    assert ("DomainMapping/apps/hello.example.com", hello) in edges(doc, "routes")
    assert "DomainMapping/apps/hello.example.com" in found(doc, "ingress-without-tls")
    # Its pods carry the label Knative gives them, which a NetworkPolicy can select.
    policy = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: apps}\n"
              "spec:\n  podSelector: {matchLabels: {serving.knative.dev/service: hello}}\n")
    assert (("NetworkPolicy/apps/p", hello) in edges(graph_json(docs(ksvc, policy)), "isolates"))


# --- NGINX Ingress Controller --------------------------------------------------------

NGINX = "nginx/examples/custom-resources"


def test_nginx_virtual_server_routes_across_namespaces():
    doc = graph_of(f"{NGINX}/cross-namespace-configuration")
    vs = "VirtualServer/cafe/cafe"
    assert ways_in(doc) == {
        ("VirtualServerRoute/tea/tea", "cafe.example.com", "/tea", "Service/tea/tea-svc", 80),
        ("VirtualServerRoute/coffee/coffee", "cafe.example.com", "/coffee", "Service/coffee/coffee-svc", 80)}
    assert {("VirtualServerRoute/tea/tea", vs), ("VirtualServerRoute/coffee/coffee", vs)} == edges(doc, "attaches")
    assert {e["tls"] for e in doc["entrypoints"]} == {True}  # tls.secret on the VirtualServer


def test_nginx_splits_and_transport_servers():
    doc = graph_of(f"{NGINX}/traffic-splitting", f"{NGINX}/basic-tcp-udp", f"{NGINX}/tls-passthrough")
    assert ways_in(doc) == {
        ("VirtualServer/default/cafe", "cafe.example.com", "/coffee", "Service/default/coffee-v1-svc", 80),
        ("VirtualServer/default/cafe", "cafe.example.com", "/coffee", "Service/default/coffee-v2-svc", 80),
        ("TransportServer/default/dns-tcp", None, None, "Service/default/coredns", 5353),
        ("TransportServer/default/dns-udp", None, None, "Service/default/coredns", 5353),
        ("TransportServer/default/secure-app", "app.example.com", None, "Service/default/secure-app", 8443)}
    listeners = {e["via"]: e.get("listeners") for e in doc["entrypoints"]}
    assert listeners["TransportServer/default/dns-udp"] == ["dns-udp"]
    assert listeners["TransportServer/default/secure-app"] == ["tls-passthrough"]
    # GlobalConfiguration defines listeners; it routes nothing itself.
    assert doc["inputs"]["other_kinds"]["GlobalConfiguration"] == 1 and not doc["inputs"]["routing_kinds"]
    assert set(found(doc, "ingress-without-tls")) == {"VirtualServer/default/cafe"}


# --- GKE multi-cluster ingress -------------------------------------------------------

def test_gke_multi_cluster_ingress_to_a_multi_cluster_service():
    doc = graph_of("gke")
    mcs = "MultiClusterService/default/whereami-mcs"
    assert ways_in(doc) == {("MultiClusterIngress/default/whereami-mci", None, None, mcs, 8080)}
    assert doc["exposure"][mcs] == doc["exposure"]["Deployment/default/whereami-deployment"] == "internet"
    assert (mcs, "Deployment/default/whereami-deployment") in edges(doc, "selects")


# --- Gateway API: ListenerSet, ReferenceGrant, BackendTLSPolicy ---------------------

def test_gateway_api_listener_sets():
    route = """\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: first, namespace: team-1-ns}
spec:
  parentRefs: [{kind: ListenerSet, name: first-workload-listeners, sectionName: first}]
  hostnames: [first.foo.com]
  rules: [{backendRefs: [{name: web, port: 80}]}]
"""
    doc = graph_json_of(doc_text("gateway-api/examples/standard/listenerset/listenerset.yaml") + "---\n"
                        + docs(route, service("web", ns="team-1-ns")))
    listener_set = "ListenerSet/team-1-ns/first-workload-listeners"
    assert {(listener_set, "Gateway/default/parent-gateway"),
            ("HTTPRoute/team-1-ns/first", listener_set)} <= edges(doc, "attaches")
    [entry] = [e for e in doc["entrypoints"] if e["kind"] == "route"]
    assert (entry["host"], entry["service"], entry["tls"], entry["exposure"]) == (
        "first.foo.com", "Service/team-1-ns/web", True, "internet")  # the ListenerSet's listener is HTTPS


def test_gateway_api_reference_grant_and_backend_tls_policy():
    doc = graph_of("gateway-api/examples/standard/reference-grant.yaml",
                   "gateway-api/examples/standard/backendtlspolicy/backendtlspolicy-ca-certs.yaml")
    [grant] = [n for n in doc["nodes"] if n["kind"] == "ReferenceGrant"]
    assert grant["from"] == [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": "prod"}]
    [policy] = [n for n in doc["nodes"] if n["kind"] == "BackendTLSPolicy"]
    assert policy["targets"] == [{"kind": "Service", "name": "auth"}] and policy["hostname"] == "auth.example.com"


def test_a_reference_grant_to_a_service_import_does_not_make_a_service_edge():
    doc = graph_of("gateway-api/examples/standard/multicluster/httproute-referencegrant.yaml")
    assert not edges(doc, "routes") and not found(doc, "dangling-ingress-backend")


# --- Custom router kinds from .svcdocs.yaml -------------------------------------------

WEBAPP = """\
apiVersion: apps.example.com/v1
kind: WebApp
metadata: {name: store, namespace: shop}
spec:
  domains: [store.example.com, www.store.example.com]
  routes:
  - match: {path: /}
    to: {service: frontend, port: 80}
  - match: {path: /api}
    to: {service: api, port: http}
"""


def test_custom_router_kinds_from_the_config(graph_json):
    config = parse_config({"router-kinds": [{
        "apiVersion": "apps.example.com/v1", "kind": "WebApp", "hosts": "/spec.domains", "rules": "spec.routes",
        "path": "match.path", "service": "to.service", "port": "to.port", "public": False}]})
    api = service("api", "selector: {app: api}\n  ports: [{name: http, port: 8080}]")
    doc = graph_json(docs(WEBAPP, service("frontend"), api), config=config)
    assert ways_in(doc) == {("WebApp/shop/store", host, path, svc, port)
                            for host in ("store.example.com", "www.store.example.com")
                            for path, svc, port in (("/", "Service/shop/frontend", 80), ("/api", "Service/shop/api", 8080))}
    assert doc["exposure"]["Service/shop/api"] == "network"  # public: false
    # Without the config, the WebApp is skipped, and said to be.
    plain = graph_json(docs(WEBAPP, service("frontend"), api))
    assert plain["exposure"]["Service/shop/api"] == "cluster"
    assert plain["inputs"]["other_kinds"] == {"WebApp": 1}


APISIX_LIKE = """\
apiVersion: gw.example.com/v1
kind: WebRoute
metadata: {name: web, namespace: shop}
spec:
  http:
  - match: {hosts: [a.example.com], paths: [/a]}
    backends: [{serviceName: frontend, servicePort: 80}]
  - match: {hosts: [b.example.com], paths: [/b]}
    backends: [{serviceName: api, servicePort: 8080}]
"""
ROUTE_KIND = {"apiVersion": "gw.example.com/v1", "kind": "WebRoute", "rules": "spec.http", "hosts": "match.hosts",
              "path": "match.paths", "service": "backends.serviceName", "port": "backends.servicePort"}


def test_custom_router_kinds_read_every_field_from_the_rule(graph_json):
    """Each rule gets its own hosts, not every host of the object."""
    api = service("api", "selector: {app: api}\n  ports: [{name: http, port: 8080}]")
    doc = graph_json(docs(APISIX_LIKE, service("frontend"), api), config=parse_config({"router-kinds": [ROUTE_KIND]}))
    assert ways_in(doc) == {("WebRoute/shop/web", "a.example.com", "/a", "Service/shop/frontend", 80),
                            ("WebRoute/shop/web", "b.example.com", "/b", "Service/shop/api", 8080)}


@pytest.mark.parametrize("key, path, said", [
    ("hosts", "match.host", "router-kinds[0].hosts: field path match.host finds nothing in any rule of the 1 WebRoute "
                            "object read"),
    ("hosts", "spec.hosts", "router-kinds[0].hosts: field path spec.hosts finds nothing in any rule"),
    ("hosts", "/spec.hosts", "router-kinds[0].hosts: field path /spec.hosts finds nothing of the 1 WebRoute"),
    ("rules", "spec.rules", "router-kinds[0].rules: field path spec.rules finds nothing of the 1 WebRoute"),
    ("port", "backends.port", "router-kinds[0].port: field path backends.port finds nothing"),
])
def test_a_field_path_that_finds_nothing_is_a_config_error_naming_it(manifests, key, path, said):
    from svcdocs.errors import SvcdocsError
    config = parse_config({"router-kinds": [{**ROUTE_KIND, key: path}]}, ".svcdocs.yaml")
    with pytest.raises(SvcdocsError, match=re.escape(f".svcdocs.yaml: {said}")):
        manifests(docs(APISIX_LIKE, service("frontend")), config=config)


def test_a_kind_with_no_object_is_no_error(manifests):
    config = parse_config({"router-kinds": [{**ROUTE_KIND, "hosts": "nothing.here"}]})
    assert manifests(service("frontend"), config=config).model.routers == ()


@pytest.mark.parametrize("entry, error", [
    ({"apiVersion": "v1", "kind": "X", "service": "a"}, "needs apiVersion (group/version) and kind"),
    ({"apiVersion": "a.io/v1", "kind": "X"}, "needs service"),
    ({"apiVersion": "a.io/v1", "kind": "X", "service": "spec[0].name"}, "must be a field path"),
    ({"apiVersion": "a.io/v1", "kind": "X", "service": "__import__('os')"}, "must be a field path"),
    ({"apiVersion": "a.io/v1", "kind": "X", "service": "a", "public": "yes"}, "public must be true or false"),
    ({"apiVersion": "a.io/v1", "kind": "X", "service": "a", "host": "b"}, "unknown key 'host'"),
])
def test_custom_router_kinds_are_data_checked_in_one_line(entry, error):
    import re

    from svcdocs.errors import SvcdocsError
    with pytest.raises(SvcdocsError, match=re.escape(error)):
        parse_config({"router-kinds": [entry]})


def test_a_custom_kind_svcdocs_already_reads_is_refused(manifests):
    from svcdocs.errors import SvcdocsError
    config = parse_config({"router-kinds": [{"apiVersion": "projectcontour.io/v1", "kind": "HTTPProxy", "service": "a"}]})
    with pytest.raises(SvcdocsError, match="already reads HTTPProxy"):
        manifests(service("web"), config=config)


# --- Never a silent "nothing reachable" -----------------------------------------------

SKIPPED = """\
apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec: {virtualHost: {domains: ["*"], routes: [{routeAction: {single: {upstream: {name: web}}}}]}}
---
apiVersion: apps.example.com/v1
kind: WebApp
metadata: {name: store, namespace: shop}
spec: {domains: [store.example.com], routes: [{to: {service: web}}]}
---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: strip, namespace: shop}
spec: {}
---
apiVersion: configuration.konghq.com/v1
kind: KongPlugin
metadata: {name: key-auth, namespace: shop}
plugin: key-auth
---
apiVersion: apisix.apache.org/v2
kind: ApisixUpstream
metadata: {name: web, namespace: shop}
spec: {scheme: http, loadbalancer: {type: roundrobin}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: web, namespace: shop}
spec: {selector: {matchLabels: {app: web}}, rules: [{from: [{source: {principals: [a]}}]}]}
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: web, namespace: shop}
spec: {podSelector: {matchLabels: {app: web}}, port: http}
---
apiVersion: apps.example.com/v1
kind: Dashboard
metadata: {name: ops, namespace: shop}
spec: {title: Ops, panels: [{service: web}]}
"""


def test_skipped_kinds_are_said_where_they_belong(graph_json):
    """Routers (by the table, or by a spec that names hosts and a backend) get the
    router-kinds advice; policies are counted as policies; configuration quietly."""
    doc = graph_json(docs(SKIPPED, service("web")))
    assert doc["inputs"]["routing_kinds"] == {"VirtualService (gateway.solo.io)": 1, "WebApp (apps.example.com)": 1}
    assert doc["inputs"]["other_kinds"] == {
        "AuthorizationPolicy": 1, "Dashboard": 1, "KongPlugin": 1, "Middleware": 1, "Server": 1,
        "ApisixUpstream": 1, "VirtualService (gateway.solo.io)": 1, "WebApp": 1}


def test_policy_kinds_get_no_router_advice(manifests):
    model = manifests(SKIPPED).model
    assert model.inputs.policy_kinds == (("AuthorizationPolicy (security.istio.io)", 1), ("Server (policy.linkerd.io)", 1))
    roles = {u.id: u.role for u in model.inputs.unmodelled}
    assert roles["KongPlugin/shop/key-auth"] == "config" and roles["Dashboard/shop/ops"] is None


def test_a_custom_resource_definition_is_never_a_router(graph_json):
    crd = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: webapps.apps.example.com}
spec:
  group: apps.example.com
  versions: [{name: v1, schema: {openAPIV3Schema: {properties: {host: {type: string}, service: {type: string}}}}}]
"""
    assert graph_json(crd)["inputs"]["routing_kinds"] == {}


def test_check_says_first_that_routing_objects_were_skipped(cli, tmp_path):
    (tmp_path / "m.yaml").write_text(docs(SKIPPED, service("web")), encoding="utf-8")
    result = cli("check", tmp_path)
    first = result.stdout.splitlines()[0]
    assert first.startswith("note: skipped 2 objects of kinds that route traffic")
    assert "VirtualService (gateway.solo.io) 1" in first and "Kong" not in first and "Authorization" not in first


def test_the_home_page_shows_the_way_in_through_a_router_and_the_skipped_ones(cli, tmp_path):
    (tmp_path / "mapping.yaml").write_text(SKIPPED, encoding="utf-8")
    out = tmp_path / "site"
    result = cli("build", FIXTURES / f"{BOOKINFO}/platform/kube/bookinfo.yaml",
                 FIXTURES / f"{BOOKINFO}/networking/bookinfo-gateway.yaml", tmp_path / "mapping.yaml", "-o", out)
    assert result.exit_code == 0, result.stderr
    home = (out / "index.html").read_text(encoding="utf-8")
    warning = home.index("Ways in svcdocs cannot see:")
    assert warning < home.index('id="what-is-exposed"') and "VirtualService (gateway.solo.io) 1" in home
    ways_in_table = home[home.index('id="how-to-get-in"'):home.index('id="findings"')]
    assert "VirtualService default/bookinfo" in ways_in_table and "/productpage" in ways_in_table
    assert "Nothing in these manifests is reachable" not in home
    namespace = (out / "namespaces" / "default" / "index.html").read_text(encoding="utf-8")
    assert "Gateway (istio)" in namespace and "bookinfo-gateway" in namespace
