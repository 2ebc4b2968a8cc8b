"""Environments: discovery in a repository (entry kustomizations, charts, plain
manifests, GitOps pointers), rendering safety, one report per environment.

Kustomize is replaced by a stand-in on PATH where a test is about what svcdocs
decides (which folders it renders, what it refuses), and is the real one
(kubectl kustomize) where a test reads a real repository; helm is the real one
(the tests that need it skip without it), with remote charts served on
127.0.0.1 (tests/helm_servers.py).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, needs_kustomize, write
from helm_servers import HELM, chart_servers, copy_fixture  # noqa: F401 (a fixture)
from svcdocs.config import Config, parse_config
from svcdocs.errors import SvcdocsError
from svcdocs.load import discover
from svcdocs.load.environments import EnvironmentOptions, discover_environments, parse_env, walk
from svcdocs.load import LoadOptions
from svcdocs.pipeline import reports_for_paths


SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  type: {type}
  selector: {{app: {name}}}
  ports:
  - port: 80
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: {name}, image: {name}:1}}]
"""


def service(name: str, type: str = "ClusterIP") -> str:
    return SERVICE.format(name=name, type=type)


def tool(folder: Path, name: str, script: str) -> Path:
    """An executable stand-in on PATH."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture
def fake_kustomize(tmp_path, monkeypatch):
    """A `kubectl` that renders a kustomization by concatenating its own
    folder's manifests (what kustomize does for `resources: [files]`), and logs
    each folder it was asked for."""
    bin_dir = tmp_path / "fake-bin"
    log = tmp_path / "kustomize.log"
    tool(bin_dir, "kubectl", f"""#!/bin/sh
for last; do :; done
case "$(basename "$last")" in svcdocs-origin-*)  # svcdocs's wrapper for origin annotations: its one resource
  target=$(sed -n 's/^- "\\(.*\\)"$/\\1/p' "$last/kustomization.yaml"); last=$(cd "$last/$target" && pwd);;
