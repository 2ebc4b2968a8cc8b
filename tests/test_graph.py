"""Each edge kind of the graph, built from small manifests."""

from __future__ import annotations

import pytest

from conftest import edges_of

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}}}
spec:
  template:
    metadata:
      labels: {labels}
    spec:
      containers:
      - name: main
        ports:
        - {{name: http, containerPort: 8080}}
        - {{containerPort: 9090}}
"""


def deployment(name: str, labels: str = "", ns: str = "shop") -> str:
    return DEPLOYMENT.format(name=name, ns=ns, labels=labels or f"{{app: {name}}}")


def service(name: str, spec: str = "", ns: str = "shop") -> str:
    spec = spec or f"selector: {{app: {name}}}\n  ports: [{{port: 80, targetPort: http}}]"
    return f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  {spec}\n"


def docs(*parts: str) -> str:
    return "---\n".join(parts)


def test_selects_maps_port_to_target_port_to_container_port(graph_json):
    doc = graph_json(docs(
        deployment("web"),
        service("web", "selector: {app: web}\n  ports:\n  - {port: 80, targetPort: http}\n"
                       "  - {port: 90, targetPort: 9090}\n  - {port: 91, targetPort: grpc}\n  - {port: 8080}"),
    ))
    [edge] = [e for e in doc["edges"] if e["kind"] == "selects"]
    assert (edge["from"], edge["to"]) == ("Service/shop/web", "Deployment/shop/web")
    assert edge["ports"] == [
        {"port": 80, "targetPort": "http", "containerPort": 8080},
        {"port": 90, "targetPort": 9090, "containerPort": 9090},
        {"port": 91, "targetPort": "grpc"},
        {"port": 8080, "targetPort": 8080, "containerPort": 8080},
    ]


def test_selects_needs_every_selector_pair_in_the_same_namespace(graph_json):
    doc = graph_json(docs(
        deployment("a", "{app: shop, tier: web}"),
        deployment("b", "{app: shop, tier: api}"),
        deployment("c", "{app: shop, tier: web}", ns="other"),
        service("web", "selector: {app: shop, tier: web}\n  ports: [{port: 80}]"),
        service("all", "selector: {app: shop}\n  ports: [{port: 80}]"),
        service("none", "ports: [{port: 80}]"),
        service("empty", "selector: {}\n  ports: [{port: 80}]"),
    ))
    assert sorted(edges_of(doc, "selects")) == [
        ("Service/shop/all", "Deployment/shop/a"),
        ("Service/shop/all", "Deployment/shop/b"),
        ("Service/shop/web", "Deployment/shop/a"),
    ]


@pytest.mark.parametrize("kind, template", [
    ("StatefulSet", "spec:\n  serviceName: w\n  template:\n    metadata: {labels: {app: w}}\n    spec: {containers: [{name: c}]}\n"),
    ("DaemonSet", "spec:\n  template:\n    metadata: {labels: {app: w}}\n    spec: {containers: [{name: c}]}\n"),
    ("ReplicaSet", "spec:\n  template:\n    metadata: {labels: {app: w}}\n    spec: {containers: [{name: c}]}\n"),
    ("ReplicationController", "spec:\n  template:\n    metadata: {labels: {app: w}}\n    spec: {containers: [{name: c}]}\n"),
    ("Job", "spec:\n  template:\n    metadata: {labels: {app: w}}\n    spec: {containers: [{name: c}]}\n"),
    ("CronJob", "spec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n"
                "        metadata: {labels: {app: w}}\n        spec: {containers: [{name: c}]}\n"),
])
def test_every_workload_kind_is_selected_through_its_pod_template(graph_json, kind, template):
    api = {"Job": "batch/v1", "CronJob": "batch/v1", "ReplicationController": "v1"}.get(kind, "apps/v1")
    workload = f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: w, namespace: shop}}\n{template}"
    doc = graph_json(docs(workload, service("w", "selector: {app: w}\n  ports: [{port: 80}]")))
    assert edges_of(doc, "selects") == [("Service/shop/w", f"{kind}/shop/w")]


def test_a_pod_is_selected_through_its_own_labels(graph_json):
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop, labels: {app: p}}\nspec: {containers: [{name: c}]}\n"
    doc = graph_json(docs(pod, service("p", "selector: {app: p}\n  ports: [{port: 80}]")))
    assert edges_of(doc, "selects") == [("Service/shop/p", "Pod/shop/p")]


INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  defaultBackend:
    service: {name: fallback, port: {number: 80}}
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: web, port: {name: http}}
      - path: /missing
        pathType: Prefix
        backend:
          service: {name: nowhere, port: {number: 80}}
"""


