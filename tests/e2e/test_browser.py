"""The built site in a real browser: headless Chromium (Debian's `chromium`,
which .ci/run installs) through Playwright, served on 127.0.0.1 under a project
path as GitHub Pages serves it. The pages render with no console errors and
request nothing from the network; screenshots go to tests/artifacts/. Each test
runs on the site of each engine (mkdocs, and Zensical where it is installed)."""

from __future__ import annotations

import functools
import http.server
import importlib.util
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import sites
from conftest import ROOT, SAMPLES
from svcdocs.config import Config
from svcdocs.pipeline import report_for_paths
from svcdocs.render.site import build as site_build
from svcdocs.render.site.build import build_options, build_site

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
PREFIX = "/REPO/"
ARTIFACTS = ROOT / "tests" / "artifacts"

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")


class _ProjectPath(http.server.SimpleHTTPRequestHandler):
    """Serves the site under /REPO/ only, like a GitHub Pages project site."""

    def translate_path(self, path):
        if not path.startswith(PREFIX):
            return str(Path(self.directory) / "does-not-exist")
        return super().translate_path("/" + path[len(PREFIX):])

    def log_message(self, format, *args):
        pass


def _serve(folder: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_ProjectPath, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"


ENGINES = ["mkdocs", pytest.param("zensical", marks=pytest.mark.skipif(
    importlib.util.find_spec("zensical") is None, reason="zensical is not installed (pip install 'svcdocs[zensical]')"))]


def _build(out: Path, engine: str) -> None:
    options = build_options((str(SAMPLES),), str(out), site_url="https://owner.github.io/REPO/", engine=engine)
    build_site(report_for_paths([str(SAMPLES)], Config()), options, say=lambda text: None)


def sample_site(tmp_path_factory, engine: str) -> Path:
    """The sample site built with `engine`, once for every browser test."""
    return sites.site(tmp_path_factory, f"sample-{engine}", lambda out: _build(out, engine))


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module", params=ENGINES)
def engine(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def served(tmp_path_factory, engine):
    server, url = _serve(sample_site(tmp_path_factory, engine))
    yield url
    server.shutdown()


class Visit:
    """A page load that records console errors, page errors and every request."""

    def __init__(self, browser, url: str, width: int = 1400, height: int = 1000):
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(url, wait_until="networkidle")

    def check(self, screenshot: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
        assert self.problems == []
        outside = [u for u in self.requests if urlsplit(u).hostname not in ("127.0.0.1",) and not u.startswith("data:")]
        assert outside == []


def test_the_home_page_renders(browser, served, engine):
    visit = Visit(browser, served)
    visit.check(f"home-{engine}.png")
    assert visit.page.title() == "Overview - sample-manifests architecture"
    assert visit.page.locator(".svcdocs-diagram svg").count() == 1
    assert visit.page.locator(".svcdocs-diagram svg").bounding_box()["height"] > 200


def test_an_exposure_diagram_renders_and_its_nodes_lead_to_their_pages(browser, served, engine):
    visit = Visit(browser, served + "exposure/")
    visit.check(f"exposure-{engine}.png")
    node = visit.page.locator(".svcdocs-diagram a[*|href$='services/shop/frontend/']").first
    assert node.get_attribute("data-tip").startswith("Service shop/frontend")  # the script shows it
    node.click()  # the first click selects the box (the paths into it), the second opens its page
    node.click()
    visit.page.wait_for_url("**/REPO/services/shop/frontend/")
    assert visit.page.title().startswith("Service shop/frontend - ")


def test_a_service_page_renders(browser, served, engine):
    visit = Visit(browser, served + "services/payments/payment-webhooks/")
    visit.check(f"service-{engine}.png")
    text = visit.page.locator("article").inner_text()
    assert "pay.example.com/webhooks/card" in text and "Gateway shop/shop-gateway" in text


def test_a_namespace_page_renders(browser, served, engine):
    visit = Visit(browser, served + "namespaces/shop/")
    visit.check(f"namespace-{engine}.png")
    assert visit.page.locator("#deployment-frontend").count() == 1


def test_the_reachability_section_says_who_reaches_each_workload(browser, served):
    visit = Visit(browser, served + "namespaces/data/")
    section = visit.page.locator("#reachability")
    section.scroll_into_view_if_needed()
    visit.check("reachability.png")
    row = visit.page.locator("#reach-statefulset-postgres")
    assert row.count() == 1
    cells = row.locator("td").all_inner_texts()
    assert cells[0] == "StatefulSet postgres"
    assert "Deployment shop/catalog (TCP 5432)" in cells[3] and "Deployment ops/pgweb (TCP 5432)" in cells[3]
    assert "allow-postgres-clients" in cells[4]
    diagram = visit.page.locator("xpath=//h2[@id='reachability']/following::figure[contains(@class,'svcdocs-diagram')][1]//*[local-name()='svg']")
    assert "TCP 5432" in diagram.inner_html()
    link = diagram.locator("a[*|href$='shop/#reachability']").first
    link.click()
    link.click()
    visit.page.wait_for_url("**/REPO/namespaces/shop/#reachability")


def test_blocked_and_restricted_ways_in_are_marked_on_the_home_page(browser, served):
    visit = Visit(browser, served)
    blocked = visit.page.locator("tr:has(.svcdocs-policy-blocked)").all_inner_texts()
    assert "1 blocked" in blocked[0]  # the counts by level
    assert any("admin.shop.example.com" in row for row in blocked[1:])  # the way in itself
    restricted = visit.page.locator("tr:has(.svcdocs-policy-restricted)").all_inner_texts()
    assert any("only pods of namespace ingress-nginx" in r for r in restricted)


@pytest.mark.parametrize("engine_name", ENGINES)
def test_the_mermaid_fallback_renders_offline(browser, tmp_path, monkeypatch, engine_name):
    monkeypatch.setattr(site_build.shutil, "which", lambda name: None if name == "dot" else shutil.which(name))
    _build(tmp_path / "site", engine_name)
    server, url = _serve(tmp_path / "site")
    try:
        visit = Visit(browser, url)
        visit.page.wait_for_selector("div.mermaid", state="attached", timeout=15000)
        visit.check(f"home-mermaid-{engine_name}.png")
        assert any(u.endswith("assets/javascripts/mermaid.min.js") for u in visit.requests)
        assert visit.page.locator(".svcdocs-legend-explore").first.is_hidden()  # no zoom, no paths: not said
    finally:
        server.shutdown()
