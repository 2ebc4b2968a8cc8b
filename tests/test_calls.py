"""Calls between workloads, read as a person reading the manifests would draw
them: a panel of public demo apps with known calls (their manifests unchanged,
tests/fixtures/<name>/SOURCE.txt), and the ways a variable, an argument or a
ConfigMap names a Service, or names the workload itself."""

from __future__ import annotations

from pathlib import Path

from svcdocs.config import Config
from svcdocs.pipeline import report_for_paths
from svcdocs.render.graph_json import graph_document

from test_graph import docs

FIXTURES = Path(__file__).parent / "fixtures"


def calls(*paths: str) -> dict[tuple[str, str], list[str]]:
    doc = graph_document(report_for_paths([str(FIXTURES / p) for p in paths], Config()))
    return {(e["from"], e["to"]): e["env"] for e in doc["edges"] if e["kind"] == "calls"}


def short(found: dict[tuple[str, str], list[str]]) -> set[tuple[str, str]]:
    return {(a.rsplit("/", 1)[1], b.rsplit("/", 1)[1]) for a, b in found}


def test_bank_of_anthos_calls_through_its_config_maps():
    """Its frontend finds the five backends in `service-api-config` (envFrom);
    the Java services their database in `ledger-db-config`; the Python ones
    theirs in `accounts-db-config`. A database that imports its own config
    map (POSTGRES_DB, the URI) does not call itself."""
    found = calls("bank-of-anthos")
    assert short(found) == {
        ("frontend", "balancereader"), ("frontend", "contacts"), ("frontend", "ledgerwriter"),
        ("frontend", "transactionhistory"), ("frontend", "userservice"),
        ("ledgerwriter", "balancereader"), ("ledgerwriter", "contacts"), ("ledgerwriter", "transactionhistory"),
        ("ledgerwriter", "userservice"), ("ledgerwriter", "ledger-db"),
        ("balancereader", "ledger-db"), ("transactionhistory", "ledger-db"),
        ("userservice", "accounts-db"), ("contacts", "accounts-db"),
        ("loadgenerator", "frontend")}
    assert found[("Deployment/default/frontend", "Service/default/userservice")] == ["USERSERVICE_API_ADDR"]
    assert found[("Deployment/default/balancereader", "Service/default/ledger-db")] == ["SPRING_DATASOURCE_URL"]


def test_podinfo_frontend_calls_its_backend_through_an_argument():
    assert calls("podinfo/deploy/webapp") == {
        ("Deployment/webapp/frontend", "Service/webapp/backend"): ["--backend-url"]}
    assert short(calls("podinfo/deploy/bases")) == {
        ("frontend", "backend"), ("frontend", "cache"), ("backend", "cache")}


def test_online_boutique_calls():
    found = short(calls("microservices-demo/kubernetes-manifests.yaml"))
    frontend = {"adservice", "cartservice", "checkoutservice", "currencyservice", "productcatalogservice",
                "recommendationservice", "shippingservice"}
    checkout = {"cartservice", "currencyservice", "emailservice", "paymentservice", "productcatalogservice",
                "shippingservice"}
    assert found == ({("frontend", s) for s in frontend} | {("checkoutservice", s) for s in checkout}
                     | {("recommendationservice", "productcatalogservice"), ("cartservice", "redis-cart"),
                        ("loadgenerator", "frontend")})


def test_no_demo_calls_itself():
    for paths in (("bank-of-anthos",), ("podinfo/deploy/webapp",), ("podinfo/deploy/bases",),
                  ("microservices-demo/kubernetes-manifests.yaml",)):
        assert not [(a, b) for a, b in short(calls(*paths)) if a == b], paths


APP = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: checkout, namespace: shop}
spec:
  template:
    metadata: {labels: {app: checkout}}
    spec:
      containers:
        - name: checkout
          image: shop/checkout:1
          command: [/app, --listen=0.0.0.0:8080, --config=/etc/app.yaml, --payments=payments:9000, worker]
          args: [--cart-url, "http://cart.shop.svc.cluster.local/api"]
          env:
            - {name: OTEL_SERVICE_NAME, value: checkout}
            - {name: DD_SERVICE_NAME, value: checkout}
            - {name: MODE, value: orders}
            - {name: DATABASE_URL, value: "jdbc:postgresql://orders:5432/orders"}
          envFrom:
            - configMapRef: {name: endpoints}
              prefix: SHOP_
"""
SERVICES = "".join(f"""---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: shop}}
spec: {{selector: {{app: {name}}}, ports: [{{port: 80}}]}}
""" for name in ("checkout", "payments", "cart", "orders", "worker", "email"))
CONFIG = """---
apiVersion: v1
kind: ConfigMap
metadata: {name: endpoints, namespace: shop}
data:
  EMAIL_ADDR: email:25
  SELF_ADDR: http://checkout/health
"""


def test_calls_from_env_args_command_and_config_maps_but_never_to_itself(graph_json):
    doc = graph_json(APP + SERVICES + CONFIG)
    assert {(e["to"], tuple(e["env"])) for e in doc["edges"] if e["kind"] == "calls"} == {
        ("Service/shop/payments", ("--payments",)),
        ("Service/shop/cart", ("--cart-url",)),
        ("Service/shop/orders", ("DATABASE_URL", "MODE")),  # a variable's bare value names a Service, as ever
        ("Service/shop/email", ("SHOP_EMAIL_ADDR",)),
    }  # `worker`, a bare word of the command, is no address; OTEL_SERVICE_NAME and SELF_ADDR name itself


def test_a_config_map_value_is_never_output(cli, tmp_path):
    (tmp_path / "app.yaml").write_text(APP + SERVICES + CONFIG.replace("email:25", "email:25 SVCDOCS-SENTINEL"),
                                       encoding="utf-8")
    for args in (("graph", "--format", "json"), ("graph", "--format", "dot"), ("check", "--format", "json")):
        assert "SVCDOCS-SENTINEL" not in cli(*args, tmp_path).stdout