def test_routes_from_ingress_with_host_path_and_resolved_port(graph_json):
    web = service("web", "selector: {app: web}\n  ports: [{name: http, port: 8000, targetPort: http}]")
    doc = graph_json(docs(INGRESS, web, service("fallback")))
    routes = [e for e in doc["edges"] if e["kind"] == "routes"]
    assert routes == [
        {"from": "Ingress/shop/web", "to": "Service/shop/fallback", "kind": "routes", "port": 80},
        {"from": "Ingress/shop/web", "to": "Service/shop/web", "kind": "routes",
         "host": "shop.example.com", "path": "/", "port": 8000},
    ]


def test_routes_from_a_v1beta1_ingress(graph_json):
    ingress = """\
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: old, namespace: shop}
spec:
  backend: {serviceName: web, servicePort: 80}
  rules:
  - http:
      paths:
      - path: /api
        backend: {serviceName: web, servicePort: 80}
"""
    doc = graph_json(docs(ingress, service("web")))
    assert [(e["to"], e.get("path")) for e in doc["edges"] if e["kind"] == "routes"] == [
        ("Service/shop/web", None), ("Service/shop/web", "/api")]


ROUTE = """\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: store, namespace: shop}
spec:
  parentRefs:
  - name: shared
    namespace: infra
    sectionName: https
  hostnames: [a.example.com, b.example.com]
  rules:
  - matches:
    - path: {type: PathPrefix, value: /store}
    backendRefs:
    - {name: web, port: 80}
  - backendRefs:
    - {name: web, namespace: other, port: 8080}
"""


def test_attaches_to_a_gateway_that_is_not_in_the_input(graph_json):
    doc = graph_json(docs(ROUTE, service("web")))
    [attach] = [e for e in doc["edges"] if e["kind"] == "attaches"]
    assert attach == {"from": "HTTPRoute/shop/store", "to": "Gateway/infra/shared", "kind": "attaches", "listener": "https"}
    [gateway] = [n for n in doc["nodes"] if n["id"] == "Gateway/infra/shared"]
    assert gateway["declared"] is False


GRANT = """\
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: from-shop, namespace: other}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]
  to: [{group: "", kind: Service}]
"""


def test_routes_from_a_route_for_every_hostname_and_path(graph_json):
    doc = graph_json(docs(ROUTE, service("web"), service("web", ns="other"), GRANT))
    routes = sorted((e["to"], e["host"], e["path"], e["port"]) for e in doc["edges"] if e["kind"] == "routes")
    assert routes == [
        ("Service/other/web", "a.example.com", "/", 8080),
        ("Service/other/web", "b.example.com", "/", 8080),
        ("Service/shop/web", "a.example.com", "/store", 80),
        ("Service/shop/web", "b.example.com", "/store", 80),
    ]


def test_a_backend_in_another_namespace_carries_no_traffic_without_a_reference_grant(graph_json):
    for grant in ("", GRANT.replace("kind: HTTPRoute", "kind: GRPCRoute"), GRANT.replace("namespace: shop}", "namespace: dev}")):
        doc = graph_json(docs(ROUTE, service("web"), service("web", ns="other"), *([grant] if grant else [])))
        assert [e["to"] for e in doc["edges"] if e["kind"] == "routes"] == ["Service/shop/web"] * 2
        assert doc["exposure"]["Service/other/web"] == "cluster"
        [finding] = [f for f in doc["findings"] if f["rule"] == "dangling-ingress-backend"]
        assert finding["object"] == "HTTPRoute/shop/store" and "no ReferenceGrant in other" in finding["message"]