esac
echo "$last" >> "{log}"
[ -f "$last/fail" ] && {{ echo "error: $(cat "$last/fail")" >&2; exit 1; }}
for f in "$last"/*.yaml; do
  case "$(basename "$f")" in kustomization.yaml) ;; *) cat "$f"; echo "---";; esac
done
""")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    return log


@pytest.fixture
def real_helm():
    if HELM is None:
        pytest.skip("needs helm")
    return HELM


def environments(path, **kwargs):
    return discover_environments([str(path)], options=EnvironmentOptions(**kwargs))


def names(found) -> list[str]:
    return [e.name for e in found.environments]


def labels(environment) -> list[str]:
    return [s.label for s in environment.sources]


def by_name(found, name):
    return next(e for e in found.environments if e.name == name)


def reasons(found) -> dict[str, str]:
    return {n.what: n.reason for n in found.not_rendered}


@pytest.fixture
def overlays(tmp_path) -> Path:
    """base + overlays/dev + overlays/prod, a plain file beside them."""
    repo = tmp_path / "repo"
    write(repo, "base/kustomization.yaml", "resources: [web.yaml]\n")
    write(repo, "base/web.yaml", service("web"))
    write(repo, "overlays/dev/kustomization.yaml", "resources: [../../base]\nnamespace: dev\n")
    write(repo, "overlays/dev/web.yaml", service("web", "NodePort"))
    write(repo, "overlays/prod/kustomization.yaml", "resources: [../../base]\nnamespace: prod\nnamePrefix: prod-\n")
    write(repo, "overlays/prod/web.yaml", service("web", "LoadBalancer"))
    write(repo, "monitoring/grafana.yaml", service("grafana"))
    return repo


# --- Discovery -------------------------------------------------------------------------------

def test_a_folder_without_kustomization_chart_or_pointer_is_read_exactly_as_before(tmp_path):
    write(tmp_path, "b/z.yaml", service("z"))
    write(tmp_path, "a.json", '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "j"}}')
    write(tmp_path, "b/values.yaml", "replicas: 1\n")
    write(tmp_path, ".hidden/x.yaml", service("x"))
    write(tmp_path, "site/.svcdocs-site", "{}")
    write(tmp_path, "site/page.yaml", service("page"))
    found = environments(tmp_path)
    before = discover([str(tmp_path)])
    assert not found.discovered
    (only,) = found.environments
    assert only.sources == before.sources and only.skipped_files == before.skipped_files
    tree = walk(str(tmp_path))
    assert tree.plain == list(before.sources) and tree.skipped == before.skipped_files


def test_each_entry_kustomization_is_an_environment_named_by_its_layout_and_bases_are_not_plain_files(
        overlays, fake_kustomize):
    found = environments(overlays)
    assert names(found) == ["dev", "prod", "plain manifests"]
    assert labels(by_name(found, "prod")) == [f"{overlays}/overlays/prod (kustomize)"]
    assert by_name(found, "prod").path == f"{overlays}/overlays/prod"
    assert labels(by_name(found, "plain manifests")) == [f"{overlays}/monitoring/grafana.yaml"]
    assert by_name(found, "prod").name_prefix == "prod-"
    assert [(a.name, a.kind) for a in by_name(found, "prod").apps] == [("overlays/prod", "kustomization")]
    assert [(a.name, a.kind) for a in by_name(found, "plain manifests").apps] == [("monitoring", "folder")]
    rendered = fake_kustomize.read_text().split()
    assert sorted(rendered) == [f"{overlays}/overlays/dev", f"{overlays}/overlays/prod"]  # never the base alone


def test_a_component_is_never_an_environment_and_an_unused_one_is_said(tmp_path, fake_kustomize):
    write(tmp_path, "app/kustomization.yaml", "resources: [svc.yaml]\ncomponents: [../components/policies]\n")
    write(tmp_path, "app/svc.yaml", service("web"))
    write(tmp_path, "components/policies/kustomization.yaml", "kind: Component\nresources: [p.yaml]\n")
    write(tmp_path, "components/unused/kustomization.yaml", "kind: Component\nresources: [p.yaml]\n")
    for component in ("policies", "unused"):
        write(tmp_path, f"components/{component}/p.yaml", service(f"p-{component}"))
    found = environments(tmp_path)
    assert names(found) == ["app"]
    assert [(n.what, n.kind) for n in found.not_rendered] == [(f"{tmp_path}/components/unused", "component")]


def test_renders_run_in_parallel_one_per_core(tmp_path, monkeypatch):
    """Each render waits for a second one to start: serial rendering would time out."""
    bin_dir = tmp_path / "bin"
    tool(bin_dir, "kubectl", f"""#!/bin/sh
touch "{tmp_path}/started.$$"
i=0; while [ "$(ls {tmp_path} | grep -c '^started')" -lt 2 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
[ $i -lt 50 ] || {{ echo "error: rendered alone" >&2; exit 1; }}
echo "kind: Service"; echo "metadata: {{name: s$$}}"
""")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    for name in ("a", "b"):
        write(tmp_path / "repo", f"{name}/kustomization.yaml", "resources: []\n")
    found = environments(tmp_path / "repo")
    assert names(found) == ["a", "b"], found.not_rendered


def test_a_remote_base_is_refused_unless_the_user_allows_it(tmp_path, fake_kustomize):
    write(tmp_path, "repo/base/kustomization.yaml", "resources:\n- github.com/org/repo//deploy?ref=v1\n")
    write(tmp_path, "repo/prod/kustomization.yaml", "resources: [../base]\n")
    write(tmp_path, "repo/prod/svc.yaml", service("web"))
    write(tmp_path, "repo/local/kustomization.yaml", "resources: [svc.yaml]\n")
    write(tmp_path, "repo/local/svc.yaml", service("local"))
    found = environments(tmp_path / "repo")
    assert names(found) == ["local"]
    (refused,) = found.not_rendered
    assert refused.what.endswith("repo/prod") and refused.file.endswith("repo/base/kustomization.yaml")
    assert refused.line == 2 and "--allow-remote" in refused.reason
    assert refused.instead == f"kubectl kustomize {tmp_path}/repo/prod | svcdocs <command> -"
    # never run (nor for local/, which only lists a file: read as it is, load/listed.py)
    assert not fake_kustomize.exists() or f"{tmp_path}/repo/prod" not in fake_kustomize.read_text()
    allowed = environments(tmp_path / "repo", render=LoadOptions(allow_remote=True))
    assert names(allowed) == ["local", "prod"]


@pytest.mark.parametrize("reference", ["https://example.com/all.yaml", "git::https://example.com/r.git//k",
                                       "git@github.com:org/repo.git", "github.com/org/repo/base"])
def test_every_remote_form_is_refused(tmp_path, fake_kustomize, reference):
    write(tmp_path, "app/kustomization.yaml", f"resources:\n- {reference}\n")
    found = environments(tmp_path)
    assert found.environments == () and "--allow-remote" in reasons(found)[f"{tmp_path}/app"]


def test_a_path_that_leaves_the_repository_is_refused(tmp_path, fake_kustomize):
    write(tmp_path, "outside/kustomization.yaml", "resources: [secret.yaml]\n")
    write(tmp_path, "outside/secret.yaml", service("stolen"))
    write(tmp_path, "repo/app/kustomization.yaml", "resources: [../../outside]\n")
    (tmp_path / "repo" / ".git").mkdir()  # the repository's top
    found = environments(tmp_path / "repo")
    assert found.environments == ()
    assert "outside the repository" in reasons(found)[f"{tmp_path}/repo/app"]


def test_helm_charts_in_a_kustomization_need_the_users_consent(tmp_path, fake_kustomize):
    write(tmp_path, "app/kustomization.yaml", "helmCharts:\n- name: redis\n  repo: https://charts.example.com\n")
    found = environments(tmp_path)
    assert "--render helm" in reasons(found)[f"{tmp_path}/app"]
    asked = environments(tmp_path, render=LoadOptions(render=frozenset({"kustomize", "helm"})))
    assert "helmCharts from 'https://charts.example.com': svcdocs fetches charts only with --allow-remote" in \
        reasons(asked)[f"{tmp_path}/app"]


def test_a_failed_render_is_said_and_the_rest_still_read(tmp_path, fake_kustomize):
    write(tmp_path, "good/kustomization.yaml", "resources: [svc.yaml]\n")
    write(tmp_path, "good/svc.yaml", service("good"))
    write(tmp_path, "bad/kustomization.yaml", "resources: [svc.yaml]\nnamePrefix: x-\n")  # kustomize renders it
    write(tmp_path, "bad/svc.yaml", service("bad"))
    write(tmp_path, "bad/fail", "accumulating resources: missing.yaml: no such file")
    found = environments(tmp_path)
    assert names(found) == ["good"]
    assert "accumulating resources: missing.yaml: no such file" in reasons(found)[f"{tmp_path}/bad"]


def test_without_kustomize_each_kustomization_says_the_pipe_that_works(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    write(tmp_path, "app/kustomization.yaml", "resources: [svc.yaml]\nnamePrefix: x-\n")
    write(tmp_path, "app/svc.yaml", service("app"))
    write(tmp_path, "listed/kustomization.yaml", "resources: [svc.yaml]\n")  # only files: read without kustomize
    write(tmp_path, "listed/svc.yaml", service("listed"))
    write(tmp_path, "plain/svc.yaml", service("plain"))
    found = environments(tmp_path)
    assert names(found) == ["listed", "plain manifests"]
    (item,) = found.not_rendered
    assert "neither kubectl nor kustomize" in item.reason
    assert item.instead == f"kubectl kustomize {tmp_path}/app | svcdocs <command> -"


def test_a_chart_is_rendered_only_when_asked_and_helm_exists(tmp_path, real_helm, monkeypatch):
    write(tmp_path, "charts/web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.1.0\n")
    write(tmp_path, "charts/web/templates/svc.yaml", "kind: Service\nmetadata: {name: {{ .Release.Name }}}\n")
    write(tmp_path, "plain/svc.yaml", service("plain"))
    found = environments(tmp_path)
    assert names(found) == ["plain manifests"]  # the templates are the chart's, never plain files
    (item,) = found.not_rendered
    assert (item.kind, item.reason) == ("chart", "helm runs only when you ask for it with --render helm")
    assert item.instead == f"helm template -- web {tmp_path}/charts/web | svcdocs <command> -"
    asked = environments(tmp_path, render=LoadOptions(render=frozenset({"kustomize", "helm"})))
    assert names(asked) == ["charts/web", "plain manifests"]
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    without = environments(tmp_path, render=LoadOptions(render=frozenset({"kustomize", "helm"})))
    assert [n.reason for n in without.not_rendered] == ["helm is not on PATH"]


# --- Naming environments ---------------------------------------------------------------------

def test_env_specs_parse():
    assert parse_env("prod=overlays/prod") == ("prod", "overlays/prod")
    assert parse_env("apps/*") == ("", "apps/*")
    with pytest.raises(SvcdocsError, match="NAME=PATH"):
        parse_env("=x")


def test_named_environments_are_exactly_those_named_with_globs(tmp_path, fake_kustomize, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for app in ("cart", "shop"):
        write(tmp_path, f"apps/{app}/base/kustomization.yaml", "resources: [svc.yaml]\n")
        write(tmp_path, f"apps/{app}/base/svc.yaml", service(app))
        for stage in ("dev", "prod"):
            write(tmp_path, f"apps/{app}/overlays/{stage}/kustomization.yaml", "resources: [../../base]\n")
            write(tmp_path, f"apps/{app}/overlays/{stage}/svc.yaml", service(f"{app}-{stage}"))
    write(tmp_path, "apps/README.md", "not a manifest\n")
    each = discover_environments(["."], options=EnvironmentOptions(named=(("", "apps/*/overlays/prod"),)))
    assert names(each) == ["apps/cart/overlays/prod", "apps/shop/overlays/prod"]
    union = discover_environments(["."], options=EnvironmentOptions(named=(("prod", "apps/*/overlays/prod"),)))
    assert names(union) == ["prod"]
    assert labels(union.environments[0]) == ["apps/cart/overlays/prod (kustomize)", "apps/shop/overlays/prod (kustomize)"]
    folders = discover_environments(["."], options=EnvironmentOptions(named=(("", "apps/*"),)))
    assert names(folders) == ["apps/cart", "apps/shop"]  # README.md is no folder and no manifest
    with pytest.raises(SvcdocsError, match="--env nope/\\*: matches no file or folder"):
        discover_environments(["."], options=EnvironmentOptions(named=(("", "nope/*"),)))


def test_config_environments_start_at_the_config_folder(tmp_path, fake_kustomize, monkeypatch):
    write(tmp_path, "repo/overlays/prod/kustomization.yaml", "resources: [svc.yaml]\n")
    write(tmp_path, "repo/overlays/prod/svc.yaml", service("web"))
    config = parse_config({"environments": {"production": "overlays/prod"}}, str(tmp_path / "repo" / ".svcdocs.yaml"))
    assert config.environments == ("production=overlays/prod",)
    monkeypatch.chdir(tmp_path)
    from svcdocs.cli.environments import Choice
    options = Choice().options(config, LoadOptions())
    assert options.named == (("production", os.path.join(str(tmp_path / "repo"), "overlays/prod")),)
    with pytest.raises(SvcdocsError, match="environments of x must be a path, not '1'"):
        parse_config({"environments": {"x": 1}})


