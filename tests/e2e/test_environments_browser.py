"""The site of a repository with several environments, in headless Chromium:
the environments page, the Compare page and an environment's section render
with no console error and request nothing from the network, and the switcher
leads to the same page in another environment. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import ROOT
from svcdocs.config import Config
from svcdocs.pipeline import reports_for_paths
from svcdocs.render.site.build import build_environments, build_options
from test_browser import CHROMIUM, Visit, _serve, browser  # noqa: F401  (the browser fixture)

SHOP = ROOT / "tests" / "fixtures" / "environments-shop"
pytestmark = [pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium is not installed"),
              pytest.mark.skipif(not (shutil.which("kubectl") or shutil.which("kustomize")),
                                 reason="needs kubectl or kustomize")]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    out = tmp_path_factory.mktemp("e2e-environments") / "site"
    cwd = os.getcwd()
    os.chdir(SHOP)
    try:
        options = build_options((".",), str(out), site_url="https://owner.github.io/REPO/")
        build_environments(reports_for_paths(["."], Config()), options, say=lambda text: None)
    finally:
        os.chdir(cwd)
    server, url = _serve(out)
    yield url
    server.shutdown()


def test_the_environments_page_renders(browser, served):
    visit = Visit(browser, served)
    visit.check("environments.png")
    assert visit.page.title() == "Environments - environments-shop architecture"
    rows = visit.page.locator("table", has=visit.page.locator("th", has_text="Read from")).first.locator("tbody tr")
    assert [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())] == [
        "dev", "staging", "prod"]


def test_the_compare_page_renders_with_differences_highlighted(browser, served):
    visit = Visit(browser, served + "compare/")
    visit.check("compare.png")
    differs = visit.page.locator("tr.svcdocs-differs")
    assert differs.count() >= 5
    background = differs.first.locator("td").nth(1).evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(255, 248, 225)"


def test_the_switcher_leads_to_the_same_page_in_another_environment(browser, served):
    visit = Visit(browser, served + "envs/dev/exposure/")
    visit.check("environment-exposure.png")
    assert visit.page.locator(".svcdocs-diagram svg").count() >= 1
    visit.page.locator(".svcdocs-environments a", has_text="prod").click()
    visit.page.wait_for_url("**/REPO/envs/prod/exposure/")
    assert "shop.example.com" in visit.page.locator("article").inner_text()


@pytest.mark.parametrize("repository", ["argocd-example-apps", "flux2-kustomize-helm-example", "microservices-demo-kustomize",
                                        "kustomize-examples"])
def test_each_public_repository_gives_a_section_per_environment_and_a_compare_page(browser, repository,
                                                                                   tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT / "tests" / "fixtures" / repository)
    reports = reports_for_paths(["."], Config())
    build_environments(reports, build_options((".",), str(tmp_path / "site")), say=lambda text: None)
    server, url = _serve(tmp_path / "site")
    try:
        home = Visit(browser, url)
        home.check(f"{repository}-environments.png")
        environments = home.page.locator("table", has=home.page.locator("th", has_text="Read from"))  # not the table of what was not rendered
        links = environments.first.locator("tbody tr td:first-child a")
        assert links.count() == len(reports.reports) >= 2
        Visit(browser, url + "compare/").check(f"{repository}-compare.png")
        # the old page is idle already: wait for the navigation the click starts, not for a load state
        with home.page.expect_navigation(wait_until="networkidle"):
            links.first.click()
        assert home.page.locator(".svcdocs-environments").count() == 1  # the switcher
        assert home.problems == []
    finally:
        server.shutdown()
