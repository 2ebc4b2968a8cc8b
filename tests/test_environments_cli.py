"""Every command on a repository with several environments: check names the
environment in each finding, graph prints one graph per environment, diff
reviews each environment in one comment, build makes a section per
environment and a Compare page. With one environment, every output is what it
always was (the other test files check that, unchanged)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, write
from svcdocs.load.sources import SITE_MARKER
from svcdocs.config import Config
from svcdocs.pipeline import reports_for_paths
from svcdocs.render.review_markdown import LIMIT
from svcdocs.render.site.build import build_environments, build_options
from test_environments import DEPLOYMENT, HELM_RELEASE, needs_kustomize, service
from test_site import assert_links_resolve, files_of

SHOP = ROOT / "tests" / "fixtures" / "environments-shop"


@pytest.fixture
def shop(tmp_path, monkeypatch) -> Path:
    """A copy of the shop repository, as the working directory."""
    copy = tmp_path / "shop"
    shutil.copytree(SHOP, copy)
    monkeypatch.chdir(copy)
    return copy


# --- check -----------------------------------------------------------------------------------

@needs_kustomize
def test_check_names_the_environment_of_each_finding(cli, shop):
    result = cli("check", ".", "--fail-on", "warning")
    assert result.exit_code == 1
    out = result.output
    assert ("base/web.yaml:27: warning nodeport-service: [dev] Service shop-dev/web is type NodePort"
            in out)
    assert "[staging] Ingress shop-staging/web serves staging.shop.example.com over plain HTTP" in out
    assert "6 findings in 4 files: 1 error, 5 warnings (3 environments)" in out
    assert "  prod: 1 error" in out and "plain manifests" not in out  # the ApplicationSet is each one's
    assert cli("check", ".").exit_code == 1  # the error is in prod only
    assert cli("check", "--env", "overlays/staging", ".").exit_code == 0


@needs_kustomize
def test_check_json_sarif_and_github_carry_the_environment(cli, shop):
    findings = json.loads(cli("check", ".", "--format", "json").stdout)["findings"]
    assert {(f["environment"], f["rule"]) for f in findings} == {
        ("dev", "nodeport-service"), ("staging", "no-network-policy"),
        ("staging", "ingress-without-tls"), ("prod", "entrypoint-blocked-by-policy")}
    sarif = json.loads(cli("check", ".", "--format", "sarif").stdout)
    results = sarif["runs"][0]["results"]
    assert {r["properties"]["environment"] for r in results} == {"dev", "staging", "prod"}
    assert all(r["message"]["text"].startswith(f"[{r['properties']['environment']}] ") for r in results)
    assert len({r["partialFingerprints"]["svcdocsFinding/v1"] for r in results}) == len(results)
    github = cli("check", ".", "--format", "github").stdout
    assert "::warning file=" in github and "::[dev] Service shop-dev/web is type NodePort" in github


def test_the_same_finding_in_two_environments_has_two_fingerprints(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for stage in ("dev", "prod"):
        write(tmp_path, f"{stage}/svc.yaml", service("web", "NodePort"))
    sarif = json.loads(cli("check", "--env", "dev", "--env", "prod", "--format", "sarif").stdout)
    results = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "nodeport-service"]
    assert [r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in results] == ["Service/default/web"] * 2
    assert len({r["partialFingerprints"]["svcdocsFinding/v1"] for r in results}) == 2


def test_check_says_what_was_not_rendered_in_its_summary(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "apps/podinfo.yaml", HELM_RELEASE)
    write(tmp_path, "apps/web.yaml", service("web") + "---\n" + DEPLOYMENT.format(name="web"))
    result = cli("check", ".", "--fail-on", "never")
    assert result.exit_code == 0
    assert "Not rendered (1):\n  apps/podinfo.yaml:10: HelmRelease podinfo/podinfo not rendered: helm runs only" in result.output
    assert result.output.rstrip().endswith("--values=VALUES.yaml -- podinfo podinfo | svcdocs check -")
    document = json.loads(cli("check", ".", "--format", "json").stdout)
    assert document["not_rendered"][0]["what"] == "HelmRelease podinfo/podinfo"
    sarif = json.loads(cli("check", ".", "--format", "sarif").stdout)
    (notice,) = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notice["message"]["text"].startswith("HelmRelease podinfo/podinfo not rendered: helm runs only")
    assert "::notice title=svcdocs not rendered::apps/podinfo.yaml:10:" in cli("check", ".", "--format", "github").stdout


def test_nothing_rendered_is_one_clear_error_with_the_reasons(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "app/kustomization.yaml", "resources: [https://example.com/all.yaml]\n")
    result = cli("check", ".")
    assert result.exit_code == 2
    assert "app not rendered: resources entry 'https://example.com/all.yaml': names a remote" in result.output
    assert "instead: kubectl kustomize app | svcdocs check -" in result.output
    assert "svcdocs: no Kubernetes manifests found in . (1 not rendered, said above)" in result.output


# --- graph -------------------------------------------------------------------------------------

@needs_kustomize
def test_graph_json_is_one_graph_per_environment(cli, shop):
    document = json.loads(cli("graph", ".").stdout)
    assert document["schema"] == "svcdocs.environments/v1"
    assert [e["name"] for e in document["environments"]] == ["dev", "staging", "prod"]
    prod = document["environments"][2]
    assert prod["graph"]["schema"] == "svcdocs.graph/v1" and prod["from"] == "argo"
    assert prod["graph"]["exposure"]["Service/shop-prod/prod-api"] == "network"
    assert prod["pointed_by"] == ["ApplicationSet argocd/shop (shop-prod)"]
    assert document["empty"] == []
    assert {p["target"] for p in document["pointers"]} == {"overlays/dev", "overlays/staging", "overlays/prod"}


@needs_kustomize
def test_graph_dot_draws_one_environment_picked_with_env(cli, shop):
    refused = cli("graph", ".", "--format", "dot")
    assert refused.exit_code == 2 and "3 environments (dev, staging, prod)" in refused.output
    picked = cli("graph", "--env", "overlays/prod", "--format", "dot")
    assert picked.exit_code == 0 and picked.output.startswith("digraph")


def test_a_single_environment_graph_lists_what_was_not_rendered(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "apps/podinfo.yaml", HELM_RELEASE)
    document = json.loads(cli("graph", ".").stdout)
    assert document["schema"] == "svcdocs.graph/v1"
    assert [n["what"] for n in document["not_rendered"]] == ["HelmRelease podinfo/podinfo"]
    assert document["pointers"][0]["chart"] == {"chart": "podinfo", "version": ">=6.0.0",
                                                "repository": "https://stefanprodan.github.io/podinfo",
                                                "release": "podinfo"}
    assert "podinfo.example.com" not in json.dumps(document)  # inline values are for helm only


# --- diff --------------------------------------------------------------------------------------

def _expose_prod_api(folder: Path) -> None:
    patch = folder / "overlays" / "prod" / "api-internal-lb.yaml"
    patch.write_text(patch.read_text().replace('aws-load-balancer-internal: "true"', 'aws-load-balancer-internal: "false"'))


@needs_kustomize
def test_diff_reviews_each_environment_in_one_comment(cli, shop, tmp_path):
    head = tmp_path / "head"
    shutil.copytree(shop, head)
    _expose_prod_api(head)
    shutil.copytree(head / "overlays" / "staging", head / "overlays" / "qa")
    result = cli("diff", str(shop), str(head), "--fail-on-exposure")
    assert result.exit_code == 1
    text = result.output
    assert text.startswith("<!-- svcdocs-review -->\n## ⚠ More exposed in 2 of 4 environments: qa, prod")
    assert "| dev, staging | No architectural changes |" in text  # unchanged: one row
    assert "### prod: ⚠ 1 Service and 1 workload declared reachable from the internet, but blocked by NetworkPolicies" in text
    assert ("| ⬆️ | Service shop-prod/prod-api | network (NetworkPolicies admit: cluster) | **internet** "
            "(NetworkPolicies admit: cluster) | type LoadBalancer |") in text
    assert "### qa: New environment" in text
    assert "### dev" not in text  # unchanged: only in the table
    document = json.loads(cli("diff", str(shop), str(head), "--format", "json").stdout)
    assert document["schema"] == "svcdocs.review-environments/v1" and document["more_exposed"]
    status = {e["environment"]: e["status"] for e in document["environments"]}
    assert status == {"dev": "unchanged", "qa": "added", "staging": "unchanged",
                      "prod": "changed"}


def test_diff_of_many_environments_stays_under_githubs_limit(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for side, kind in (("base", "ClusterIP"), ("head", "LoadBalancer")):
        for i in range(30):
            write(tmp_path, f"{side}/envs/e{i:02}/svcs.yaml",
                  "---\n".join(service(f"service-with-a-long-name-{n:03}", kind) for n in range(100 + i)))
    result = cli("diff", "--env", "envs/*", "base", "head")  # each --env PATH inside BASE and inside HEAD
    assert result.exit_code == 0, result.output
    assert len(result.output.encode()) < LIMIT
    assert "More exposed in 30 of 30 environments" in result.output
    assert "Left out to fit GitHub's limit" in result.output or result.output.count("### envs/") == 30


@needs_kustomize
def test_diff_git_reviews_each_environment(cli, shop):
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "shop"], check=True)
    _expose_prod_api(shop)
    result = cli("diff", "--git", "HEAD", ".")
    assert "## ⚠ More exposed in 1 of 3 environments: prod" in result.output
    assert "<sub>svcdocs diff: . at HEAD → .</sub>" in result.output
    assert [line for line in result.stdout.splitlines() if line.startswith("### ")] == [
        "### prod: ⚠ 1 Service and 1 workload declared reachable from the internet, but blocked by NetworkPolicies"
        "; 1 object changed"]


# --- build -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shop_site(tmp_path_factory) -> Path:
    if not (shutil.which("kubectl") or shutil.which("kustomize")):
        pytest.skip("needs kubectl or kustomize")
    out = tmp_path_factory.mktemp("shop") / "site"
    cwd = os.getcwd()
    os.chdir(SHOP)
    try:
        reports = reports_for_paths(["."], Config())
        options = build_options((".",), str(out), site_url="https://owner.github.io/shop/",
                                repo_url="https://github.com/owner/shop")
        build_environments(reports, options, say=lambda text: None)
    finally:
        os.chdir(cwd)
    return out


def test_the_site_has_a_section_per_environment_and_a_compare_page(shop_site):
    for page in ("index.html", "compare/index.html"):
        assert (shop_site / page).is_file()
    for slug in ("dev", "staging", "prod"):
        for page in ("index.html", "exposure/index.html", "patterns/index.html", "findings/index.html",
                     "rules/index.html", "namespaces/index.html"):
            assert (shop_site / "envs" / slug / page).is_file(), (slug, page)
    assert (shop_site / "envs" / "prod" / "namespaces" / "shop-prod" / "index.html").is_file()
    assert (shop_site / "envs" / "prod" / "services" / "shop-prod" / "prod-web" / "index.html").is_file()
    assert not (shop_site / "exposure").exists()


def test_the_home_page_lists_environments_and_pointers(shop_site):
    home = (shop_site / "index.html").read_text(encoding="utf-8")
    for text in ('href="envs/prod/"', "ApplicationSet argocd/shop (shop-prod)", "argocd/shop.yaml:1",
                 "Argo CD Applications deploying", 'href="compare/"'):
        assert text in home, text


def test_the_compare_page_highlights_what_differs(shop_site):
    page = (shop_site / "compare" / "index.html").read_text(encoding="utf-8")
    rows = page.split("<tr")
    web = next(r for r in rows if "Service web" in r)
    assert 'class="svcdocs-differs"' in web
    assert "NodePort" in web and "Ingress shop.example.com/" in web and "Ingress staging.shop.example.com/" in web
    db = next(r for r in rows if "Service db" in r)
    assert "svcdocs-differs" not in db  # headless and cluster-only everywhere
    workload = next(r for r in rows if "Deployment web" in r)
    assert "no NetworkPolicy" in workload and "isolated by 2 NetworkPolicies" in workload
    assert "staging.shop.example.com" in page.split('id="entry-points"')[1]


def test_every_environment_page_starts_with_the_switcher(shop_site):
    page = (shop_site / "envs" / "staging" / "exposure" / "index.html").read_text(encoding="utf-8")
    switcher = page.split('class="svcdocs-environments"')[1].split("</div>")[0]
    assert 'href="../../prod/exposure/"' in switcher  # the same page in another environment
    assert 'aria-current="page">staging<' in switcher
    assert 'href="../../../compare/"' in switcher
    service = (shop_site / "envs" / "prod" / "services" / "shop-prod" / "prod-web" / "index.html").read_text()
    line = service.split('class="svcdocs-environments"')[1].split("</div>")[0]
    assert 'href="../../../../../compare/#service-web">This Service in every environment<' in line
    assert 'id="service-web"' in (shop_site / "compare" / "index.html").read_text()


def test_every_link_of_the_environments_site_resolves(shop_site):
    assert_links_resolve(shop_site, "/shop/")


@needs_kustomize
def test_the_environments_site_is_the_same_bytes_twice(shop_site, tmp_path, monkeypatch):
    monkeypatch.chdir(SHOP)
    options = build_options((".",), str(tmp_path / "site"), site_url="https://owner.github.io/shop/",
                            repo_url="https://github.com/owner/shop")
    build_environments(reports_for_paths(["."], Config()), options, say=lambda text: None)
    first, second = files_of(shop_site), files_of(tmp_path / "site")
    assert first.keys() == second.keys()
    # the marker's proof signs the folder's path with this user's secret; the rest is the same bytes
    assert [name for name in first if first[name] != second[name]] == [SITE_MARKER]


def test_a_single_environment_site_says_what_was_not_rendered_on_its_home_page(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "apps/podinfo.yaml", HELM_RELEASE)
    result = cli("build", ".", "-o", str(tmp_path / "out" / "site"))
    assert result.exit_code == 0, result.output
    home = (tmp_path / "out" / "site" / "index.html").read_text(encoding="utf-8")
    assert "Not rendered" in home and "HelmRelease podinfo/podinfo" in home
    assert "helm template --repo=https://stefanprodan.github.io/podinfo" in home
    assert "--values=VALUES.yaml -- podinfo podinfo | svcdocs build -" in home
    assert not (tmp_path / "out" / "site" / "compare").exists()


def test_environment_names_are_escaped_everywhere(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a/svc.yaml", service("web", "NodePort"))
    write(tmp_path, "b/svc.yaml", service("web"))
    name = "<script>alert(1)</script>"
    result = cli("build", "--env", f"{name}=a", "--env", "b", "-o", str(tmp_path / "out" / "site"))
    assert result.exit_code == 0, result.output
    for page in (tmp_path / "out" / "site").rglob("*.html"):
        assert "<script>alert" not in page.read_text(encoding="utf-8"), page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (tmp_path / "out" / "site" / "compare" / "index.html").read_text()


@needs_kustomize
@pytest.mark.parametrize("mode", ["paths", "git"])
def test_a_folder_that_becomes_a_kustomization_fails_the_gate(cli, tmp_path, monkeypatch, mode):
    """A pull request adds kustomization.yaml to a folder of plain files in a
    repository svcdocs reads as environments: the folder is read differently,
    which the review says at the top and --fail-on-exposure fails on, though
    nothing new is exposed."""
    for side in ("base", "head"):
        write(tmp_path, f"{side}/app/svc.yaml", service("web"))
        write(tmp_path, f"{side}/other/svc.yaml", service("other"))
        write(tmp_path, f"{side}/overlays/prod/kustomization.yaml", "resources: [../../other/svc.yaml]\n")
    write(tmp_path, "head/app/kustomization.yaml", "resources: [svc.yaml]\n")
    if mode == "paths":
        monkeypatch.chdir(tmp_path)
        result = cli("diff", "base", "head", "--fail-on-exposure")
    else:
        repo = tmp_path / "base"
        monkeypatch.chdir(repo)
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
        subprocess.run([*git, "init", "-q"], check=True)
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-qm", "base"], check=True)
        shutil.copy(tmp_path / "head" / "app" / "kustomization.yaml", repo / "app" / "kustomization.yaml")
        subprocess.run([*git, "add", "-A"], check=True)  # a pull request's files are tracked in its checkout
        result = cli("diff", "--git", "HEAD", ".", "--fail-on-exposure")
    assert result.exit_code == 1, result.output
    assert "## ⚠ Changes svcdocs cannot judge in 1 of" in result.stdout
    assert "app is read differently: plain files at BASE, a kustomization at HEAD" in result.stdout


@needs_kustomize
def test_check_passes_a_catalog_of_apps_deployed_apart(cli, tmp_path, monkeypatch):
    """Sibling folders that each define Service frontend, and a release bundle
    built from one of them: noted, never an error."""
    monkeypatch.chdir(tmp_path)
    for folder in ("guestbook", "helm-hooks", "release"):
        write(tmp_path, f"{folder}/svc.yaml", service("frontend") + "---\n" + DEPLOYMENT.format(name="frontend"))
    write(tmp_path, "overlays/prod/kustomization.yaml", "resources: [svc.yaml]\n")
    write(tmp_path, "overlays/prod/svc.yaml", service("api") + "---\n" + DEPLOYMENT.format(name="api"))
    result = cli("check", ".", "--format", "json")
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)["findings"]
    assert sorted((f["severity"], f["object"]) for f in findings if f["rule"] == "duplicate-object") == [
        ("info", "Deployment/default/frontend"), ("info", "Deployment/default/frontend"),
        ("info", "Service/default/frontend"), ("info", "Service/default/frontend")]


def test_what_is_not_rendered_in_several_environments_says_which():
    from svcdocs.load.discovery_renders import NotRendered
    from svcdocs.render.environment_findings import not_rendered_text
    items = [NotRendered("HelmRelease apps/podinfo", "helm-release", "apps/podinfo.yaml", 3, "no helm", "", env)
             for env in ("staging", "production")]
    text = not_rendered_text(items)
    assert "  [staging] apps/podinfo.yaml:3: HelmRelease apps/podinfo not rendered: no helm" in text
    assert "  [production] apps/podinfo.yaml:3:" in text
    assert "[" not in not_rendered_text(items[:1])  # one environment: as before