# --- GitOps pointers ----------------------------------------------------------------------------

APPLICATION = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {{name: {name}, namespace: argocd}}
spec:
  source:
    repoURL: {repo}
    targetRevision: main
    path: {path}
{extra}  destination: {{server: https://kubernetes.default.svc, namespace: {name}}}
"""


def application(name: str, path: str, repo: str = "https://github.com/org/deploy.git", extra: str = "") -> str:
    return APPLICATION.format(name=name, path=path, repo=repo, extra=extra)


def test_an_application_makes_its_folder_an_environment_and_takes_its_files_from_the_plain_one(tmp_path):
    write(tmp_path, "argocd/apps.yaml", application("guestbook", "guestbook") + "---\n" + application("top", "flat"))
    write(tmp_path, "guestbook/svc.yaml", service("guestbook"))
    write(tmp_path, "guestbook/more/deep.yaml", service("deep"))
    write(tmp_path, "flat/svc.yaml", service("flat"))
    write(tmp_path, "flat/sub/skipped.yaml", service("skipped"))
    write(tmp_path, "other/svc.yaml", service("other"))
    found = environments(tmp_path)
    # both Applications go to the cluster Argo CD runs in: one environment, each Application an app
    assert names(found) == ["in-cluster", "plain manifests"]
    cluster = by_name(found, "in-cluster")
    assert cluster.pointed_by == ("Application argocd/guestbook", "Application argocd/top")
    apps = {a.name: (a.kind, a.path, a.namespace, [os.path.relpath(s, tmp_path) for s in a.sources])
            for a in cluster.apps}
    # Argo CD reads a plain folder's subfolders only with directory.recurse: those stay plain
    # argocd/ holds only the Applications: they are the apps, not the folder
    assert apps == {"guestbook": ("Application", "guestbook", "guestbook", ["guestbook/svc.yaml"]),
                    "top": ("Application", "flat", "top", ["flat/svc.yaml"])}
    guestbook = next(s for s in cluster.sources if s.label.endswith("guestbook/svc.yaml"))
    assert cluster.namespace_of(guestbook, "default") == "guestbook"  # the Application's destination
    assert sorted(os.path.relpath(s, tmp_path) for s in labels(by_name(found, "plain manifests"))) == [
        "flat/sub/skipped.yaml", "guestbook/more/deep.yaml", "other/svc.yaml"]
    assert [a.name for a in by_name(found, "plain manifests").apps] == ["flat/sub", "guestbook/more", "other"]
    assert {p.name: p.target for p in found.pointers} == {"guestbook": "guestbook", "top": "flat"}


def test_directory_recurse_reads_subfolders(tmp_path):
    write(tmp_path, "argocd/app.yaml", application("deep", "deep", extra="    directory: {recurse: true}\n"))
    write(tmp_path, "deep/a.yaml", service("a"))
    write(tmp_path, "deep/sub/b.yaml", service("b"))
    found = environments(tmp_path)
    (deep,) = [a for a in by_name(found, "in-cluster").apps if a.name == "deep"]
    assert [os.path.basename(s) for s in deep.sources] == ["a.yaml", "b.yaml"]


def test_a_pointer_to_another_repository_or_a_missing_path_names_no_environment(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", "git@github.com:org/deploy.git"], check=True)
    write(tmp_path, "argocd/apps.yaml", "---\n".join([
        application("here", "guestbook", repo="https://github.com/Org/deploy"),
        application("elsewhere", "guestbook", repo="https://github.com/org/other-repo.git"),
        application("missing", "nope"),
    ]))
    write(tmp_path, "guestbook/svc.yaml", service("guestbook"))
    found = environments(tmp_path)
    status = {p.name: (p.environment, p.status) for p in found.pointers}
    assert status["here"] == ("in-cluster", "")
    assert status["elsewhere"] == ("", "https://github.com/org/other-repo.git is another repository")
    assert status["missing"] == ("", "nope is not a path in this repository")


def test_an_application_set_expands_its_list_and_git_directory_generators(tmp_path):
    write(tmp_path, "argocd/sets.yaml", """\
        apiVersion: argoproj.io/v1alpha1
        kind: ApplicationSet
        metadata: {name: clusters, namespace: argocd}
        spec:
          generators:
          - list:
              elements:
              - {cluster: east, values: {stage: prod}}
              - {cluster: west, values: {stage: dev}}
          template:
            metadata: {name: 'app-{{cluster}}'}
            spec:
              source: {repoURL: https://github.com/org/deploy.git, path: 'envs/{{values.stage}}'}
              destination: {server: https://kubernetes.default.svc, namespace: app}
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: ApplicationSet
        metadata: {name: apps, namespace: argocd}
        spec:
          goTemplate: true
          generators:
          - git:
              repoURL: https://github.com/org/deploy.git
              revision: HEAD
              directories:
              - path: apps/*
              - path: apps/legacy
                exclude: true
          - clusters: {}
          template:
            metadata: {name: '{{.path.basename}}'}
            spec:
              source: {repoURL: https://github.com/org/deploy.git, path: '{{.path.path}}'}
              destination: {server: https://kubernetes.default.svc, namespace: '{{index .path.segments 1}}'}
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: ApplicationSet
        metadata: {name: odd, namespace: argocd}
        spec:
          generators:
          - list: {elements: [{cluster: one}]}
          template:
            metadata: {name: 'x-{{cluster}}'}
            spec:
              source: {repoURL: https://github.com/org/deploy.git, path: '{{missing}}'}
        """)
    for path in ("envs/prod", "envs/dev", "apps/cart", "apps/shop", "apps/legacy"):
        write(tmp_path, f"{path}/svc.yaml", service(path.replace("/", "-")))
    found = environments(tmp_path)
    # one cluster, whose Applications deploy envs/dev and envs/prod: split by that name, apps/* in each
    assert names(found) == ["dev", "prod", "plain manifests"]
    # the ApplicationSets whose generators svcdocs does not expand are apps all the same
    assert [a.name for a in by_name(found, "dev").apps] == ["app-west", "cart", "shop", "apps", "odd"]
    assert [a.name for a in by_name(found, "prod").apps] == ["app-east", "cart", "shop", "apps", "odd"]
    titles = {p.title: (p.target, p.status) for p in found.pointers}
    assert titles["ApplicationSet argocd/clusters (app-east)"] == ("envs/prod", "")
    assert titles["ApplicationSet argocd/apps (cart)"] == ("apps/cart", "")
    assert titles["ApplicationSet argocd/apps"] == ("", "clusters generator is not expanded (only list, git directories and a matrix of those)")
    assert titles["ApplicationSet argocd/odd"] == ("", "template placeholder {{missing}} not expanded")
    # the excluded folder is no Application's: it stays with the plain manifests
    assert sorted(os.path.relpath(s, tmp_path) for s in labels(by_name(found, "plain manifests"))) == [
        "apps/legacy/svc.yaml"]


def test_a_flux_kustomization_names_its_path_and_a_foreign_source_none(tmp_path, fake_kustomize):
    write(tmp_path, "clusters/prod/apps.yaml", """\
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: apps, namespace: flux-system}
        spec:
          path: ./apps/prod
          sourceRef: {kind: GitRepository, name: flux-system}
        ---
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: vendor, namespace: flux-system}
        spec:
          path: ./deploy
          sourceRef: {kind: OCIRepository, name: vendor}
        """)
    write(tmp_path, "apps/prod/svc.yaml", service("web"))
    found = environments(tmp_path)
    # the cluster folder and what its Kustomizations reach: one environment, named after the folder
    assert names(found) == ["prod"]
    # vendor's source is not this repository: an app all the same, of nothing svcdocs reads
    # (clusters/prod holds only Flux configuration: its Kustomizations are the apps, not the folder)
    assert [(a.name, a.kind, a.path, a.sources) for a in by_name(found, "prod").apps] == [
        ("apps", "Kustomization", "apps/prod", (f"{tmp_path}/apps/prod/svc.yaml",)), ("vendor", "Kustomization", "", ())]
    status = {p.name: (p.environment, p.status) for p in found.pointers}
    assert status == {"apps": ("prod", ""), "vendor": ("", "its source is OCIRepository vendor, not this repository")}
    assert reports_for_paths([str(tmp_path)], Config()).empty == ()


HELM_RELEASE = """\
apiVersion: v1
kind: Namespace
metadata: {name: podinfo}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: podinfo, namespace: podinfo}
spec: {url: https://stefanprodan.github.io/podinfo}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo, namespace: podinfo}
spec:
  chart:
    spec:
      chart: podinfo
      version: ">=6.0.0"
      sourceRef: {kind: HelmRepository, name: podinfo}
  valuesFrom:
  - {kind: Secret, name: podinfo-values}
  values:
    ingress:
      enabled: true
      hosts: [{host: podinfo.example.com, paths: [{path: /, pathType: Prefix}]}]
"""


def test_a_helm_release_is_listed_and_rendered_only_with_helm_consent_and_remote_charts(tmp_path, chart_servers):
    write(tmp_path, "apps/podinfo.yaml", HELM_RELEASE.replace("https://stefanprodan.github.io/podinfo",
                                                              chart_servers.http))
    write(tmp_path, "apps/web.yaml", service("web"))
    found = environments(tmp_path)
    (release,) = [p for p in found.pointers if p.kind == "HelmRelease"]
    assert (release.chart.chart, release.chart.version, release.chart.repository) == \
        ("podinfo", ">=6.0.0", chart_servers.http)
    (item,) = found.not_rendered
    assert (item.kind, item.what, item.environment) == ("helm-release", "HelmRelease podinfo/podinfo", "plain manifests")
    assert item.reason == "helm runs only when you ask for it with --render helm"
    assert item.instead == (f"helm template --repo={chart_servers.http} '--version=>=6.0.0' --namespace=podinfo "
                            "--values=VALUES.yaml -- podinfo podinfo | svcdocs <command> -")
    no_remote = environments(tmp_path, render=LoadOptions(render=frozenset({"kustomize", "helm"})))
    assert "--allow-remote" in no_remote.not_rendered[0].reason
    rendered = reports_for_paths([str(tmp_path)], Config(), options=EnvironmentOptions(
        render=LoadOptions(render=frozenset({"kustomize", "helm"}), allow_remote=True)))
    (environment, report), = rendered.reports
    assert rendered.not_rendered == ()
    assert report.analysis.exposure["Service/podinfo/podinfo"].level == "internet"  # the inline values' Ingress
    (release,) = [p for p in rendered.pointers if p.kind == "HelmRelease"]
    assert release.status == "rendered without Secret podinfo-values: not in this environment"
    (inventory,) = environment.releases
    assert (inventory.chart, inventory.version, inventory.source) == ("podinfo", "6.9.3", chart_servers.http)


def test_a_helm_release_from_this_repository_needs_no_remote_consent(tmp_path, real_helm):
    write(tmp_path, "charts/podinfo/Chart.yaml", "apiVersion: v2\nname: podinfo\nversion: 1.0.0\n")
    write(tmp_path, "charts/podinfo/templates/svc.yaml", "kind: Service\napiVersion: v1\n"
          "metadata: {name: {{ .Release.Name }}, namespace: {{ .Release.Namespace }}}\n")
    write(tmp_path, "apps/release.yaml", """\
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata: {name: web, namespace: apps}
        spec:
          chart:
            spec: {chart: ./charts/podinfo, sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}}
        """)
    write(tmp_path, "apps/svc.yaml", service("x"))
    found = reports_for_paths([str(tmp_path)], Config(), options=EnvironmentOptions(render=LoadOptions(render=frozenset({"kustomize", "helm"}))))
    plain = dict((e.name, r) for e, r in found.reports)["plain manifests"]
    assert "Service/apps/web" in plain.analysis.exposure


# --- Identity, reports ------------------------------------------------------------------------

def test_the_same_object_in_two_environments_is_no_duplicate(overlays, fake_kustomize):
    write(overlays, "overlays/prod/again.yaml", service("web", "LoadBalancer"))  # a duplicate inside prod
    found = reports_for_paths([str(overlays)], Config())
    duplicates = {e.name: [f.object for f in r.findings if f.rule == "duplicate-object"] for e, r in found.reports}
    assert duplicates == {"dev": [], "prod": ["Service/default/web"], "plain manifests": []}
    levels = {e.name: r.analysis.exposure["Service/default/web"].level for e, r in found.reports if e.name != "plain manifests"}
    assert levels == {"dev": "node", "prod": "internet"}


def test_discovery_is_deterministic(overlays, fake_kustomize):
    assert environments(overlays) == environments(overlays)


# --- Public repositories, read by hand ----------------------------------------------------------

FIXTURES = ROOT / "tests" / "fixtures"


def _levels(found, environment: str) -> dict[str, str]:
    report = dict((e.name, r) for e, r in found.reports)[environment]
    return {k: v.level for k, v in report.analysis.exposure.items()}


@needs_kustomize
def test_shop_dev_staging_prod(monkeypatch):
    """environments-shop (written here; its README has the table this checks)."""
    monkeypatch.chdir(FIXTURES / "environments-shop")
    found = reports_for_paths(["."], Config())
    # one cluster, its ApplicationSet's Applications split by the overlay each deploys
    assert [e.name for e, _ in found.reports] == ["dev", "staging", "prod"]
    assert found.empty == ()
    assert {e.name: [a.name for a in e.apps] for e, _ in found.reports} == {
        "dev": ["shop-dev"], "staging": ["shop-staging"], "prod": ["shop-prod"]}
    dev, staging, prod = (_levels(found, s) for s in ("dev", "staging", "prod"))
    assert (dev["Service/shop-dev/web"], staging["Service/shop-staging/web"], prod["Service/shop-prod/prod-web"]) == \
        ("node", "internet", "internet")
    assert (dev["Service/shop-dev/api"], staging["Service/shop-staging/api"], prod["Service/shop-prod/prod-api"]) == \
        ("cluster", "cluster", "network")
    rules = {e.name: sorted({f.rule for f in r.findings}) for e, r in found.reports}
    # prod's internal load balancer admits 10.0.0.0/8, but api admits only web's pods: a dead way in
    assert rules == {"dev": ["nodeport-service"], "prod": ["entrypoint-blocked-by-policy"],
                     "staging": ["ingress-without-tls", "no-network-policy"]}
    pointed = {e.name: e.pointed_by for e, _ in found.reports}
    assert pointed["prod"] == ("ApplicationSet argocd/shop (shop-prod)",)


@needs_kustomize
def test_kubernetes_sigs_kustomize_examples(monkeypatch):
    monkeypatch.chdir(FIXTURES / "kustomize-examples")
    found = reports_for_paths(["."], Config())
    # ldap's and springboot's overlays share a layout: one environment per name, each overlay an app
    assert [e.name for e, _ in found.reports] == [
        "staging", "production", "examples/helloWorld", "examples/multibases", "examples/transformerconfigs/crd",
        "examples/wordpress", "plain manifests"]
    assert {e.name: [a.name for a in e.apps] for e, _ in found.reports if e.name in ("staging", "production")} == {
        "staging": ["examples/ldap/overlays/staging", "examples/springboot/overlays/staging"],
        "production": ["examples/ldap/overlays/production", "examples/springboot/overlays/production"]}
    assert [a.name for a in found.reports[-1][0].apps] == [
        "examples/mySql", "examples/validationTransformer"]  # plain folders, each an app
    assert _levels(found, "examples/helloWorld")["Service/default/the-service"] == "internet"  # type LoadBalancer
    assert _levels(found, "production")["Service/default/production-ldap-service"] == "cluster"
    assert _levels(found, "examples/wordpress")["Service/default/demo-wordpress"] == "internet"
    assert _levels(found, "examples/wordpress")["Service/default/demo-mysql"] == "cluster"
    assert _levels(found, "plain manifests")["Service/default/mysql"] == "cluster"
    # multibases includes dev, staging and production: one environment, never three
    multibases = dict((e.name, r) for e, r in found.reports)["examples/multibases"]
    assert sorted(w.name for w in multibases.model.workloads) == [
        "cluster-a-dev-myapp-pod", "cluster-a-prod-myapp-pod", "cluster-a-staging-myapp-pod"]
    not_rendered = {n.what: n.reason for n in found.not_rendered}
    assert set(not_rendered) == {"examples/loadHttp", "examples/transformerconfigs/images"}
    assert "--allow-remote" in not_rendered["examples/loadHttp"]
    assert "kustomizeconfig/mykind.yaml" in not_rendered["examples/transformerconfigs/images"]


@needs_kustomize
def test_microservices_demo_kustomize_with_its_components(monkeypatch):
    monkeypatch.chdir(FIXTURES / "microservices-demo-kustomize")
    found = reports_for_paths(["."], Config())
    tests = "kustomize/tests/"
    assert [e.name for e, _ in found.reports] == ["kustomize", f"{tests}memorystore-with-all-components",
                                                  f"{tests}service-mesh-istio-with-all-components",
                                                  f"{tests}spanner-with-all-components"]
    plain = _levels(found, "kustomize")
    assert plain["Service/default/frontend-external"] == "internet"  # type LoadBalancer
    assert plain["Deployment/default/frontend"] == "internet"
    assert plain["Service/default/redis-cart"] == "cluster"
    mesh = _levels(found, f"{tests}service-mesh-istio-with-all-components")
    assert "Service/default/frontend-external" not in mesh  # the component deletes it
    assert mesh["Service/default/frontend"] == "internet"  # through the HTTPRoute on the Gateway
    memorystore = _levels(found, f"{tests}memorystore-with-all-components")
    assert "Service/default/redis-cart" not in memorystore
    reports = dict((e.name, r) for e, r in found.reports)
    isolated = {name: any(e.kind == "isolates" for e in r.graph.edges) for name, r in reports.items()}
    assert isolated == {"kustomize": False, **{f"{tests}{t}-with-all-components": True
                                               for t in ("memorystore", "service-mesh-istio", "spanner")}}
    unused = sorted(n.what.removeprefix("kustomize/components/") for n in found.not_rendered if n.kind == "component")
    assert unused == ["alloydb", "container-images-registry", "container-images-tag", "container-images-tag-suffix",
                      "custom-base-url", "non-public-frontend", "shopping-assistant", "single-shared-session",
                      "without-loadgenerator"]


@needs_kustomize
def test_flux2_kustomize_helm_example(monkeypatch, tmp_path, chart_servers):
    # Its chart repositories, served here: podinfo's has podinfo; the others are empty.
    repositories = {url: "{http}" for url in ("https://stefanprodan.github.io/podinfo", "https://charts.jetstack.io",
                                               "https://kubernetes.github.io/ingress-nginx")}
    monkeypatch.chdir(copy_fixture(FIXTURES / "flux2-kustomize-helm-example", tmp_path / "repo", chart_servers,
                                   repositories))
    found = reports_for_paths(["."], Config())
    # one environment per cluster folder: all its Flux Kustomizations reach (infrastructure is in both)
    assert [e.name for e, _ in found.reports] == ["staging", "production"]
    assert found.empty == ()
    apps = {e.name: [(a.name, a.kind, a.path) for a in e.apps] for e, _ in found.reports}
    for stage in ("staging", "production"):
        assert apps[stage] == [
            ("apps", "Kustomization", f"apps/{stage}"),
            ("infra-controllers", "Kustomization", "infrastructure/controllers"),
            ("infra-configs", "Kustomization", "infrastructure/configs"),
            (f"clusters/{stage}/flux-system", "kustomization", f"clusters/{stage}/flux-system"),
            ("podinfo", "HelmRelease", f"apps/{stage}"),
            ("cert-manager", "HelmRelease", "infrastructure/controllers"),
            ("ingress-nginx", "HelmRelease", "infrastructure/controllers")]
    pointed = {e.name: e.pointed_by for e, _ in found.reports}
    assert pointed["production"] == ("Flux Kustomization flux-system/apps", "Flux Kustomization flux-system/infra-configs",
                                     "Flux Kustomization flux-system/infra-controllers")
    releases = sorted((p.environment, p.name, p.chart.version, p.chart.repository)
                      for p in found.pointers if p.kind == "HelmRelease")
    assert releases == [
        ("production", "podinfo", ">=1.0.0", chart_servers.http),
        ("staging", "podinfo", ">=1.0.0-alpha", chart_servers.http),
        ("staging, production", "cert-manager", "1.x", chart_servers.http),
        ("staging, production", "ingress-nginx", "*", chart_servers.http),
    ]
    assert {(n.what, n.environment) for n in found.not_rendered} == {
        (f"HelmRelease {r}", stage) for r in ("podinfo/podinfo", "cert-manager/cert-manager",
                                              "ingress-nginx/ingress-nginx") for stage in ("staging", "production")}
    # With helm, podinfo's real chart (6.9.3, what both constraints resolve to) with each overlay's values:
    rendered = reports_for_paths(["."], Config(), options=EnvironmentOptions(
        render=LoadOptions(render=frozenset({"kustomize", "helm"}), allow_remote=True)))
    hosts = {e.name: sorted({p.host for p in r.analysis.entrypoints if p.host}) for e, r in rendered.reports}
    assert hosts == {"staging": ["podinfo.staging"], "production": ["podinfo.production"]}
    versions = {e.name: [(r.chart, r.version) for r in e.releases if r.version] for e, _ in rendered.reports}
    assert versions["production"] == versions["staging"] == [("podinfo", "6.9.3")]
    (podinfo,) = [a for a in rendered.reports[1][0].apps if a.name == "podinfo"]
    assert (podinfo.kind, podinfo.chart, podinfo.version, podinfo.namespace) == ("HelmRelease", "podinfo", "6.9.3",
                                                                                 "podinfo")
    failed = {n.what: n.reason for n in rendered.not_rendered}
    assert "chart cert-manager 1.x is not in" in failed["HelmRelease cert-manager/cert-manager"]


@needs_kustomize
def test_argocd_example_apps(monkeypatch, real_helm):
    monkeypatch.chdir(FIXTURES / "argocd-example-apps")
    found = reports_for_paths(["."], Config())
    assert [e.name for e, _ in found.reports] == ["pre-post-sync", "sock-shop", "plain manifests"]
    not_rendered = {n.what: n.kind for n in found.not_rendered}
    assert not_rendered == {"apps": "chart", "blue-green": "chart", "helm-dependency": "chart",
                            "helm-guestbook": "chart", "plugins/kustomized-helm": "kustomization"}
    assert _levels(found, "sock-shop")["Service/default/front-end"] == "internet"  # the Ingress
    # Without the app of apps rendered, three unrelated folders share the plain environment, each an app:
    # the names they share are noted, never an error (nothing deploys them together)
    plain = dict((e.name, r) for e, r in found.reports)["plain manifests"]
    assert [a.name for a in found.reports[-1][0].apps] == ["guestbook", "helm-hooks", "sync-waves"]
    shared = {f.object: (f.severity, f.message) for f in plain.findings if f.rule == "duplicate-object"}
    assert shared["Service/default/frontend"] == ("info", "Service default/frontend is defined in both helm-hooks and "
                                                  "sync-waves, which are deployed apart; if both are applied, the later wins.")
    assert {severity for severity, _ in shared.values()} == {"info"}
    # With helm, the apps chart's Applications: one environment (the cluster they go to), each an app
    with_helm = reports_for_paths(["."], Config(), options=EnvironmentOptions(render=LoadOptions(render=frozenset({"kustomize", "helm"}))))
    assert [e.name for e, _ in with_helm.reports] == ["in-cluster"]
    assert sorted(a.name for a in with_helm.reports[0][0].apps) == [f"example.{name}" for name in (
        "blue-green", "guestbook", "helm-dependency", "helm-guestbook", "helm-hooks", "jsonnet-guestbook",
        "jsonnet-guestbook-tla", "kustomize-guestbook", "plugin-kasane", "plugin-kustomized-helm", "plugin-nix",
        "pre-post-sync", "sock-shop", "sync-waves")]  # those svcdocs cannot read are apps all the same
    # helm-dependency's chart needs wordpress from a chart repository: not without --allow-remote.
    assert "dependency wordpress: the chart comes from https://charts.helm.sh/stable" in \
        {n.what: n.reason for n in with_helm.not_rendered}["helm-dependency"]
    assert with_helm.empty == ()
    assert all(f.rule != "duplicate-object" for _, r in with_helm.reports for f in r.findings)
    status = {p.name: p.status or p.environment for p in with_helm.pointers if p.kind == "Application"}
    assert status["example.guestbook"] == "in-cluster"
    assert status["example.kustomize-guestbook"] == "in-cluster"
    assert status["example.jsonnet-guestbook"] == "jsonnet-guestbook is not a path in this repository"
    assert status["example.plugin-kustomized-helm"] == "rendered by the config management plugin kustomized-helm, which svcdocs does not run"
    # Objects that name no namespace go where the Application sends them:
    assert _levels(with_helm, "in-cluster")["Service/helm-guestbook/helm-guestbook"] == "cluster"
    assert _levels(with_helm, "in-cluster")["Service/guestbook/guestbook-ui"] == "cluster"


def test_pointers_of_every_wrong_shape_are_listed_never_a_crash(tmp_path):
    write(tmp_path, "argocd/odd.yaml", """\
        apiVersion: argoproj.io/v1alpha1
        kind: ApplicationSet
        metadata: {name: x}
        spec:
          generators: [just-a-string, 42, {list: {elements: [a, {b: [1]}]}}, {git: {directories: [{path: ../../etc}]}}]
          template: "not a mapping"
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {name: y}
        spec: {source: [1, 2], sources: {a: b}}
        ---
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata: {name: z}
        spec: {chart: 5, values: [1, 2]}
        ---
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: k}
        spec: {path: ../../../../etc, sourceRef: {kind: GitRepository, name: flux-system}}
        """)
    write(tmp_path, "web/svc.yaml", service("web"))
    found = environments(tmp_path)
    assert names(found) == ["plain manifests"]
    status = {(p.kind, p.name): p.status for p in found.pointers}
    assert status == {
        ("ApplicationSet", "x"): "this generator is not expanded (only list, git directories and a matrix of those)",
        ("HelmRelease", "z"): "it names no chart source (spec.chart.spec.sourceRef or spec.chartRef)",
        ("Kustomization", "k"): "../../../../etc is not a path in this repository",
    }


# --- Deployment targets: one test per shape -----------------------------------------------------

def flux_kustomization(name: str, path: str, namespace: str = "", source: str = "GitRepository") -> str:
    target = f"  targetNamespace: {namespace}\n" if namespace else ""
    return (f"apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
            f"metadata: {{name: {name}, namespace: flux-system}}\nspec:\n  path: {path}\n"
            f"  sourceRef: {{kind: {source}, name: flux-system}}\n{target}")


GOTK_SYNC = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {{name: flux-system, namespace: flux-system}}
spec: {{url: https://github.com/org/fleet}}
---
{root}"""


def flux_cluster(repo: Path, cluster: str, *kustomizations: str) -> None:
    """A bootstrapped cluster folder: flux-system (its GitRepository and the root
    Kustomization of the folder) and one file per Flux Kustomization."""
    write(repo, f"clusters/{cluster}/flux-system/kustomization.yaml", "resources: [gotk-sync.yaml]\n")
    write(repo, f"clusters/{cluster}/flux-system/gotk-sync.yaml",
          GOTK_SYNC.format(root=flux_kustomization("flux-system", f"./clusters/{cluster}")))
    for i, text in enumerate(kustomizations):
        write(repo, f"clusters/{cluster}/ks-{i}.yaml", text)


def apps_of(environment) -> dict[str, tuple[str, str]]:
    return {a.name: (a.kind, a.path) for a in environment.apps}


def rule_hits(found, rule: str) -> dict[str, list[tuple[str, str]]]:
    return {e.name: sorted((f.object, f.severity) for f in r.findings if f.rule == rule) for e, r in found.reports}


def test_a_flux_cluster_folder_is_one_environment_through_its_pointer_chain(tmp_path, fake_kustomize):
    flux_cluster(tmp_path, "production", flux_kustomization("apps", "./apps/production"))
    write(tmp_path, "apps/production/kustomization.yaml", "resources: [podinfo.yaml]\n")
    write(tmp_path, "apps/production/podinfo.yaml", flux_kustomization("podinfo", "./apps/podinfo", "podinfo"))
    write(tmp_path, "apps/podinfo/kustomization.yaml", "resources: [svc.yaml]\n")
    write(tmp_path, "apps/podinfo/svc.yaml", service("podinfo"))
    found = reports_for_paths([str(tmp_path)], Config())
    assert [e.name for e, _ in found.reports] == ["production"]
    (production, report), = found.reports
    assert (production.origin, production.path) == ("flux", f"{tmp_path}/clusters/production")
    assert apps_of(production) == {"flux-system": ("Kustomization", "clusters/production"),
                                   "apps": ("Kustomization", "apps/production"),
                                   "podinfo": ("Kustomization", "apps/podinfo")}
    # the Service once, where its Kustomization puts it
    assert [s.id for s in report.model.services] == ["Service/podinfo/podinfo"]
    assert {p.name: p.environment for p in found.pointers} == {"flux-system": "production", "apps": "production",
                                                               "podinfo": "production"}


def test_a_flux_kustomization_of_a_parent_folder_reads_each_app_once(tmp_path, fake_kustomize):
    write(tmp_path, "clusters/prod/all.yaml", flux_kustomization("all", "./") + "---\n"
          + flux_kustomization("podinfo", "./apps/podinfo", "podinfo"))
    write(tmp_path, "apps/podinfo/kustomization.yaml", "resources: [svc.yaml]\n")
    write(tmp_path, "apps/podinfo/svc.yaml", service("podinfo"))
    found = reports_for_paths([str(tmp_path)], Config())
    (prod, report), = found.reports
    assert prod.name == "prod"
    assert [s.id for s in report.model.services] == ["Service/podinfo/podinfo"]  # never once more in default
    assert report.model.duplicates == ()
    assert apps_of(prod) == {"all": ("Kustomization", "."), "podinfo": ("Kustomization", "apps/podinfo")}


def test_two_flux_clusters_share_their_infrastructure(tmp_path, fake_kustomize):
    for cluster in ("staging", "production"):
        flux_cluster(tmp_path, cluster, flux_kustomization("infrastructure", "./infrastructure"),
                     flux_kustomization("apps", f"./apps/{cluster}", "shop"))
        write(tmp_path, f"apps/{cluster}/kustomization.yaml", "resources: [web.yaml]\n")
        write(tmp_path, f"apps/{cluster}/web.yaml", service("web", "LoadBalancer" if cluster == "production" else "ClusterIP"))
    write(tmp_path, "infrastructure/kustomization.yaml", "resources: [ingress.yaml]\n")
    write(tmp_path, "infrastructure/ingress.yaml", service("ingress-nginx", "LoadBalancer"))
    found = reports_for_paths([str(tmp_path)], Config())
    assert [e.name for e, _ in found.reports] == ["staging", "production"]
    for environment, report in found.reports:
        assert apps_of(environment)["infrastructure"] == ("Kustomization", "infrastructure")
        assert {s.id for s in report.model.services} == {"Service/default/ingress-nginx", "Service/shop/web"}
    levels = {e.name: r.analysis.exposure["Service/shop/web"].level for e, r in found.reports}
    assert levels == {"staging": "cluster", "production": "internet"}
    (pointer,) = {p for p in found.pointers if p.name == "infrastructure" and p.file.endswith("staging/ks-0.yaml")}
    assert pointer.environment == "staging"


def test_an_argo_cd_app_of_apps_is_one_environment_per_destination_cluster(tmp_path):
    write(tmp_path, "argocd/root.yaml", application("root", "argocd/apps"))
    write(tmp_path, "argocd/apps/web.yaml", application("web", "apps/web"))
    write(tmp_path, "argocd/apps/edge.yaml", application("edge", "apps/edge").replace(
        "server: https://kubernetes.default.svc", "name: edge-eu"))
    write(tmp_path, "argocd/apps/remote.yaml", application("metrics", "apps/metrics").replace(
        "https://kubernetes.default.svc", "https://10.0.0.7:6443"))
    for app in ("web", "edge", "metrics"):
        write(tmp_path, f"apps/{app}/svc.yaml", service(app))
    found = environments(tmp_path)
    assert names(found) == ["10.0.0.7:6443", "edge-eu", "in-cluster"]
    assert apps_of(by_name(found, "in-cluster")) == {"root": ("Application", "argocd/apps"),
                                                     "web": ("Application", "apps/web")}
    assert apps_of(by_name(found, "edge-eu")) == {"edge": ("Application", "apps/edge")}
    edge = by_name(found, "edge-eu")
    assert edge.namespace == "edge"  # the Application's destination namespace
    assert by_name(found, "10.0.0.7:6443").origin == "argo"


def test_applications_to_one_cluster_split_by_the_environment_their_folders_name(tmp_path):
    write(tmp_path, "argocd/apps.yaml", "---\n".join(
        application(f"{app}-{env}", f"apps/{app}/envs/{env}") for app in ("cart", "shop") for env in ("qa", "prod")))
    write(tmp_path, "argocd/infra.yaml", application("infra", "infra"))
    for app in ("cart", "shop"):
        for env in ("qa", "prod"):
            write(tmp_path, f"apps/{app}/envs/{env}/svc.yaml", service(app))
    write(tmp_path, "infra/svc.yaml", service("ingress"))
    found = environments(tmp_path)
    assert names(found) == ["qa", "prod"]
    assert sorted(apps_of(by_name(found, "qa"))) == ["cart-qa", "infra", "shop-qa"]
    assert by_name(found, "prod").path == f"{tmp_path}/apps/*/envs/prod"


def test_per_service_overlays_give_one_environment_per_name_and_keep_services_apart(tmp_path, fake_kustomize):
    for svc in ("cart", "shop", "ledger/writer"):
        for env in ("development", "production"):
            write(tmp_path, f"src/{svc}/k8s/overlays/{env}/kustomization.yaml", "resources: [svc.yaml, ns.yaml]\n")
            write(tmp_path, f"src/{svc}/k8s/overlays/{env}/svc.yaml", service(svc.replace("/", "-")))
            # each service's overlay brings the namespace too: the same object, deployed apart
            write(tmp_path, f"src/{svc}/k8s/overlays/{env}/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: bank}\n")
    found = reports_for_paths([str(tmp_path)], Config())
    assert [e.name for e, _ in found.reports] == ["development", "production"]
    production = found.reports[1][0]
    assert production.path == f"{tmp_path}/src/**/k8s/overlays/production"
    assert [a.name for a in production.apps] == ["src/cart/k8s/overlays/production",
                                                 "src/ledger/writer/k8s/overlays/production",
                                                 "src/shop/k8s/overlays/production"]
    assert production.deployed_apart
    assert rule_hits(found, "duplicate-object") == {
        env: [("Namespace//bank", "info"), ("Namespace//bank", "info")] for env in ("development", "production")}


def test_a_catalog_of_independent_apps_has_no_duplicate_error(tmp_path, fake_kustomize):
    for app in ("guestbook", "blue-green", "sync-waves"):
        write(tmp_path, f"{app}/svc.yaml", service("frontend"))
    write(tmp_path, "kustomize-app/kustomization.yaml", "resources: [svc.yaml]\n")
    write(tmp_path, "kustomize-app/svc.yaml", service("frontend"))
    write(tmp_path, "guestbook/again.yaml", service("frontend"))  # twice in one app: an error
    found = reports_for_paths([str(tmp_path)], Config())
    assert [e.name for e, _ in found.reports] == ["kustomize-app", "plain manifests"]
    plain, report = found.reports[1]
    assert [a.name for a in plain.apps] == ["blue-green", "guestbook", "sync-waves"]
    messages = sorted((f.severity, f.message) for f in report.findings if f.rule == "duplicate-object")
    assert messages == [
        ("error", f"Service default/frontend is defined again here after {tmp_path}/guestbook/again.yaml:4, so one "
                  "definition silently replaces the other when both are applied."),
        ("info", "Service default/frontend is defined in both blue-green and guestbook, which are deployed apart; "
                 "if both are applied, the later wins."),
        ("info", "Service default/frontend is defined in both guestbook and sync-waves, which are deployed apart; "
                 "if both are applied, the later wins.")]


def test_a_release_bundle_beside_its_sources_is_no_duplicate_error(tmp_path):
    write(tmp_path, "config/web.yaml", service("web"))
    write(tmp_path, "release/bundle.yaml", service("web"))
    write(tmp_path, "argocd/app.yaml", application("other", "elsewhere", repo="https://github.com/org/other.git"))
    found = reports_for_paths([str(tmp_path)], Config())
    (plain, report), = found.reports
    assert [a.name for a in plain.apps] == ["config", "release", "other"]
    assert rule_hits(found, "duplicate-object") == {"plain manifests": [("Service/default/web", "info")]}


def test_environment_promotion_folders_are_environments(tmp_path, fake_kustomize):
    write(tmp_path, "base/kustomization.yaml", "resources: [web.yaml]\n")
    write(tmp_path, "base/web.yaml", service("web"))
    for env in ("prod-eu", "qa", "staging-us"):
        write(tmp_path, f"envs/{env}/kustomization.yaml", f"resources: [../../base]\nnamespace: {env}\n")
    found = environments(tmp_path)
    assert names(found) == ["qa", "staging-us", "prod-eu"]  # in the order a change goes through them
    assert apps_of(by_name(found, "qa")) == {"envs/qa": ("kustomization", "envs/qa")}


def test_names_grow_longer_only_where_two_would_collide(tmp_path, fake_kustomize):
    flux_cluster(tmp_path, "production", flux_kustomization("apps", "./apps"))
    write(tmp_path, "apps/svc.yaml", service("web"))
    write(tmp_path, "legacy/overlays/production/kustomization.yaml", "resources: [svc.yaml]\n")
    write(tmp_path, "legacy/overlays/production/svc.yaml", service("legacy"))
    write(tmp_path, "legacy/overlays/staging/kustomization.yaml", "resources: [svc.yaml]\n")
    write(tmp_path, "legacy/overlays/staging/svc.yaml", service("legacy"))
    found = environments(tmp_path)
    assert names(found) == ["staging", "clusters/production", "overlays/production"]


def test_many_environments_say_how_they_were_found_and_the_env_that_groups_them(tmp_path, fake_kustomize):
    for i in range(10):
        write(tmp_path, f"examples/app{i}/kustomization.yaml", "resources: [svc.yaml]\n")
        write(tmp_path, f"examples/app{i}/svc.yaml", service(f"app{i}"))
    found = environments(tmp_path)
    assert len(found.environments) == 10
    assert found.found_by == "10 environments: 10 by entry kustomization or chart outside such a layout."
    assert found.env_pattern == "--env examples=examples"
    few = environments(tmp_path / "examples" / "app1")
    assert (few.found_by, few.env_pattern) == ("", "")


def test_an_external_artifact_built_from_this_repository_is_followed(tmp_path, fake_kustomize):
    write(tmp_path, "clusters/production/artifacts.yaml", """\
        apiVersion: source.extensions.fluxcd.io/v1beta1
        kind: ArtifactGenerator
        metadata: {name: flux-system, namespace: flux-system}
        spec:
          sources: [{alias: repo, kind: GitRepository, name: flux-system}]
          artifacts:
          - name: apps
            copy:
            - {from: "@repo/apps/base/**", to: "@artifact/base/"}
            - {from: "@repo/apps/production/**", to: "@artifact/production/"}
          - name: bundle
            copy: [{from: "@repo/deploy/*.yaml", to: "@artifact/"}]
          - name: vendor
            copy: [{from: "@other/deploy/**", to: "@artifact/"}]
        """)
    write(tmp_path, "clusters/production/apps.yaml", "---\n".join([
        flux_kustomization("apps", "./production", source="ExternalArtifact").replace("name: flux-system}\n", "name: apps}\n"),
        flux_kustomization("bundle", "./", source="ExternalArtifact").replace("name: flux-system}\n", "name: bundle}\n"),
        flux_kustomization("missing", "./", source="ExternalArtifact").replace("name: flux-system}\n", "name: nope}\n"),
    ]))
    write(tmp_path, "apps/production/kustomization.yaml", "resources: [svc.yaml]\n")
    write(tmp_path, "apps/production/svc.yaml", service("web"))
    found = environments(tmp_path)
    assert names(found) == ["production"]
    status = {p.name: (p.target, p.status) for p in found.pointers}
    assert status["apps"] == ("apps/production", "")
    assert status["bundle"] == ("", "ExternalArtifact bundle is built by ArtifactGenerator flux-system/flux-system "
                                    "from files or patterns; svcdocs follows artifacts copied from whole folders")
    assert status["missing"] == ("", "its source is ExternalArtifact nope, which no ArtifactGenerator in this "
                                     "repository builds")


def test_a_matrix_generator_makes_one_application_per_folder_and_cluster(tmp_path):
    write(tmp_path, "argocd/addons.yaml", """\
        apiVersion: argoproj.io/v1alpha1
        kind: ApplicationSet
        metadata: {name: addons}
        spec:
          goTemplate: true
          generators:
          - matrix:
              generators:
              - git: {repoURL: https://github.com/org/deploy.git, directories: [{path: addons/*}]}
              - list: {elements: [{cluster: dev, url: "https://1.2.3.4"}, {cluster: prod, url: "https://2.4.6.8:6443"}]}
          - matrix: {generators: [{list: {elements: [{a: b}]}}]}
          template:
            metadata: {name: '{{.path.basename}}-{{.cluster}}'}
            spec:
              source: {repoURL: https://github.com/org/deploy.git, path: '{{.path.path}}'}
              destination: {server: '{{.url}}', namespace: '{{.path.basename}}'}
        """)
    for addon in ("metrics", "dns"):
        write(tmp_path, f"addons/{addon}/svc.yaml", service(addon))
    found = environments(tmp_path)
    # the same folders in two clusters: each cluster reads them, into its own environment
    assert names(found) == ["1.2.3.4", "2.4.6.8:6443"]
    assert [(a.name, a.namespace, a.cluster) for a in by_name(found, "1.2.3.4").apps] == [
        ("dns-dev", "dns", "1.2.3.4"), ("metrics-dev", "metrics", "1.2.3.4"),
        ("addons", "", "")]  # the ApplicationSet, for the generator it does not expand
    assert [a.name for a in by_name(found, "2.4.6.8:6443").apps] == ["dns-prod", "metrics-prod", "addons"]
    assert {p.status for p in found.pointers if not p.generated} == {"a matrix generator needs exactly two generators"}


def test_an_application_of_two_sources_is_one_app_and_a_hydrated_one_is_listed_not_read(tmp_path):
    """Two `sources` of one Application deploy into one app; an Application of
    Argo CD's source hydrator deploys another branch: an app, said not read."""
    repo = "https://github.com/org/deploy.git"
    write(tmp_path, "argocd/apps.yaml", f"""\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {{name: config, namespace: argocd}}
spec:
  sources:
  - {{repoURL: {repo}, targetRevision: main, path: config/a}}
  - {{repoURL: {repo}, targetRevision: main, path: config/b}}
  destination: {{server: https://kubernetes.default.svc, namespace: config}}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {{name: guestbook-dev, namespace: argocd}}
spec:
  sourceHydrator:
    drySource: {{repoURL: {repo}, targetRevision: HEAD, path: guestbook}}
    syncSource: {{targetBranch: env/dev, path: guestbook-dev}}
  destination: {{server: https://kubernetes.default.svc, namespace: guestbook}}
""")
    write(tmp_path, "config/a/svc.yaml", service("a"))
    write(tmp_path, "config/b/svc.yaml", service("b"))
    write(tmp_path, "guestbook/svc.yaml", service("guestbook"))
    found = environments(tmp_path)
    cluster = by_name(found, "in-cluster")
    apps = {a.name: a for a in cluster.apps}
    assert sorted(a.name for a in cluster.apps) == ["config", "guestbook-dev"]
    assert sorted(os.path.relpath(s, tmp_path) for s in apps["config"].sources) == ["config/a/svc.yaml",
                                                                                   "config/b/svc.yaml"]
    assert apps["guestbook-dev"].sources == ()
    hydrated = next(p for p in found.pointers if p.name == "guestbook-dev")
    assert "source hydrator commits to branch env/dev from guestbook" in hydrated.status
