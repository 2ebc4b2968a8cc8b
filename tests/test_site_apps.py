"""The site and the JSON show each environment's apps (Environment.apps: what
discovery found deployed apart inside it) with their Services; past a few
environments the switcher is a compact list and the home page says how the
environments were found. With no apps, nothing new is shown."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import write
from svcdocs.config import Config
from svcdocs.load.environments import App, Environment, Environments
from svcdocs.load.origin import Origins
from svcdocs.load.sources import Source
from svcdocs.pipeline import reports_for_environments
from svcdocs.render import environments_json
from svcdocs.render.site.apps import files_of
from svcdocs.render.site.build import build_environments, build_options
from svcdocs.render.site.environments import environment_site
from svcdocs.render.site.pages import SiteOptions
from test_site import assert_links_resolve

SERVICE = """\
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  type: {type}
  selector: {{app: {name}}}
  ports: [{{port: 80}}]
"""


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """Two apps of plain folders: web (a LoadBalancer) and api; an Argo CD Application declares web."""
    root = tmp_path / "repo"
    write(root, "apps/web/service.yaml", SERVICE.format(name="web", namespace="shop", type="LoadBalancer"))
    write(root, "apps/api/service.yaml", SERVICE.format(name="api", namespace="shop", type="ClusterIP"))
    write(root, "argocd/web.yaml", "# the Application\n")
    monkeypatch.chdir(root)
    return root


def environment(name: str, apps: bool = True) -> Environment:
    sources = tuple(Source(label=f"apps/{app}/service.yaml", path=f"apps/{app}/service.yaml")
                    for app in ("web", "api"))
    found = (App("web", "Application", "apps/web", ("apps/web/service.yaml",), namespace="shop",
                 declared=("argocd/web.yaml", 1)),
             App("podinfo", "HelmRelease", "", (), source="https://stefanprodan.github.io/podinfo",
                 chart="podinfo", version="6.5.0"),
             App("api", "folder", "apps/api", ("apps/api/service.yaml",)))
    return Environment(name, f"clusters/{name}", "named", sources, apps=found if apps else ())


def reports(*names: str, apps: bool = True, **found):
    return reports_for_environments(Environments(tuple(environment(n, apps) for n in names), **found), Config())


def home_of(site, prefix: str):
    return next(p for p in site.pages if p.path == f"{prefix}index.md")


def test_each_environment_home_lists_its_apps_with_their_services(repo):
    site = environment_site(reports("dev", "prod"), SiteOptions("shop", repo_url="https://github.com/o/r/blob/main/"))
    rows = home_of(site, "envs/dev/").context["apps"]
    assert [(r["name"], r["kind"], r["from"]) for r in rows] == [
        ("web", "Argo CD Application", "apps/web"),
        ("podinfo", "Flux HelmRelease", "chart podinfo version 6.5.0 from https://stefanprodan.github.io/podinfo"),
        ("api", "folder", "apps/api")]
    web, podinfo, api = rows
    assert [(l.text, l.level) for l in web["services"]] == [("shop/web", "internet")]
    assert web["services"][0].url == "services/shop/web/"
    assert list(podinfo["services"]) == [] and [l.text for l in api["services"]] == ["shop/api"]
    assert web["declared"].text == "argocd/web.yaml:1"
    assert web["declared"].url == "https://github.com/o/r/blob/main/argocd/web.yaml#L1"
    home = next(p for p in site.pages if p.path == "index.md").context
    assert home["apps"] and [e["apps"] for e in home["environments"]] == [3, 3]


def test_the_built_site_shows_apps_and_links_resolve(repo, tmp_path):
    out = tmp_path / "site"
    build_environments(reports("dev", "prod"), build_options((str(repo),), str(out), site_url="https://o.github.io/r/"),
                       say=lambda _: None)
    page = (out / "envs" / "dev" / "index.html").read_text(encoding="utf-8")
    assert 'id="apps"' in page and "chart podinfo version 6.5.0" in page
    assert 'href="services/shop/web/">shop/web</a>' in page
    assert 'href="envs/dev/#apps">3</a>' in (out / "index.html").read_text(encoding="utf-8")
    assert_links_resolve(out, "/r/")


def test_one_environment_with_apps_shows_them_on_its_home(repo, tmp_path):
    out = tmp_path / "site"
    build_environments(reports("dev"), build_options((str(repo),), str(out)), say=lambda _: None)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="apps"' in page and "Argo CD Application" in page


def test_without_apps_nothing_new_is_shown(repo):
    site = environment_site(reports("dev", "prod", apps=False), SiteOptions("shop"))
    assert "apps" not in home_of(site, "envs/dev/").context
    home = next(p for p in site.pages if p.path == "index.md").context
    assert not home["apps"] and home["found"] is None


def test_many_environments_get_a_compact_switcher_and_say_how_they_were_found(repo):
    names = [f"cluster-{i:02}" for i in range(12)]
    found = reports(*names, found_by="one per Flux cluster folder (clusters/*/flux-system)",
                    env_pattern="--env 'clusters/*'")
    site = environment_site(found, SiteOptions("fleet"))
    home = next(p for p in site.pages if p.path == "index.md")
    assert home.context["found"] == {"by": "one per Flux cluster folder (clusters/*/flux-system)",
                                     "pattern": "--env 'clusters/*'",
                                     "command": "svcdocs build --env 'clusters/*'"}
    banner = next(p for p in site.pages if p.path == "envs/cluster-03/exposure.md").banner
    assert "<details" in banner and "switch to one of 12" in banner
    assert banner.count("<li>") == 12 and 'aria-current="page"><strong>cluster-03</strong>' in banner
    assert 'href="../../cluster-07/exposure/"' in banner
    # a few environments keep the row of buttons, and no word of how they were found
    few = environment_site(reports("dev", "prod", found_by="one per overlay", env_pattern="--env 'x/*'"),
                           SiteOptions("shop"))
    assert "<details" not in home_of(few, "envs/dev/").banner
    assert next(p for p in few.pages if p.path == "index.md").context["found"] is None


def test_the_json_lists_apps_per_environment_and_how_they_were_found(repo):
    from test_schemas import valid
    document = environments_json.environments_document(
        reports("dev", "prod", found_by="one per overlay name", env_pattern="--env 'overlays/*'"))
    valid("environments", json.loads(json.dumps(document)))
    assert document["found_by"] == "one per overlay name" and document["env_pattern"] == "--env 'overlays/*'"
    apps = document["environments"][0]["apps"]
    assert apps[0] == {"name": "web", "kind": "Application", "path": "apps/web",
                       "sources": ["apps/web/service.yaml"], "namespace": "shop", "file": "argocd/web.yaml",
                       "line": 1}
    assert apps[1]["chart"] == "podinfo" and apps[1]["version"] == "6.5.0"
    plain = environments_json.environments_document(reports("dev", "prod", apps=False))
    assert "apps" not in plain["environments"][0] and "found_by" not in plain


def test_a_renders_objects_belong_to_the_files_its_origins_name():
    origins = Origins("overlays/prod", "kustomization.yaml",
                      (("../../base/web.yaml", "../../base/web.yaml", b""), ("ingress.yaml", "ingress.yaml", b"")))
    source = Source(label="overlays/prod (kustomize)", data=b"", origins=origins)
    assert files_of(source) == {"overlays/prod (kustomize)", "overlays/prod/kustomization.yaml", "base/web.yaml",
                                "overlays/prod/ingress.yaml"}
    assert files_of(replace(source, origins=None)) == {"overlays/prod (kustomize)"}
