"""Each row of the exposure table in DESIGN.md, entry points and patterns."""

from __future__ import annotations

import pytest

from svcdocs.config import Config

from test_graph import GRANT, INGRESS, ROUTE, deployment, docs, service


def lb(annotations: str = "", extra: str = "") -> str:
    meta = "{name: lb, namespace: shop" + (f", annotations: {{{annotations}}}" if annotations else "") + "}"
    return (f"apiVersion: v1\nkind: Service\nmetadata: {meta}\nspec:\n  type: LoadBalancer\n"
            f"  selector: {{app: lb}}\n  ports: [{{port: 443}}]\n{extra}")


@pytest.mark.parametrize("annotations, level", [
    ("", "internet"),
    ('service.beta.kubernetes.io/aws-load-balancer-internal: "true"', "network"),
    ('service.beta.kubernetes.io/aws-load-balancer-internal: "false"', "internet"),
    ("service.beta.kubernetes.io/aws-load-balancer-scheme: internal", "network"),
    ("service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing", "internet"),
    ("networking.gke.io/load-balancer-type: Internal", "network"),
    ("cloud.google.com/load-balancer-type: Internal", "network"),
    ('service.beta.kubernetes.io/azure-load-balancer-internal: "true"', "network"),
    ("service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type: intranet", "network"),
    ('service.beta.kubernetes.io/oci-load-balancer-internal: "true"', "network"),
    ("service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type: private", "network"),
    ('service.beta.kubernetes.io/openstack-internal-load-balancer: "true"', "network"),
])
def test_load_balancer_is_internet_unless_an_annotation_asks_for_a_private_address(graph_json, annotations, level):
    doc = graph_json(docs(lb(annotations), deployment("lb")))
    assert doc["exposure"]["Service/shop/lb"] == level
    assert doc["exposure"]["Deployment/shop/lb"] == level


def test_external_ips_are_internet(graph_json):
    doc = graph_json(service("ext", "externalIPs: [203.0.113.7]\n  ports: [{port: 80}]"))
    assert doc["exposure"]["Service/shop/ext"] == "internet"


def test_ingress_backends_and_default_backend_are_internet(graph_json):
    doc = graph_json(docs(INGRESS, service("web"), service("fallback"), service("alone")))
    assert doc["exposure"]["Service/shop/web"] == "internet"
    assert doc["exposure"]["Service/shop/fallback"] == "internet"
    assert doc["exposure"]["Service/shop/alone"] == "cluster"


def test_ingress_of_an_internal_class_is_network(manifests):
    report = manifests(docs(INGRESS.replace("spec:\n", "spec:\n  ingressClassName: nginx-internal\n", 1),
                            service("web"), service("fallback")),
                       config=Config(internal_classes=frozenset({"nginx-internal"})))
    assert report.analysis.level("Service/shop/web") == "network"


def test_route_backends_are_internet_whether_or_not_the_gateway_is_in_the_input(graph_json):
    gateway = ("apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: shared, namespace: infra}\n"
               "spec:\n  gatewayClassName: gc\n  listeners: [{name: https, port: 443, protocol: HTTPS}]\n")
    without = graph_json(docs(ROUTE, service("web")))
    assert without["exposure"]["Service/shop/web"] == "internet"
    with_gateway = graph_json(docs(ROUTE, gateway, service("web")))
    assert with_gateway["exposure"]["Service/shop/web"] == "internet"


def test_mesh_route_whose_parent_is_a_service_does_not_raise_exposure(graph_json):
    mesh = ROUTE.replace("  - name: shared\n    namespace: infra\n    sectionName: https\n",
                         "  - {group: '', kind: Service, name: web}\n")
    doc = graph_json(docs(mesh, service("web")))
    assert doc["exposure"]["Service/shop/web"] == "cluster"
    assert ("HTTPRoute/shop/store", "Service/shop/web") in [(e["from"], e["to"]) for e in doc["edges"] if e["kind"] == "attaches"]
    assert not doc["entrypoints"]


def test_node_port_is_node(graph_json):
    doc = graph_json(docs(service("np", "type: NodePort\n  selector: {app: np}\n  ports: [{port: 80, nodePort: 30080}]"),
                          deployment("np")))
    assert doc["exposure"]["Service/shop/np"] == "node"
    assert doc["exposure"]["Deployment/shop/np"] == "node"


@pytest.mark.parametrize("spec", [
    "selector: {app: c}\n  ports: [{port: 80}]",
    "clusterIP: None\n  selector: {app: c}\n  ports: [{port: 80}]",
    "ports: [{port: 80}]",
    "selector: {app: nothing-has-this}\n  ports: [{port: 80}]",
])
def test_cluster_ip_headless_selectorless_and_dangling_services_are_cluster(graph_json, spec):
    doc = graph_json(docs(service("c", spec), deployment("c")))
    assert doc["exposure"]["Service/shop/c"] == "cluster"


