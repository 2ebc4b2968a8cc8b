"""A panel of popular public projects, their own manifests unchanged
(tests/fixtures/<name>/SOURCE.txt says where each comes from).

On each, `svcdocs check --fail-on error` exits 0 wherever a person reading the
manifests finds no real error; every true finding that matters is asserted,
with its severity. Sample collections (CloudNativePG, ECK, Strimzi, Knative,
Bookinfo's variants) are checked one file at a time, or with the files they
are meant to be applied with: together, their alternative versions of one
object would be duplicates, which `duplicate-object` rightly reports.
"""

from __future__ import annotations

import json

import pytest

from conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"



def check(cli, monkeypatch, *paths: str) -> tuple[int, list[dict]]:
    monkeypatch.chdir(FIXTURES)
    result = cli("check", "--format", "json", "--fail-on", "error", *paths)
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)["findings"]


def found(findings: list[dict], *rules: str) -> set[tuple[str, str, str]]:
    return {(f["rule"], f["severity"], f["object"]) for f in findings if not rules or f["rule"] in rules}


def each_file(project: str) -> list[str]:
    files = sorted(str(p.relative_to(FIXTURES)) for p in (FIXTURES / project).rglob("*.y*ml"))
    return [f for f in files if not f.endswith("kustomization.yaml")]


PANEL = ("bank-of-anthos", "cert-manager", "cloudnative-pg", "eck", "emojivoto", "ingress-nginx", "istio-bookinfo",
         "knative-serving-samples", "kube-prometheus", "microservices-demo", "strimzi")


def test_every_project_says_where_it_comes_from():
    for project in PANEL:
        source = (FIXTURES / project / "SOURCE.txt").read_text(encoding="utf-8")
        assert "repository: https://github.com/" in source and "commit: " in source, project


def test_every_copied_fixture_names_its_repository_and_commit():
    """The panel's and the other tests' fixtures alike; those written here say so in a README."""
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        if (folder / "SOURCE.txt").is_file():
            source = (folder / "SOURCE.txt").read_text(encoding="utf-8").lower()
            assert "repository: https://github.com/" in source and "commit:" in source, folder.name
        else:
            assert "written for svcdocs" in (folder / "README.md").read_text(encoding="utf-8"), folder.name


# --- Projects applied as a whole -------------------------------------------------

def test_cert_manager(cli, monkeypatch):
    code, findings = check(cli, monkeypatch, "cert-manager")
    assert code == 0
    # The controller and the CA injector serve their metrics Services without a readiness probe.
    assert found(findings, "missing-readiness-probe") == {
        ("missing-readiness-probe", "warning", "Deployment/cert-manager/cert-manager"),
        ("missing-readiness-probe", "warning", "Deployment/cert-manager/cert-manager-cainjector"),
    }
    assert {f["rule"] for f in findings} == {"missing-readiness-probe", "no-network-policy"}


@pytest.mark.parametrize("provider", ["aws", "aws/nlb-with-tls-termination", "baremetal", "cloud", "do", "exoscale",
                                      "kind", "oracle", "scw"])
def test_ingress_nginx_static_deploy_files(cli, monkeypatch, provider):
    code, findings = check(cli, monkeypatch, f"ingress-nginx/{provider}/deploy.yaml")
    assert code == 0
    controller = "DaemonSet" if provider == "exoscale" else "Deployment"
    # The probes check /healthz on 10254, which the container does not list: fine, and only info.
    assert found(findings, "probe-port-mismatch") == {
        ("probe-port-mismatch", "info", f"{controller}/ingress-nginx/ingress-nginx-controller")}
    assert not found(findings, "dangling-service", "unresolved-target-port", "missing-readiness-probe")
    service = "Service/ingress-nginx/ingress-nginx-controller"
    if provider == "baremetal":
        assert ("nodeport-service", "warning", service) in found(findings)
    else:
        assert ("loadbalancer-open-to-world", "info", service) in found(findings)
    if provider == "kind":  # kind maps the controller's hostPorts 80 and 443 to the host
        assert [f["line"] for f in findings if f["rule"] == "host-port"] == [465, 469]


def test_istio_bookinfo(cli, monkeypatch):
    code, findings = check(cli, monkeypatch, "istio-bookinfo/bookinfo.yaml")
    assert code == 0
    assert len(found(findings, "missing-readiness-probe")) == 6  # no container of Bookinfo has one
    assert not found(findings, "dangling-service", "unresolved-target-port")


@pytest.mark.parametrize("extra", [
    "bookinfo-versions.yaml", "bookinfo-ingress.yaml", "bookinfo-certificate.yaml", "bookinfo-details-v2.yaml",
    "bookinfo-db.yaml bookinfo-ratings-v2.yaml", "bookinfo-mysql.yaml bookinfo-ratings-v2-mysql.yaml",
    "bookinfo-ratings-v2-mysql-vm.yaml",
])
def test_istio_bookinfo_with_its_additions(cli, monkeypatch, extra):
    code, findings = check(cli, monkeypatch, "istio-bookinfo/bookinfo.yaml",
                           *(f"istio-bookinfo/{name}" for name in extra.split()))
    assert code == 0 and not found(findings, "dangling-service", "dangling-ingress-backend")


