"""A site of many environments in headless Chromium: the compact environment
switcher opens from the keyboard, lists every environment and leads to the
same page in another; every page of the site, the apps on each environment's
home included, has no serious accessibility violation (axe-core)."""

from __future__ import annotations

import pytest

from conftest import write
from svcdocs.config import Config
from svcdocs.load.environments import App, Environment, Environments
from svcdocs.load.sources import Source
from svcdocs.pipeline import reports_for_environments
from svcdocs.render.site.build import build_environments, build_options
from test_accessibility import AXE, pages_of, serious_violations
from test_browser import _serve, browser  # noqa: F401  (the browser fixture)

CLUSTERS = [f"clusters/cluster-{i:02}" for i in range(1, 11)]


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    """Ten environments, each with two apps."""
    root = tmp_path_factory.mktemp("fleet")
    for app, kind in (("web", "LoadBalancer"), ("api", "ClusterIP")):
        write(root, f"apps/{app}.yaml", f"""\
            apiVersion: v1
            kind: Service
            metadata: {{name: {app}, namespace: shop}}
            spec: {{type: {kind}, selector: {{app: {app}}}, ports: [{{port: 80}}]}}
            """)
    sources = tuple(Source(label=f"apps/{a}.yaml", path=str(root / "apps" / f"{a}.yaml")) for a in ("web", "api"))
    apps = (App("web", "Kustomization", "apps", ("apps/web.yaml",), namespace="shop"),
            App("podinfo", "HelmRelease", "", (), source="oci://ghcr.io/stefanprodan/charts", chart="podinfo",
                version="6.5.0"))
    found = Environments(tuple(Environment(name, name, "named", sources, apps=apps) for name in CLUSTERS),
                         found_by="one per Flux cluster folder", env_pattern="--env 'clusters/*'")
    out = root / "site"
    build_environments(reports_for_environments(found, Config()), build_options((str(root),), str(out), site_url="https://owner.github.io/REPO/"),
                       say=lambda _: None)
    return out


def test_the_switcher_opens_from_the_keyboard_and_leads_to_the_same_page(browser, fleet):
    server, url = _serve(fleet)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(url + "envs/clusters-cluster-03/exposure/", wait_until="load")
        menu = page.locator(".svcdocs-environments-menu")
        assert not menu.is_visible()
        page.locator("details.svcdocs-environments-select > summary").focus()
        page.keyboard.press("Enter")
        assert menu.is_visible() and menu.locator("a").count() == len(CLUSTERS)
        assert menu.locator("a[aria-current=page]").inner_text() == "clusters/cluster-03"
        menu.locator("a", has_text="clusters/cluster-07").click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/envs/clusters-cluster-07/exposure/")
        page.goto(url, wait_until="load")
        assert "svcdocs build --env 'clusters/*'" in page.locator(".svcdocs-found").inner_text()
    finally:
        page.close()
        server.shutdown()


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm ci --prefix tests/tools)")
def test_no_page_of_a_site_of_many_environments_has_a_serious_violation(browser, fleet):
    assert len(pages_of(fleet)) >= 60
    assert serious_violations(browser, fleet) == {}