def test_external_name_is_egress_unless_an_ingress_routes_to_it(graph_json):
    ext = service("web", "type: ExternalName\n  externalName: web.example.net")
    assert graph_json(ext)["exposure"]["Service/shop/web"] == "egress"
    doc = graph_json(docs(INGRESS, ext, service("fallback")))
    assert doc["exposure"]["Service/shop/web"] == "internet"


def test_workload_takes_the_highest_level_of_its_services(graph_json):
    doc = graph_json(docs(
        deployment("api"),
        service("api-internal", "selector: {app: api}\n  ports: [{port: 80}]"),
        service("api-node", "type: NodePort\n  selector: {app: api}\n  ports: [{port: 80}]"),
        deployment("worker"),
    ))
    assert doc["exposure"]["Deployment/shop/api"] == "node"
    assert doc["exposure"]["Deployment/shop/worker"] == "none"


@pytest.mark.parametrize("pod_spec", [
    "hostNetwork: true\n      containers: [{name: c, ports: [{containerPort: 53}]}]",
    "containers: [{name: c, ports: [{containerPort: 80, hostPort: 8080}]}]",
])
def test_host_port_or_host_network_is_at_least_node(graph_json, pod_spec):
    workload = ("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: shop}\nspec:\n"
                f"  template:\n    metadata: {{labels: {{app: agent}}}}\n    spec:\n      {pod_spec}\n")
    doc = graph_json(docs(workload, service("agent")))
    assert doc["exposure"]["DaemonSet/shop/agent"] == "node"
    assert doc["exposure"]["Service/shop/agent"] == "cluster"
    [entry] = doc["entrypoints"]
    assert entry["via"] == "DaemonSet/shop/agent" and entry["kind"] == "host-port"


def test_exposure_has_an_entry_for_every_service_and_workload(graph_json):
    doc = graph_json(docs(INGRESS, service("web"), deployment("web"), deployment("lonely")))
    ids = {n["id"] for n in doc["nodes"] if n["kind"] in ("Service", "Deployment")}
    assert set(doc["exposure"]) == ids


# --- entry points --------------------------------------------------------------

def test_entry_points_of_ingress_load_balancer_and_node_port(graph_json):
    web = service("web", "selector: {app: web}\n  ports: [{name: http, port: 80, targetPort: http}]")
    doc = graph_json(docs(
        INGRESS, web, deployment("web"), service("fallback"),
        lb(), service("np", "type: NodePort\n  ports: [{port: 80, nodePort: 30080}, {port: 81}]"),
    ))
    entries = [(e["via"], e["kind"], e.get("host"), e.get("path"), e["service"], e.get("port"), e.get("nodePort"))
               for e in doc["entrypoints"]]
    assert entries == [
        ("Ingress/shop/web", "ingress", None, None, "Service/shop/fallback", 80, None),
        ("Ingress/shop/web", "ingress", "shop.example.com", "/", "Service/shop/web", 80, None),
        ("Service/shop/lb", "loadbalancer", None, None, "Service/shop/lb", 443, None),
        ("Service/shop/np", "nodeport", None, None, "Service/shop/np", 80, 30080),
        ("Service/shop/np", "nodeport", None, None, "Service/shop/np", 81, None),
    ]
    web = next(e for e in doc["entrypoints"] if e["service"] == "Service/shop/web")
    assert web["workloads"] == ["Deployment/shop/web"] and web["exposure"] == "internet"


def test_route_entry_points_one_per_hostname_and_path_and_slash_without_matches(graph_json):
    route = ROUTE.replace("  hostnames: [a.example.com, b.example.com]\n", "")
    doc = graph_json(docs(route, service("web"), service("web", ns="other"), GRANT))
    entries = sorted((e["service"], e.get("host"), e["path"]) for e in doc["entrypoints"])
    assert entries == [("Service/other/web", None, "/"), ("Service/shop/web", None, "/store")]
    assert all("host" not in e for e in doc["entrypoints"])
    assert doc["entrypoints"][0]["gateways"] == ["Gateway/infra/shared"]


# --- patterns ------------------------------------------------------------------

def test_patterns_list_their_services(graph_json):
    statefulset = ("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: shop}\nspec:\n"
                   "  serviceName: db\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: c}]}\n")
    doc = graph_json(docs(
        INGRESS, service("web"), service("fallback"), service("internal"),
        lb(), service("np", "type: NodePort\n  ports: [{port: 80}]"),
        service("ext", "type: ExternalName\n  externalName: x.example.com"),
        service("db", "clusterIP: None\n  selector: {app: db}\n  ports: [{port: 5432}]"), statefulset,
    ))
    patterns = {p["id"]: p["services"] for p in doc["patterns"]}
    assert patterns == {
        "direct-loadbalancer": ["Service/shop/lb"],
        "external-dependency": ["Service/shop/ext"],
        "headless-stateful": ["Service/shop/db"],
        "ingress-pattern": ["Service/shop/fallback", "Service/shop/web"],
        "internal-microservices": ["Service/shop/db", "Service/shop/internal"],
        "nodeport-exposure": ["Service/shop/np"],
    }
