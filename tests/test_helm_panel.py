"""Real repositories that deploy through Helm, rendered with a real helm and
checked by hand against their files (each fixture's SOURCE.txt says where it
comes from). The charts they use are real ones served on 127.0.0.1
(tests/helm_servers.py): their chart URLs are pointed there in a copy.

- home-ops-flux (onedr0p/home-ops): a Flux home lab. Flux Kustomizations
  per app with postBuild substitution; HelmReleases whose chartRef is the
  OCIRepository app-template (oci://ghcr.io/bjw-s-labs/helm/app-template,
  tag 4.1.1), which a component adds to every namespace.
- argocd-multi-sources (kostis-codefresh/multi-sources-example): Argo CD
  multi-source Applications; the chart from the repository, values from it
  through `ref: values` and `$values/...`, in five layers.
- home-ops-kustomize-helm (swibrow/home-ops): Argo CD ApplicationSets of
  kustomizations whose `helmCharts` inflate app-template 4.1.1.
"""

from __future__ import annotations

import pytest

from conftest import ROOT
from helm_servers import chart_servers, copy_fixture, needs_helm  # noqa: F401 (a fixture)
from svcdocs.config import Config
from svcdocs.load import LoadOptions
from svcdocs.load.environments import EnvironmentOptions
from svcdocs.pipeline import reports_for_paths

pytestmark = needs_helm
FIXTURES = ROOT / "tests" / "fixtures"
HELM = EnvironmentOptions(render=LoadOptions(render=frozenset({"kustomize", "helm"}), allow_remote=True))


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SVCDOCS_CACHE_DIR", str(tmp_path / "cache"))


def _entries(report) -> list[tuple]:
    return sorted((e.via, e.host or "", e.service, e.port, e.level) for e in report.analysis.entrypoints)


def test_a_flux_home_lab_with_chart_ref_and_post_build_substitution(tmp_path, cache, chart_servers, monkeypatch):
    chart_servers.needs_registry()
    registry = "  insecure: true\n  url: oci://{oci}/bjw-s-labs/helm/app-template"
    monkeypatch.chdir(copy_fixture(FIXTURES / "home-ops-flux", tmp_path / "repo", chart_servers,
                                   {"  url: oci://ghcr.io/bjw-s-labs/helm/app-template": registry}))
    found = reports_for_paths(["."], Config(), options=HELM)
    # One cluster (kubernetes/flux/cluster): each app a Flux Kustomization and its HelmRelease.
    (cluster, report), = found.reports
    assert cluster.name == "cluster"
    assert [(a.kind, a.name, a.namespace, a.version) for a in cluster.apps if a.kind == "HelmRelease"] == [
        ("HelmRelease", "atuin", "default", "4.1.1"), ("HelmRelease", "cloudflare-tunnel", "network", "4.1.1"),
        ("HelmRelease", "gatus", "observability", "4.1.1")]
    # Each app's HelmRelease: chartRef to the OCIRepository app-template, tag 4.1.1, in its
    # Flux Kustomization's targetNamespace.
    for release in cluster.releases:
        assert (release.chart, release.version, release.status) == ("app-template", "4.1.1", "rendered")
        assert release.source == f"oci://{chart_servers.oci}/bjw-s-labs/helm/app-template"
    assert [r.namespace for r in cluster.releases] == ["default", "network", "observability"]
    entries = _entries(report)
    # atuin: route.app with hostnames "{{ .Release.Name }}.devbu.io" and sh.devbu.io on the Gateway
    # internal, service.app port 80 (its ATUIN_PORT anchor).
    assert [e for e in entries if "/default/" in e[0]] == [
        ("HTTPRoute/default/atuin", "atuin.devbu.io", "Service/default/atuin", 80, "internet"),
        ("HTTPRoute/default/atuin", "sh.devbu.io", "Service/default/atuin", 80, "internet")]
    assert [e for e in entries if "/observability/" in e[0]] == [
        ("HTTPRoute/observability/gatus", "gatus.devbu.io", "Service/observability/gatus", 80, "internet"),
        ("HTTPRoute/observability/gatus", "status.devbu.io", "Service/observability/gatus", 80, "internet")]
    # cloudflare-tunnel: a Service on 8080 and no route; its DNSEndpoint's ${CLOUDFLARE_TUNNEL_ID}
    # comes from a Secret that only the cluster has (an ExternalSecret makes it): named, empty.
    # gatus's config has ${WEB_PORT}, in a ConfigMap whose generator says substitute: disabled: not named.
    assert [e for e in entries if "/network/" in e[0]] == []
    assert {s.id for s in report.model.services if s.namespace == "network"} == {"Service/network/cloudflare-tunnel"}
    assert [str(u) for u in cluster.unset] == [
        "kubernetes/apps/network/cloudflare-tunnel/app/dnsendpoint.yaml:11: ${CLOUDFLARE_TUNNEL_ID} has no value "
        "in Flux Kustomization network/cloudflare-tunnel (Flux makes it empty)"]
    # The objects of the chart point at its template (app-template renders all in templates/common.yaml).
    service = next(s for s in report.model.services if s.name == "atuin")
    assert (service.file, service.line) == ("app-template@4.1.1: templates/common.yaml", 1)


