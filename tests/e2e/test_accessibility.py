"""Every page of the sample site (with each engine) and of a generated site
of 200 Services, checked by axe-core in headless Chromium in the light and
the dark scheme: no serious or critical violation.

axe-core comes from the npm registry (tests/tools/package.json, installed by
.ci/run with `npm ci --prefix tests/tools`); without it these tests skip.
Pages are checked three at a time: axe runs in one tab while the next pages
load in the others."""

from __future__ import annotations

import pytest

import sites
from conftest import ROOT
from svcdocs.config import Config
from svcdocs.pipeline import report_for_paths
from svcdocs.render.site.build import build_options, build_site
from test_browser import ENGINES, _serve, browser, sample_site  # noqa: F401  (the browser fixture)

AXE = ROOT / "tests" / "tools" / "node_modules" / "axe-core" / "axe.min.js"
TABS = 3
pytestmark = pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm ci --prefix tests/tools)")

# In the page: axe in the scheme the page opened in (light), then in the dark
# one, switched as the theme's toggle does (its colour transitions run to
# their end first), with the rules that colours decide; the serious and
# critical violations.
CHECK = """() => { window.svcdocsAxe = (async () => {
  const COLOUR_RULES = ["color-contrast", "link-in-text-block"];
  const serious = (result) => result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => v.id + ": " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | "));
  const light = serious(await axe.run(document, {resultTypes: ["violations"]}));
  document.body.setAttribute("data-md-color-scheme", "slate");
  await new Promise(requestAnimationFrame);
  document.getAnimations().forEach((a) => a.finish());  // the theme's colour transitions, at their end
  const dark = serious(await axe.run(document, {resultTypes: ["violations"], runOnly: COLOUR_RULES}));
  return {light, dark};
})(); }"""


def pages_of(folder) -> list[str]:
    """Every page of a built site, as a path under its root."""
    return sorted(str(p.relative_to(folder).parent).removeprefix(".") + "/" if p.name == "index.html"
                  else str(p.relative_to(folder)) for p in folder.rglob("*.html"))


def serious_violations(browser, folder) -> dict[str, list[str]]:
    """axe's serious and critical violations on each page of the site in
    `folder`, light and dark."""
    server, url = _serve(folder)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    try:
        context.add_init_script(path=str(AXE))
        for search in ("**/search/search_index.json", "**/search.json", "**/workers/search.*.js"):
            context.route(search, lambda route: route.abort())  # the search's index and worker: not what is checked
        tabs = [context.new_page() for _ in range(TABS)]
        found: dict[str, list[str]] = {}
        waiting: dict[int, str] = {}

        def collect(i: int) -> None:
            result = tabs[i].evaluate("() => window.svcdocsAxe")
            page = waiting.pop(i)
            found.update({f"{page} ({scheme})": result[scheme] for scheme in ("light", "dark") if result[scheme]})

        for n, page in enumerate(pages_of(folder)):
            i = n % TABS
            if i in waiting:
                collect(i)
            tabs[i].goto(url + page.lstrip("/"), wait_until="load")
            tabs[i].evaluate(CHECK)
            waiting[i] = page
        for i in list(waiting):
            collect(i)
        return found
    finally:
        context.close()
        server.shutdown()


@pytest.mark.parametrize("engine", ENGINES)
def test_no_page_of_the_sample_site_has_a_serious_violation(browser, tmp_path_factory, engine):
    folder = sample_site(tmp_path_factory, engine)
    assert len(pages_of(folder)) >= 29
    assert serious_violations(browser, folder) == {}


def test_no_page_of_a_site_of_200_services_has_a_serious_violation(browser, tmp_path_factory):
    def make(out):
        manifests = sites.generated_manifests(tmp_path_factory)
        options = build_options((str(manifests),), str(out), site_url="https://owner.github.io/REPO/")
        build_site(report_for_paths([str(manifests)], Config()), options, say=lambda text: None)
    folder = sites.site(tmp_path_factory, "generated-200", make)
    assert len(pages_of(folder)) >= 200
    assert serious_violations(browser, folder) == {}


def test_the_site_follows_the_readers_colour_scheme(browser, tmp_path_factory):
    """The dark scheme the checks above switch to is the one a reader whose
    system prefers dark gets."""
    server, url = _serve(sample_site(tmp_path_factory, "mkdocs"))
    try:
        for preferred, scheme in (("light", "default"), ("dark", "slate")):
            page = browser.new_page(color_scheme=preferred)
            page.goto(url, wait_until="load")
            assert page.locator("body").get_attribute("data-md-color-scheme") == scheme
            page.close()
    finally:
        server.shutdown()