def test_grpc_and_tcp_routes(graph_json):
    grpc = """\
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: g, namespace: shop}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{method: {service: shop.Cart, method: Add}}]
    backendRefs: [{name: cart, port: 9000}]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: t, namespace: shop}
spec:
  parentRefs: [{name: gw}]
  rules:
  - backendRefs: [{name: db, port: 5432}]
"""
    doc = graph_json(docs(grpc, service("cart"), service("db")))
    routes = sorted((e["from"], e.get("path")) for e in doc["edges"] if e["kind"] == "routes")
    assert routes == [("GRPCRoute/shop/g", "/shop.Cart/Add"), ("TCPRoute/shop/t", None)]


def test_aliases_an_externalname_service_to_an_external_node(graph_json):
    doc = graph_json(service("db", "type: ExternalName\n  externalName: DB.Example.com."))
    assert edges_of(doc, "aliases") == [("Service/shop/db", "External/db.example.com")]
    assert {"id": "External/db.example.com", "kind": "External", "name": "db.example.com"} in doc["nodes"]


CALLER = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: caller, namespace: shop}}
spec:
  template:
    metadata: {{labels: {{app: caller}}}}
    spec:
      containers:
      - name: main
        env:
        - {{name: TARGET, value: "{value}"}}
"""


@pytest.mark.parametrize("value, target", [
    ("cart", "Service/shop/cart"),
    ("cart:8080", "Service/shop/cart"),
    ("http://cart", "Service/shop/cart"),
    ("redis.data", "Service/data/redis"),
    ("redis.data:6379", "Service/data/redis"),
    ("redis.data.svc", "Service/data/redis"),
    ("redis://user:pw@redis.data.svc.cluster.local:6379/0", "Service/data/redis"),
    ("kafka-0.redis.data.svc.cluster.local:9092", "Service/data/redis"),
    ("a.example.com,cart:80", "Service/shop/cart"),
])
def test_calls_when_an_env_value_names_a_service(graph_json, value, target):
    doc = graph_json(docs(CALLER.format(value=value), service("cart"), service("redis", ns="data")))
    [edge] = [e for e in doc["edges"] if e["kind"] == "calls"]
    assert (edge["from"], edge["to"], edge["env"]) == ("Deployment/shop/caller", target, ["TARGET"])


@pytest.mark.parametrize("value", ["info", "https://example.com", "carts", "/var/lib/cart", "CART", "cart.other"])
def test_no_call_when_the_value_names_no_service(graph_json, value):
    doc = graph_json(docs(CALLER.format(value=value), service("cart")))
    assert edges_of(doc, "calls") == []


def test_a_call_records_the_variable_name_never_the_value(graph_json):
    doc = graph_json(docs(CALLER.format(value="postgres://app:SENTINEL@cart:5432/db"), service("cart")))
    assert "SENTINEL" not in repr(doc)
    assert [e["env"] for e in doc["edges"] if e["kind"] == "calls"] == [["TARGET"]]


POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: p, namespace: shop}}
spec:
  podSelector: {selector}
"""


@pytest.mark.parametrize("selector, isolated", [
    ("{}", ["a", "b", "c"]),
    ("null", ["a", "b", "c"]),
    ("{matchLabels: {tier: web}}", ["a", "c"]),
    ("{matchExpressions: [{key: tier, operator: In, values: [api]}]}", ["b"]),
    ("{matchExpressions: [{key: tier, operator: NotIn, values: [api]}]}", ["a", "c"]),
    ("{matchExpressions: [{key: canary, operator: Exists}]}", ["c"]),
    ("{matchExpressions: [{key: canary, operator: DoesNotExist}]}", ["a", "b"]),
    ("{matchLabels: {tier: web}, matchExpressions: [{key: canary, operator: DoesNotExist}]}", ["a"]),
])
def test_isolates_honours_label_selectors(graph_json, selector, isolated):
    doc = graph_json(docs(
        POLICY.format(selector=selector),
        deployment("a", "{tier: web}"),
        deployment("b", "{tier: api}"),
        deployment("c", "{tier: web, canary: 'true'}"),
        deployment("d", "{tier: web}", ns="other"),
    ))
    assert edges_of(doc, "isolates") == [("NetworkPolicy/shop/p", f"Deployment/shop/{n}") for n in isolated]