@pytest.mark.parametrize("variant", ["bookinfo-psa.yaml", "bookinfo-dualstack.yaml"])
def test_istio_bookinfo_variants_alone(cli, monkeypatch, variant):
    code, findings = check(cli, monkeypatch, f"istio-bookinfo/{variant}")
    assert code == 0 and not found(findings, "dangling-service", "unresolved-target-port")


@pytest.mark.parametrize("replacement, kind", [("productpage-nodeport.yaml", "Service/default/productpage"),
                                               ("bookinfo-reviews-v2.yaml", "Deployment/default/reviews-v2")])
def test_istio_bookinfo_replacements_applied_with_it_define_an_object_twice(cli, monkeypatch, replacement, kind):
    code, findings = check(cli, monkeypatch, "istio-bookinfo/bookinfo.yaml", f"istio-bookinfo/{replacement}")
    assert code == 1 and found(findings, "duplicate-object") == {("duplicate-object", "error", kind)}


@pytest.mark.parametrize("variant", ["deployment", "daemonset", "job", "tracing"])
def test_emojivoto_kustomizations(cli, monkeypatch, variant):
    code, findings = check(cli, monkeypatch, f"emojivoto/{variant}")
    assert code == 0
    kind = {"deployment": "Deployment", "daemonset": "DaemonSet", "job": "Job", "tracing": "Deployment"}[variant]
    assert found(findings, "missing-readiness-probe") == {
        ("missing-readiness-probe", "warning", f"{kind}/emojivoto/{name}") for name in ("emoji", "voting", "web")}
    # vote-bot calls the web Service and listens on nothing: no NetworkPolicy finding for it.
    assert {f["object"] for f in findings if f["rule"] == "no-network-policy"} == {
        f"{kind}/emojivoto/{name}" for name in ("emoji", "voting", "web")}
    # Findings point at the files the kustomization reads, never at the render.
    assert {f["file"] for f in findings} == {f"emojivoto/deployment/{n}.yml" for n in ("emoji", "voting", "web")}


def test_emojivoto_statefulset_variant_does_not_build_with_kustomize_5(cli, monkeypatch):
    monkeypatch.chdir(FIXTURES)
    result = cli("check", "emojivoto/statefulset")
    assert result.exit_code == 2
    assert result.stderr.startswith("svcdocs: emojivoto/statefulset: `") and "patches" in result.stderr
    assert "svcdocs-origin-" not in result.stderr, "the error names the user's folder, not the wrapper"


def test_microservices_demo(cli, monkeypatch):
    code, findings = check(cli, monkeypatch, "microservices-demo")
    assert code == 0
    assert found(findings, "loadbalancer-open-to-world") == {
        ("loadbalancer-open-to-world", "info", "Service/default/frontend-external")}
    assert {f["rule"] for f in findings} == {"loadbalancer-open-to-world", "no-network-policy"}


def test_bank_of_anthos(cli, monkeypatch):
    code, findings = check(cli, monkeypatch, "bank-of-anthos")
    assert code == 0
    # Both databases name a ClusterIP Service as their serviceName: no per-pod DNS names.
    assert found(findings, "statefulset-service-name", "missing-readiness-probe") == {
        ("statefulset-service-name", "warning", "StatefulSet/default/accounts-db"),
        ("statefulset-service-name", "warning", "StatefulSet/default/ledger-db"),
        ("missing-readiness-probe", "warning", "StatefulSet/default/accounts-db"),
        ("missing-readiness-probe", "warning", "StatefulSet/default/ledger-db"),
    }
    assert not found(findings, "sensitive-port-exposed", "dangling-service")


def test_kube_prometheus(cli, monkeypatch):
    """prometheus-operator's Prometheus and Alertmanager make the pods that
    prometheus-k8s and alertmanager-main select, and their NetworkPolicies isolate."""
    code, findings = check(cli, monkeypatch, "kube-prometheus")
    assert code == 0
    assert not found(findings, "dangling-service", "unresolved-target-port", "dangling-network-policy",
                     "no-network-policy")
    assert ("host-network", "warning", "DaemonSet/monitoring/node-exporter") in found(findings)
    monkeypatch.chdir(FIXTURES)
    graph = json.loads(cli("graph", "kube-prometheus").stdout)
    edges = {(e["from"], e["to"], e["kind"]) for e in graph["edges"]}
    assert ("Service/monitoring/prometheus-k8s", "Prometheus/monitoring/k8s", "selects") in edges
    assert ("Service/monitoring/alertmanager-main", "Alertmanager/monitoring/main", "selects") in edges
    assert ("NetworkPolicy/monitoring/prometheus-k8s", "Prometheus/monitoring/k8s", "isolates") in edges


# --- Sample collections, one file at a time ---------------------------------------

