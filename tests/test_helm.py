"""Helm as GitOps repositories use it, with a real helm: every chart
reference renders (repository charts, chart repositories over HTTP, OCI
registries through HelmRepository, OCIRepository and chartRef), values as
the controllers compute them, Flux post-build substitution, the chart cache
and --offline, and objects placed at their templates.

Remote charts are real ones served on 127.0.0.1 (tests/helm_servers.py).
"""

from __future__ import annotations

import base64

import pytest

from conftest import write
from helm_servers import chart_servers, needs_helm  # noqa: F401 (a fixture)
from svcdocs.config import Config
from svcdocs.load import LoadOptions
from svcdocs.load.environments import EnvironmentOptions
from svcdocs.load.helm.substitute import PostBuild, Variables, substitute_source
from svcdocs.load.helm.values import ValuesError, parse_values, set_path
from svcdocs.load.sources import Source
from svcdocs.pipeline import reports_for_paths

pytestmark = needs_helm
HELM = frozenset({"kustomize", "helm"})
INGRESS = "ingress: {enabled: true, hosts: [{host: %s, paths: [{path: /, pathType: Prefix}]}]}"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """svcdocs's cache of this test alone (charts fetched here are fetched here)."""
    monkeypatch.setenv("SVCDOCS_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def read(path, allow_remote=True, offline=False, render=HELM):
    return reports_for_paths([str(path)], Config(), options=EnvironmentOptions(
        render=LoadOptions(render=render, allow_remote=allow_remote, offline=offline)))


def only(found):
    (environment, report), = found.reports
    return environment, report


def hosts(report) -> list[str]:
    return sorted({e.host for e in report.analysis.entrypoints if e.host})


def release(name, chart_spec, values="", extra="", namespace="apps"):
    return f"""\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {{name: {name}, namespace: {namespace}}}
spec:
{chart_spec}
{extra}
  values: {{{values}}}
"""


def helm_repository(name, url, extra=""):
    return f"""\
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {{name: {name}, namespace: apps}}
spec: {{url: "{url}"{extra}}}
"""


def oci_repository(name, url, ref):
    return f"""\
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {{name: {name}, namespace: apps}}
spec: {{url: "{url}", insecure: true, ref: {ref}}}
"""


FROM_REPOSITORY = """\
  chart:
    spec: {chart: podinfo, version: "%s", sourceRef: {kind: HelmRepository, name: charts}}"""
BY_REF = """\
  chartRef: {kind: %s, name: %s}"""


# --- Every chart reference renders ----------------------------------------------------------

def test_a_chart_repository_over_http_with_a_version_constraint(tmp_path, cache, chart_servers):
    write(tmp_path, "apps/repository.yaml", helm_repository("charts", chart_servers.http))
    write(tmp_path, "apps/release.yaml", release("web", FROM_REPOSITORY % ">=6.9.0 <6.9.3", INGRESS % "web.example"))
    environment, report = only(read(tmp_path))
    (found,) = environment.releases
    assert (found.chart, found.version, found.source, found.status) == ("podinfo", "6.9.2", chart_servers.http,
                                                                        "rendered")
    assert hosts(report) == ["web.example"]
    service = next(s for s in report.model.services if s.name == "web-podinfo")
    assert (service.namespace, service.file, service.line) == ("apps", "podinfo@6.9.2: templates/service.yaml", 3)


def test_an_oci_helm_repository(tmp_path, cache, chart_servers):
    chart_servers.needs_registry()
    write(tmp_path, "apps/repository.yaml", helm_repository(
        "charts", f"oci://{chart_servers.oci}/charts", ", type: oci, insecure: true"))
    write(tmp_path, "apps/release.yaml", release("web", FROM_REPOSITORY % "6.9.x", INGRESS % "oci.example"))
    environment, report = only(read(tmp_path))
    assert [(r.chart, r.version) for r in environment.releases] == [("podinfo", "6.9.3")]
    assert hosts(report) == ["oci.example"]


@pytest.mark.parametrize("ref, version", [("{tag: 6.9.2}", "6.9.2"), ("{semver: '>=6.9.0'}", "6.9.3"),
                                          ("{digest: DIGEST}", "6.9.2")])
def test_chart_ref_to_an_oci_repository(tmp_path, cache, chart_servers, ref, version):
    chart_servers.needs_registry()
    url = f"oci://{chart_servers.oci}/charts/podinfo"
    if "DIGEST" in ref:  # the digest helm push printed for 6.9.2, read back from the registry
        ref = ref.replace("DIGEST", _digest(chart_servers, "charts/podinfo", "6.9.2"))
    write(tmp_path, "apps/source.yaml", oci_repository("podinfo", url, ref))
    write(tmp_path, "apps/release.yaml", release("web", BY_REF % ("OCIRepository", "podinfo"), INGRESS % "ref.example"))
    environment, report = only(read(tmp_path))
    (found,) = environment.releases
    assert (found.chart, found.version, found.source) == ("podinfo", version, url)
    assert hosts(report) == ["ref.example"]


def _digest(servers, repository, tag) -> str:
    import urllib.request
    request = urllib.request.Request(f"http://{servers.oci}/v2/{repository}/manifests/{tag}", method="HEAD",
                                     headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.headers["Docker-Content-Digest"]


def test_chart_ref_to_a_helm_chart_with_its_values_files(tmp_path, cache, chart_servers):
    write(tmp_path, "apps/repository.yaml", helm_repository("charts", chart_servers.http))
    write(tmp_path, "apps/chart.yaml", """\
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: HelmChart
        metadata: {name: podinfo, namespace: apps}
        spec:
          chart: podinfo
          version: 6.9.3
          sourceRef: {kind: HelmRepository, name: charts}
          valuesFiles: [values.yaml, values-prod.yaml]
        """)
    write(tmp_path, "apps/release.yaml", release("web", BY_REF % ("HelmChart", "podinfo")))
    environment, report = only(read(tmp_path))
    assert [(r.chart, r.version) for r in environment.releases] == [("podinfo", "6.9.3")]
    # podinfo's values-prod.yaml turns on its HorizontalPodAutoscaler... and its Ingress stays off
    assert ("HorizontalPodAutoscaler", 1) in report.model.inputs.other_kinds or hosts(report) == []


def test_a_repository_chart_with_dependencies_from_file_and_from_a_chart_repository(tmp_path, cache, chart_servers):
    write(tmp_path, "charts/web/Chart.yaml", f"""\
        apiVersion: v2
        name: web
        version: 1.0.0
        dependencies:
        - {{name: lib, version: 0.1.0, repository: "file://../lib"}}
        - {{name: podinfo, version: "~6.9.0", repository: "{chart_servers.http}"}}
        """)
    write(tmp_path, "charts/web/templates/svc.yaml", """\
        apiVersion: v1
        kind: Service
        metadata: {name: {{ include "lib.name" . }}}
        spec: {type: NodePort, ports: [{port: 80}]}
        """)
    write(tmp_path, "charts/lib/Chart.yaml", "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n")
    write(tmp_path, "charts/lib/templates/_name.tpl", '{{- define "lib.name" -}}{{ .Release.Name }}-web{{- end -}}\n')
    found = read(tmp_path)
    assert [n.reason for n in found.not_rendered] == []
    web = dict((e.name, r) for e, r in found.reports)["charts/web"]
    names = sorted(s.name for s in web.model.services)
    assert names == ["web-podinfo", "web-web"]  # the release is named after the folder, as before
    assert not (tmp_path / "charts" / "web" / "charts").exists()  # nothing written into the repository
    without_remote = read(tmp_path, allow_remote=False)
    assert "dependency podinfo: the chart comes from" in {n.what: n.reason for n in without_remote.not_rendered}[
        f"{tmp_path}/charts/web"]


# --- Values as the controllers compute them -------------------------------------------------

def test_values_from_config_maps_and_secrets_in_order(tmp_path, cache, chart_servers):
    secret = base64.b64encode(b"ingress:\n  className: secret-class\n").decode()
    write(tmp_path, "apps/repository.yaml", helm_repository("charts", chart_servers.http))
    write(tmp_path, "apps/values.yaml", f"""\
        apiVersion: v1
        kind: ConfigMap
        metadata: {{name: web-values, namespace: apps}}
        data:
          values.yaml: |
            {INGRESS % "from-configmap.example"}
          host: from-target-path.example
        ---
        apiVersion: v1
        kind: Secret
        metadata: {{name: web-secret, namespace: apps}}
        data: {{values.yaml: {secret}}}
        """)
    write(tmp_path, "apps/release.yaml", release("web", FROM_REPOSITORY % "6.9.3", extra="""\
  valuesFrom:
  - {kind: ConfigMap, name: web-values}
  - {kind: Secret, name: web-secret}
  - {kind: ConfigMap, name: web-values, valuesKey: host, targetPath: "ingress.hosts[0].host"}
  - {kind: Secret, name: not-here, optional: true}"""))
    environment, report = only(read(tmp_path))
    (found,) = environment.releases
    assert found.status == "rendered"
    assert hosts(report) == ["from-target-path.example"]  # set at targetPath over the first ConfigMap's
    assert found.secret_keys == ("ingress.className",)
    assert "secret-class" not in repr(environment.releases)  # a token, never the value


def test_a_missing_values_from_is_named_and_the_rest_renders(tmp_path, cache, chart_servers):
    write(tmp_path, "apps/repository.yaml", helm_repository("charts", chart_servers.http))
    write(tmp_path, "apps/release.yaml", release("web", FROM_REPOSITORY % "6.9.3", INGRESS % "web.example", """\
  valuesFrom:
  - {kind: Secret, name: cluster-only}"""))
    environment, report = only(read(tmp_path))
    assert environment.releases[0].status == "rendered without Secret cluster-only: not in this environment"
    assert hosts(report) == ["web.example"]


def test_values_are_read_under_limits():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9))
    with pytest.raises(ValuesError, match="more than 200000 values"):
        parse_values(bomb, "values.yaml")
    assert parse_values("x: !!python/object/apply:os.system [echo]\n", "v") == {"x": ["echo"]}
    assert set_path({"a": {"b": 1}}, "a.c[1].d", "v") == {"a": {"b": 1, "c": [None, {"d": "v"}]}}
    assert set_path({}, r"a\.b.c", "v") == {"a.b": {"c": "v"}}