def test_every_list_is_sorted_and_output_is_byte_identical(manifests):
    from svcdocs.render.graph_json import dumps, graph_document
    text = docs(INGRESS, service("web"), service("fallback"), deployment("web"), ROUTE)
    first = dumps(graph_document(manifests(text)))
    second = dumps(graph_document(manifests(text)))
    assert first == second
    import json
    doc = json.loads(first)
    assert [n["id"] for n in doc["nodes"]] == sorted(n["id"] for n in doc["nodes"])


def test_edges_are_capped_against_selectors_that_match_everything(graph_json, monkeypatch):
    from svcdocs.graph import build
    monkeypatch.setattr(build, "MAX_EDGES", 10)
    doc = graph_json(docs(*[deployment(f"w{i}", "{app: all}") for i in range(5)],
                          *[service(f"s{i}", "selector: {app: all}\n  ports: [{port: 80}]") for i in range(5)]))
    assert len(doc["edges"]) == 10
    assert doc["inputs"]["truncated"].startswith("more than 10 edges (a limit against hostile input")


def test_the_cap_is_reported_on_stderr(cli, tmp_path, monkeypatch):
    from svcdocs.graph import build
    monkeypatch.setattr(build, "MAX_EDGES", 3)
    (tmp_path / "m.yaml").write_text(docs(deployment("a", "{app: x}"), deployment("b", "{app: x}"),
                                          service("s", "selector: {app: x}\n  ports: [{port: 80}]"),
                                          service("t", "selector: {app: x}\n  ports: [{port: 80}]")))
    result = cli("graph", tmp_path)
    assert result.exit_code == 0
    assert "svcdocs: warning: more than 3 edges" in result.stderr


def _wide_route(hostnames: int, backends: int) -> str:
    hosts = "".join(f"  - h{i}.example.com\n" for i in range(hostnames))
    refs = "".join(f"    - {{name: s{i}, port: 80}}\n" for i in range(backends))
    return (f"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: wide, namespace: shop}}\n"
            f"spec:\n  parentRefs: [{{name: gw}}]\n  hostnames:\n{hosts}  rules:\n  - backendRefs:\n{refs}")


def test_a_route_with_thousands_of_hostnames_and_backends_stays_bounded(tmp_path):
    """2,400 hostnames x 2,400 backendRefs (about 100 KB) would be 5.76 million
    routes of a host to a backend: the graph keeps the first MAX_HOPS, says
    so, and the run stays within 10 s and 1 GiB (it once ran for minutes)."""
    import json
    import resource
    import subprocess
    import sys

    from svcdocs.graph import build

    route = tmp_path / "route.yaml"
    route.write_text(_wide_route(2400, 2400), encoding="utf-8")
    (tmp_path / "services.yaml").write_text(docs(*(service(f"s{i}", "ports: [{port: 80}]") for i in range(2400))),
                                            encoding="utf-8")

    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    done = subprocess.run([sys.executable, "-m", "svcdocs", "graph", str(tmp_path)], capture_output=True, text=True,
                          timeout=10, preexec_fn=limits, check=False)
    assert done.returncode == 0, done.stderr[-500:]
    assert f"more than {build.MAX_HOPS:,} routes" in done.stderr
    document = json.loads(done.stdout)
    assert document["inputs"]["truncated"].startswith(f"more than {build.MAX_HOPS:,} routes")
    assert len(document["entrypoints"]) == build.MAX_HOPS
    assert document["exposure"]["Service/shop/s0"] == "internet"