@pytest.mark.parametrize("path", each_file("cloudnative-pg"))
def test_cloudnative_pg_samples(cli, monkeypatch, path):
    code, findings = check(cli, monkeypatch, path)
    if path == "cloudnative-pg/cluster-expose-service.yaml":
        return  # applied with ingress-nginx and a Cluster: see below
    assert code == 0, findings
    if path == "cloudnative-pg/networkpolicy-example.yaml":  # alone, the Cluster it protects is missing
        assert found(findings) == {("dangling-network-policy", "warning", "NetworkPolicy/default/allow-operator")}
    else:
        assert found(findings) <= {("no-network-policy", "warning", f["object"]) for f in findings}


def test_cloudnative_pg_network_policy_with_its_cluster(cli, monkeypatch):
    code, findings = check(cli, monkeypatch, "cloudnative-pg/cluster-example.yaml",
                           "cloudnative-pg/networkpolicy-example.yaml")
    assert code == 0 and not findings  # the policy isolates the Cluster's pods


def test_cloudnative_pg_exposed_through_ingress_nginx_is_postgres_on_the_internet(cli, monkeypatch):
    """The documented way to expose a Cluster: ingress-nginx's TCP services
    forward a port of its public LoadBalancer to PostgreSQL."""
    code, findings = check(cli, monkeypatch, "ingress-nginx/cloud/deploy.yaml", "cloudnative-pg/cluster-example.yaml",
                           "cloudnative-pg/cluster-expose-service.yaml")
    assert code == 1
    assert found(findings, "sensitive-port-exposed") == {
        ("sensitive-port-exposed", "error", "Service/ingress-nginx/ingress-nginx")}
    assert not found(findings, "dangling-service")


@pytest.mark.parametrize("path", each_file("eck"))
def test_eck_samples(cli, monkeypatch, path):
    code, findings = check(cli, monkeypatch, path)
    assert code == 0
    assert {f["rule"] for f in findings} <= {"no-network-policy"}


def test_eck_logstash_service_selects_the_logstash_pods(cli, monkeypatch):
    monkeypatch.chdir(FIXTURES)
    graph = json.loads(cli("graph", "eck/logstash/logstash_svc.yaml").stdout)
    workloads = {n["id"]: n for n in graph["nodes"] if n.get("operator")}
    assert set(workloads) == {"Elasticsearch/default/elasticsearch-sample", "Logstash/default/logstash-sample"}


@pytest.mark.parametrize("path", each_file("strimzi"))
def test_strimzi_examples(cli, monkeypatch, path):
    code, findings = check(cli, monkeypatch, path)
    assert code == 0
    allowed = {"no-network-policy"}
    if path == "strimzi/metrics/kube-state-metrics/ksm.yaml":  # readiness on 8081, which the container does not list
        assert found(findings, "probe-port-mismatch") == {
            ("probe-port-mismatch", "info", "Deployment/default/strimzi-kube-state-metrics")}
        allowed.add("probe-port-mismatch")
    assert {f["rule"] for f in findings} <= allowed


def test_strimzi_alertmanager_service_selects_the_alertmanager(cli, monkeypatch):
    monkeypatch.chdir(FIXTURES)
    graph = json.loads(cli("graph", "strimzi/metrics/prometheus-install").stdout)
    assert {"from": "Service/default/alertmanager", "to": "Alertmanager/default/alertmanager", "kind": "selects",
            "ports": [{"port": 9093, "targetPort": 9093, "containerPort": 9093}]} in graph["edges"]


@pytest.mark.parametrize("path", each_file("knative-serving-samples"))
def test_knative_serving_samples(cli, monkeypatch, path):
    monkeypatch.chdir(FIXTURES)
    result = cli("check", "--format", "json", path)
    if result.exit_code == 2:  # a file of Secrets or other kinds only: no manifest svcdocs models
        assert "no Kubernetes manifests found" in result.stderr
        return
    findings = json.loads(result.stdout)["findings"]
    if path == "knative-serving-samples/tag-header-based-routing/sample.yaml":
        # The tutorial's two steps in one file: the second Service replaces the first.
        assert result.exit_code == 1
        assert found(findings, "duplicate-object") == {
            ("duplicate-object", "error", "Service.serving.knative.dev/default/tag-header")}
        findings = [f for f in findings if f["rule"] != "duplicate-object"]
    else:
        assert result.exit_code == 0
    # A Knative Service is a workload too: nothing in the samples isolates its pods.
    assert {f["rule"] for f in findings} <= {"no-network-policy"}


def test_the_panel_is_what_the_issue_names():
    assert set(PANEL) >= {
        "cert-manager", "ingress-nginx", "istio-bookinfo", "emojivoto", "knative-serving-samples",
        "microservices-demo", "bank-of-anthos", "cloudnative-pg", "eck", "strimzi"}


def test_fixtures_are_only_manifests():
    for project in PANEL:
        for path in (FIXTURES / project).rglob("*"):
            if path.is_file():
                assert path.suffix in (".yaml", ".yml") or path.name == "SOURCE.txt", path