def test_an_argo_cd_multi_source_application(tmp_path, cache, chart_servers, monkeypatch):
    """A chart from a chart repository, values from this repository through
    `ref: values`, then values, valuesObject and parameters, in Argo CD's order."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "values/web.yaml", INGRESS % "from-values-file.example" + "\nreplicaCount: 2\n")
    write(tmp_path, "values/host.txt", "from-file-parameter.example")
    write(tmp_path, "argocd/web.yaml", f"""\
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {{name: web, namespace: argocd}}
        spec:
          destination: {{namespace: shop}}
          sources:
          - repoURL: {chart_servers.http}
            chart: podinfo
            targetRevision: 6.9.x
            helm:
              releaseName: storefront
              valueFiles: [$values/values/web.yaml]
              values: "service: {{type: ClusterIP}}"
              valuesObject: {{service: {{type: NodePort}}}}
              parameters:
              - {{name: "ingress.hosts[1].paths[0].path", value: /}}
              - {{name: "ingress.hosts[1].paths[0].pathType", value: Prefix}}
              fileParameters:
              - {{name: "ingress.hosts[1].host", path: $values/values/host.txt}}
          - repoURL: https://example.com/this-repository.git
            ref: values
        """)
    found = read(".")
    environment, report = next((e, r) for e, r in found.reports if e.releases)
    (web,) = environment.releases
    assert (web.name, web.namespace, web.version) == ("storefront", "shop", "6.9.3")
    service = next(s for s in report.model.services if s.name == "storefront-podinfo")
    assert (service.namespace, service.type) == ("shop", "NodePort")  # valuesObject wins over values
    assert hosts(report) == ["from-file-parameter.example", "from-values-file.example"]


# --- Flux post-build substitution -------------------------------------------------------------

def _substituted(text, inline=(), index=None):
    from svcdocs.load.helm.values import DataIndex
    found = Variables(dict(inline), "Flux Kustomization flux-system/apps")
    out = substitute_source(Source(label="app.yaml", data=text.encode()), found)
    return out.data.decode(), [u.name for u in found.unset]


def test_substitution_as_flux_does_it():
    text, unset = _substituted(
        "a: ${HOST}\nb: ${PORT:=8080}\nc: $${HOST}\nd: $HOST\ne: ${MISSING}\nf: ${HOST:0:3}\ng: ${HOST^^}\n"
        "h: ${A:=${HOST}}\n# ${IN_A_COMMENT}\n", {"HOST": "web.example"})
    assert text == ("a: web.example\nb: 8080\nc: ${HOST}\nd: $HOST\ne: \nf: web\ng: WEB.EXAMPLE\nh: web.example\n"
                    "# \n")
    assert unset == ["MISSING"]
    disabled = "metadata:\n  annotations: {kustomize.toolkit.fluxcd.io/substitute: disabled}\nx: ${HOST}\n"
    assert _substituted(disabled, {"HOST": "h"})[0] == disabled
    assert _substituted("x: ${HOST}\n")[0] == "x: ${HOST}\n"  # no variables at all: Flux leaves it alone


def test_post_build_substitution_reaches_helm_releases_and_names_what_has_no_value(tmp_path, cache, chart_servers,
                                                                                   monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "clusters/home/apps.yaml", """\
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: apps, namespace: flux-system}
        spec:
          path: ./apps
          sourceRef: {kind: GitRepository, name: flux-system}
          postBuild:
            substitute: {APP: web}
            substituteFrom:
            - {kind: ConfigMap, name: cluster-settings}
            - {kind: Secret, name: cluster-secrets}
        """)
    write(tmp_path, "clusters/home/settings.yaml", """\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cluster-settings, namespace: flux-system}
        data: {DOMAIN: home.example, APP: overridden}
        """)
    write(tmp_path, "apps/repository.yaml", helm_repository("charts", chart_servers.http))
    write(tmp_path, "apps/release.yaml", release(
        "${APP}", FROM_REPOSITORY % "6.9.3", INGRESS % "${APP}.${DOMAIN}" + ", service: {type: ${SERVICE_TYPE:=ClusterIP}}"))
    write(tmp_path, "apps/extra.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: ${APP}-extra, namespace: "
          "apps}\nspec: {ports: [{port: 80}], externalName: ${LB_ADDRESS}}\n")
    found = read(".")
    apps = next((e, r) for e, r in found.reports if e.name == "home")  # the cluster folder clusters/home
    environment, report = apps
    assert hosts(report) == ["web.home.example"]  # inline substitute wins over substituteFrom
    assert {s.name for s in report.model.services} == {"web-podinfo", "web-extra"}
    assert [(u.name, u.file, u.line) for u in environment.unset] == [("LB_ADDRESS", "apps/extra.yaml", 4)]
    assert [p.status for p in found.pointers if p.kind == "Kustomization"] == [""]


# --- The chart cache and --offline ------------------------------------------------------------

def test_each_chart_is_fetched_once_and_offline_renders_from_the_cache(tmp_path, cache, chart_servers):
    write(tmp_path, "apps/repository.yaml", helm_repository("charts", chart_servers.http))
    write(tmp_path, "apps/release.yaml", release("web", FROM_REPOSITORY % "6.9.3", INGRESS % "web.example"))
    write(tmp_path, "apps/other.yaml", release("other", FROM_REPOSITORY % "6.9.3", INGRESS % "other.example")
          .replace("name: web", "name: other"))
    archives = lambda: [p for p in chart_servers.requests if p.endswith(".tgz")]  # noqa: E731
    before = len(archives())
    first = read(tmp_path)
    assert len(archives()) == before + 1  # two releases of one chart and version: one fetch
    second = read(tmp_path)
    assert len(archives()) == before + 1  # the second build: none
    assert hosts(only(second)[1]) == hosts(only(first)[1]) == ["other.example", "web.example"]
    requests = len(chart_servers.requests)
    offline = read(tmp_path, allow_remote=False, offline=True)
    assert len(chart_servers.requests) == requests  # nothing at all
    assert hosts(only(offline)[1]) == ["other.example", "web.example"]
    write(tmp_path, "apps/release.yaml", release("web", FROM_REPOSITORY % "6.9.2", INGRESS % "web.example"))
    missing = read(tmp_path, allow_remote=False, offline=True)
    assert "--offline: podinfo from %s 6.9.2 is not in the cache" % chart_servers.http in \
        {n.what: n.reason for n in missing.not_rendered}["HelmRelease apps/web"]
    assert len(chart_servers.requests) == requests


def test_remote_charts_need_allow_remote_or_offline(tmp_path, cache, chart_servers):
    write(tmp_path, "apps/repository.yaml", helm_repository("charts", chart_servers.http))
    write(tmp_path, "apps/release.yaml", release("web", FROM_REPOSITORY % "6.9.3"))
    requests = len(chart_servers.requests)
    found = read(tmp_path, allow_remote=False)
    (item,) = found.not_rendered
    assert "svcdocs fetches charts only with --allow-remote" in item.reason
    assert len(chart_servers.requests) == requests


# --- What the site and the review say -----------------------------------------------------------

def _git(cwd, *args):
    import subprocess
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env={
        "PATH": __import__("os").environ["PATH"], "HOME": str(cwd), "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}).stdout


ROUTED = "httpRoute: {enabled: true, hostnames: [podinfo.home.example], parentRefs: [{name: gateway}]}"


def test_a_chart_bump_is_reviewed_as_what_the_new_chart_exposes(tmp_path, cache, chart_servers, cli, monkeypatch):
    """The daily dependency pull request: podinfo 6.9.2 → 6.9.3, whose chart
    adds the HTTPRoute that the values already asked for."""
    import shutil
    if shutil.which("git") is None:
        pytest.skip("needs git")
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "apps/repository.yaml", helm_repository("charts", chart_servers.http))
    write(tmp_path, "apps/release.yaml", release("podinfo", FROM_REPOSITORY % "6.9.2", ROUTED))
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "base")
    write(tmp_path, "apps/release.yaml", release("podinfo", FROM_REPOSITORY % "6.9.3", ROUTED))
    archives = len([p for p in chart_servers.requests if p.endswith(".tgz")])
    result = cli("diff", "--git", "HEAD", ".", "--render", "helm", "--allow-remote", "--fail-on-exposure")
    assert result.exit_code == 1, result.output
    text = result.stdout
    assert "#### podinfo 6.9.2 → 6.9.3" in text
    assert "\nHelmRelease apps/podinfo:\n" in text
    assert "new way in: HTTPRoute apps/podinfo podinfo.home.example/ → apps/podinfo:9898 (internet)" in text
    assert "adds HTTPRoute apps/podinfo" in text
    assert len([p for p in chart_servers.requests if p.endswith(".tgz")]) == archives + 2  # each version once
    again = cli("diff", "--git", "HEAD", ".", "--render", "helm", "--allow-remote", "--format", "json")
    assert len([p for p in chart_servers.requests if p.endswith(".tgz")]) == archives + 2  # and never again
    import json
    (chart,) = json.loads(again.stdout)["charts"]
    assert (chart["chart"], chart["before"], chart["after"]) == ("podinfo", "6.9.2", "6.9.3")


def test_the_site_says_what_was_not_rendered_first_and_lists_releases(tmp_path, cache, chart_servers, cli,
                                                                       monkeypatch):
    monkeypatch.chdir(tmp_path)
    secret = base64.b64encode(b"ui: {message: svcdocs-sentinel-secret-value}\n").decode()
    for stage, version, host in (("staging", "6.9.3", "staging.example"), ("production", "6.9.2", "prod.example")):
        write(tmp_path, f"envs/{stage}/repository.yaml", helm_repository("charts", chart_servers.http))
        write(tmp_path, f"envs/{stage}/release.yaml", release("web", FROM_REPOSITORY % version, INGRESS % host,
                                                               "  valuesFrom: [{kind: Secret, name: web-secret}]"))
        write(tmp_path, f"envs/{stage}/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: web-secret, "
              f"namespace: apps}}\ndata: {{values.yaml: {secret}}}\n")
    write(tmp_path, "envs/production/broken.yaml", release("lost", BY_REF % ("OCIRepository", "nowhere")))
    out = tmp_path / "site"
    result = cli("build", "--env", "staging=envs/staging", "--env", "production=envs/production", "--render", "helm",
                 "--allow-remote", "-o", str(out))
    assert result.exit_code == 0, result.output
    home = (out / "index.html").read_text()
    assert home.index("Not rendered: 1") < home.index("environments:")  # said first
    assert "HelmRelease apps/lost" in home and "OCIRepository apps/nowhere is not in the input" in home
    production = (out / "envs" / "production" / "index.html").read_text()
    assert production.index("Not rendered: 1") < production.index('<h2 id="helm-releases"') < production.index(
        '<h2 id="what-is-exposed"')
    assert "6.9.2" in production and chart_servers.http in production
    compare = (out / "compare" / "index.html").read_text()
    assert "podinfo 6.9.3" in compare and "podinfo 6.9.2" in compare
    assert "<code>ingress.hosts</code>" in compare  # its name only
    site = "".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file() and p.suffix in
                   (".html", ".json", ".xml", ".js"))
    assert "svcdocs-sentinel-secret-value" not in site


def test_kustomize_helm_charts_render_from_the_cache_and_write_nothing_into_the_repository(tmp_path, cache,
                                                                                            chart_servers):
    write(tmp_path, "app/kustomization.yaml", f"""\
        namePrefix: shop-
        helmCharts:
        - name: podinfo
          repo: {chart_servers.http}
          version: 6.9.3
          releaseName: web
          namespace: apps
          valuesInline:
            {INGRESS % "kustomize.example"}
        """)
    before = sorted(p.name for p in (tmp_path / "app").iterdir())
    environment, report = only(read(tmp_path / "app"))
    assert hosts(report) == ["kustomize.example"]
    assert "Service/apps/shop-web-podinfo" in report.analysis.exposure  # kustomize's namePrefix applies to it
    assert sorted(p.name for p in (tmp_path / "app").iterdir()) == before
    without = read(tmp_path / "app", allow_remote=False)
    assert "svcdocs fetches charts only with --allow-remote" in str(without.reports[0][1].model.inputs.problems)


def test_a_value_from_a_secret_is_never_in_helm_s_error(tmp_path, cache):
    write(tmp_path, "charts/web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n")
    write(tmp_path, "charts/web/templates/fail.yaml", '{{ fail (printf "bad password %s" .Values.db.password) }}\n')
    write(tmp_path, "apps/release.yaml", """\
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata: {name: web, namespace: apps}
        spec:
          chart: {spec: {chart: ./charts/web, sourceRef: {kind: GitRepository, name: flux-system}}}
          valuesFrom: [{kind: Secret, name: db, valuesKey: password, targetPath: db.password}]
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: db, namespace: apps}
        stringData: {password: svcdocs-sentinel-password}
        """)
    found = read(tmp_path)
    reasons = " ".join(n.reason for n in found.not_rendered)
    assert "bad password (a value from a Secret)" in reasons
    assert "svcdocs-sentinel-password" not in repr(found)