def test_an_argo_cd_multi_source_application(tmp_path, cache, monkeypatch):
    monkeypatch.chdir(FIXTURES / "argocd-multi-sources")
    found = reports_for_paths(["."], Config(), options=HELM)
    # three Applications of one chart, each to its namespace of the one cluster: one environment, three apps
    (environment, report), = found.reports
    assert environment.name == "in-cluster"
    assert sorted((a.name, a.namespace) for a in environment.apps) == [
        ("prod-us-app", "prod-us"), ("qa-app", "qa"), ("staging-eu-app", "staging-eu")]
    assert sorted(r.namespace for r in environment.releases) == ["prod-us", "qa", "staging-eu"]
    for release in environment.releases:
        assert (release.chart, release.version, release.source) == ("my-chart", "0.1.0", "my-chart")
    assert {o.id for o in report.model.services} == {
        f"Service/{namespace}/simple-service" for namespace in ("prod-us", "qa", "staging-eu")}
    assert {w.id: report.analysis.level(w.id) for w in report.model.workloads} == {
        f"Deployment/{namespace}/simple-deployment": "cluster" for namespace in ("prod-us", "qa", "staging-eu")}
    # The layers differ in these keys (common, app version, env type, region, environment):
    # replicaCount 3/10/3, imageVersion 3.0/1.0/2.0, and the rest of env-type, region and environment.
    from svcdocs.render.site.releases import compare_releases
    (row,) = compare_releases([(r,) for r in environment.releases])
    assert row["keys"] == ["dbPassword", "dbUser", "environment", "environmentType", "imageVersion", "paypalUrl",
                           "region", "replicaCount", "sorting"]
    assert all(c["version"] == "0.1.0" for c in row["cells"])


def test_kustomize_helm_charts_of_an_argo_cd_home_lab(tmp_path, cache, chart_servers, monkeypatch):
    monkeypatch.chdir(copy_fixture(FIXTURES / "home-ops-kustomize-helm", tmp_path / "repo", chart_servers,
                                   {"repo: oci://ghcr.io/bjw-s-labs/helm": "repo: {http}"}))
    found = reports_for_paths(["."], Config(), options=HELM)
    # Two ApplicationSets' Applications, both to the cluster Argo CD runs in: one environment, two apps.
    (cluster, report), = found.reports
    assert cluster.name == "in-cluster"
    assert [(a.name, a.path, a.namespace) for a in cluster.apps] == [
        ("home-automation-mosquitto", "pitower/kubernetes/apps/home-automation/mosquitto", "home-automation"),
        ("media-jellyfin", "pitower/kubernetes/apps/media/jellyfin", "media")]
    # mosquitto: service.app type LoadBalancer (a Cilium LB IPAM address, no internal annotation), port 1883.
    # jellyfin: LoadBalancer on 8096, and the Ingress jellyfin.pitower.link (class external) to it.
    assert _entries(report) == [
        ("Ingress/media/jellyfin", "jellyfin.pitower.link", "Service/media/jellyfin", 8096, "internet"),
        ("Service/home-automation/mosquitto", "", "Service/home-automation/mosquitto", 1883, "internet"),
        ("Service/media/jellyfin", "", "Service/media/jellyfin", 8096, "internet")]
    assert cluster.pointed_by == ("ApplicationSet argocd/home-automation (home-automation-mosquitto)",
                                  "ApplicationSet argocd/media (media-jellyfin)")
    assert not any((tmp_path / "repo").rglob("app-template*"))  # kustomize's chart home stayed empty
