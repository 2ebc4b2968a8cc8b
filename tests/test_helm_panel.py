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
    apps = {e.name: (e, r) for e, r in found.reports}
    atuin, atuin_report = apps["kubernetes/apps/default/atuin/app"]
    gatus, gatus_report = apps["kubernetes/apps/observability/gatus/app"]
    tunnel, tunnel_report = apps["kubernetes/apps/network/cloudflare-tunnel/app"]
    # Each app's HelmRelease: chartRef to the OCIRepository app-template, tag 4.1.1, in its
    # Flux Kustomization's targetNamespace.
    for environment in (atuin, gatus, tunnel):
        (release,) = environment.releases
        assert (release.chart, release.version, release.status) == ("app-template", "4.1.1", "rendered")
        assert release.source == f"oci://{chart_servers.oci}/bjw-s-labs/helm/app-template"
    assert [r.namespace for e in (atuin, gatus, tunnel) for r in e.releases] == ["default", "observability", "network"]
    # atuin: route.app with hostnames "{{ .Release.Name }}.devbu.io" and sh.devbu.io on the Gateway
    # internal, service.app port 80 (its ATUIN_PORT anchor).
    assert _entries(atuin_report) == [
        ("HTTPRoute/default/atuin", "atuin.devbu.io", "Service/default/atuin", 80, "internet"),
        ("HTTPRoute/default/atuin", "sh.devbu.io", "Service/default/atuin", 80, "internet")]
    assert _entries(gatus_report) == [
        ("HTTPRoute/observability/gatus", "gatus.devbu.io", "Service/observability/gatus", 80, "internet"),
        ("HTTPRoute/observability/gatus", "status.devbu.io", "Service/observability/gatus", 80, "internet")]
    # cloudflare-tunnel: a Service on 8080 and no route; its DNSEndpoint's ${CLOUDFLARE_TUNNEL_ID}
    # comes from a Secret that only the cluster has (an ExternalSecret makes it): named, empty.
    assert _entries(tunnel_report) == []
    assert {s.id for s in tunnel_report.model.services} == {"Service/network/cloudflare-tunnel"}
    assert [str(u) for u in tunnel.unset] == [
        "kubernetes/apps/network/cloudflare-tunnel/app/dnsendpoint.yaml:11: ${CLOUDFLARE_TUNNEL_ID} has no value "
        "in Flux Kustomization network/cloudflare-tunnel (Flux makes it empty)"]
    # gatus's config has ${WEB_PORT}, in a ConfigMap whose generator says substitute: disabled.
    assert gatus.unset == ()
    # The objects of the chart point at its template (app-template renders all in templates/common.yaml).
    service = next(s for s in atuin_report.model.services if s.name == "atuin")
    assert (service.file, service.line) == ("app-template@4.1.1: templates/common.yaml", 1)


def test_an_argo_cd_multi_source_application(tmp_path, cache, monkeypatch):
    monkeypatch.chdir(FIXTURES / "argocd-multi-sources")
    found = reports_for_paths(["."], Config(), options=HELM)
    by_namespace = {}
    for environment, report in ((e, r) for e, r in found.reports if e.releases):
        (release,) = environment.releases
        by_namespace[release.namespace] = (environment, release, report)
    assert sorted(by_namespace) == ["prod-us", "qa", "staging-eu"]
    for namespace, (environment, release, report) in by_namespace.items():
        assert (release.chart, release.version, release.source) == ("my-chart", "0.1.0", "my-chart")
        assert {o.id for o in report.model.services} == {f"Service/{namespace}/simple-service"}
        workload = next(w for w in report.model.workloads)
        assert (workload.id, report.analysis.level(workload.id)) == (f"Deployment/{namespace}/simple-deployment",
                                                                     "cluster")
    # The layers differ in these keys (common, app version, env type, region, environment):
    # replicaCount 3/10/3, imageVersion 3.0/1.0/2.0, and the rest of env-type, region and environment.
    from svcdocs.render.site.releases import compare_releases
    (row,) = compare_releases([e.releases for e, _ in found.reports])
    assert row["keys"] == ["dbPassword", "dbUser", "environment", "environmentType", "imageVersion", "paypalUrl",
                           "region", "replicaCount", "sorting"]
    assert all(c["version"] == "0.1.0" for c in row["cells"])


def test_kustomize_helm_charts_of_an_argo_cd_home_lab(tmp_path, cache, chart_servers, monkeypatch):
    monkeypatch.chdir(copy_fixture(FIXTURES / "home-ops-kustomize-helm", tmp_path / "repo", chart_servers,
                                   {"repo: oci://ghcr.io/bjw-s-labs/helm": "repo: {http}"}))
    found = reports_for_paths(["."], Config(), options=HELM)
    reports = {e.name: r for e, r in found.reports}
    assert sorted(reports) == ["pitower/kubernetes/apps/home-automation/mosquitto",
                               "pitower/kubernetes/apps/media/jellyfin"]
    # mosquitto: service.app type LoadBalancer (a Cilium LB IPAM address, no internal annotation), port 1883.
    assert _entries(reports["pitower/kubernetes/apps/home-automation/mosquitto"]) == [
        ("Service/home-automation/mosquitto", "", "Service/home-automation/mosquitto", 1883, "internet")]
    # jellyfin: LoadBalancer on 8096, and the Ingress jellyfin.pitower.link (class external) to it.
    assert _entries(reports["pitower/kubernetes/apps/media/jellyfin"]) == [
        ("Ingress/media/jellyfin", "jellyfin.pitower.link", "Service/media/jellyfin", 8096, "internet"),
        ("Service/media/jellyfin", "", "Service/media/jellyfin", 8096, "internet")]
    pointed = {e.name: e.pointed_by for e, _ in found.reports}
    assert pointed["pitower/kubernetes/apps/media/jellyfin"] == ("ApplicationSet argocd/media (media-jellyfin)",)
    assert not any((tmp_path / "repo").rglob("app-template*"))  # kustomize's chart home stayed empty
