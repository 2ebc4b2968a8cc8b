"""The sample site's diagrams in headless Chromium, on a laptop (1,400 x 900)
and a phone (390 x 844): each opens fitted to the page, zooms, pans and fits
again by mouse and keyboard, opens full size; a box says what it is and why
on pointing and focus, and selecting it shows the paths into it; a namespace
page prints with its diagram whole."""

from __future__ import annotations

import re
import time

import pytest

from test_browser import ENGINES, Visit, _serve, browser, sample_site  # noqa: F401  (the browser fixture)
from playwright.sync_api import expect  # (after test_browser, which skips without playwright)

SIZES = {"laptop": (1400, 900), "phone": (390, 844)}
DIAGRAM_PAGES = ["", "exposure/", "namespaces/data/", "namespaces/ops/", "namespaces/payments/", "namespaces/shop/"]
# A4 at 96 dpi less the browser's default print margins (about 1 cm each side).
A4_CONTENT = (718, 1047)


@pytest.fixture(scope="module", params=ENGINES)
def served(request, tmp_path_factory):
    server, url = _serve(sample_site(tmp_path_factory, request.param))
    yield url
    server.shutdown()


def transform(svg) -> tuple[float, float, float]:
    """The drawing's pan (x, y) and zoom, as the script set them."""
    found = re.search(r"translate\(([-\d.e]+)px, ([-\d.e]+)px\) scale\(([\d.e-]+)\)", svg.get_attribute("style"))
    return float(found[1]), float(found[2]), float(found[3])


def settled(read, done, timeout: float = 5.0):
    """What `read()` gives once `done` holds of it, or after `timeout` seconds. A pointer
    move and a wheel turn are continuous input: Chromium hands them to the page's script
    with a later frame, not before the call that sent them returns."""
    deadline = time.monotonic() + timeout
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(0.02)
        value = read()
    return value


def fitted(page) -> list[str]:
    """What is not fitted on the page: a diagram wider than its view, a view
    wider than the window, the page wider than the window."""
    return page.evaluate("""() => {
      const wrong = [], width = document.documentElement.clientWidth;
      if (document.documentElement.scrollWidth > width) wrong.push("page " + document.documentElement.scrollWidth);
      for (const view of document.querySelectorAll(".svcdocs-diagram-view")) {
        const svg = view.querySelector("svg").getBoundingClientRect(), box = view.getBoundingClientRect();
        if (svg.width > box.width + 1 || svg.left < box.left - 1) wrong.push("diagram " + view.getAttribute("aria-label"));
        if (box.right > width) wrong.push("view " + view.getAttribute("aria-label"));
      }
      return wrong;
    }""")


@pytest.mark.parametrize("size", SIZES)
def test_each_diagram_opens_fitted_to_the_page(browser, served, size):
    visit = Visit(browser, served, *SIZES[size])
    for path in DIAGRAM_PAGES:
        visit.page.goto(served + path, wait_until="load")
        assert visit.page.locator(".svcdocs-diagram-view svg").count() >= 1, path
        assert fitted(visit.page) == [], path
    # (requests that a navigation cut short, such as the favicon's, are not problems)
    assert [p for p in visit.problems if not p.startswith("failed: ")] == []


@pytest.mark.parametrize("size", SIZES)
def test_a_diagram_zooms_pans_and_fits_again_by_keyboard(browser, served, size):
    visit = Visit(browser, served + "namespaces/shop/", *SIZES[size])
    view = visit.page.locator(".svcdocs-diagram-view").first
    svg = view.locator("svg")
    _, _, fit = transform(svg)
    view.focus()
    visit.page.keyboard.press("+")
    visit.page.keyboard.press("+")
    x, y, zoomed = transform(svg)
    assert zoomed == pytest.approx(fit * 1.25 * 1.25, rel=1e-3)
    visit.page.keyboard.press("ArrowRight")
    visit.page.keyboard.press("ArrowDown")
    moved_x, moved_y, _ = transform(svg)
    assert moved_x < x and moved_y < y
    visit.page.keyboard.press("-")
    assert transform(svg)[2] == pytest.approx(fit * 1.25, rel=1e-3)
    visit.page.keyboard.press("0")
    assert transform(svg)[2] == pytest.approx(fit, rel=1e-3)
    assert fitted(visit.page) == []
    assert visit.problems == []


@pytest.mark.parametrize("size", SIZES)
def test_a_diagram_zooms_pans_and_fits_again_by_mouse(browser, served, size):
    visit = Visit(browser, served + "namespaces/shop/", *SIZES[size])
    page = visit.page
    figure = page.locator("figure.svcdocs-diagram").first
    view, svg = figure.locator(".svcdocs-diagram-view"), figure.locator("svg")
    _, _, fit = transform(svg)
    for _ in range(3):
        figure.get_by_role("button", name="Zoom in").click()
    assert transform(svg)[2] == pytest.approx(fit * 1.25 ** 3, rel=1e-3)
    view.scroll_into_view_if_needed()
    box = view.bounding_box()
    top, bottom = max(box["y"], 0), min(box["y"] + box["height"], SIZES[size][1])  # of the view, what is on screen
    middle = (box["x"] + box["width"] / 2, (top + bottom) / 2)
    x, y, scale = transform(svg)
    page.mouse.move(*middle)
    page.mouse.down()
    page.mouse.move(middle[0] + 80, middle[1] + 60, steps=5)
    page.mouse.up()
    moved_x, moved_y, _ = settled(lambda: transform(svg), lambda t: t[0] >= x + 79 and t[1] >= y + 59)
    assert moved_x == pytest.approx(x + 80, abs=1) and moved_y == pytest.approx(y + 60, abs=1)  # it follows the drag
    page.keyboard.down("Control")
    page.mouse.wheel(0, -200)  # Ctrl + wheel up: zoom in at the pointer
    page.keyboard.up("Control")
    assert settled(lambda: transform(svg)[2], lambda zoom: zoom > scale) > scale
    figure.get_by_role("button", name="Fit to the page").click()
    assert transform(svg)[2] == pytest.approx(fit, rel=1e-3)
    assert page.url.endswith("/namespaces/shop/")  # the drag opened no box's page
    assert fitted(page) == [] and visit.problems == []


def test_the_full_size_view_opens_and_closes(browser, served):
    visit = Visit(browser, served + "namespaces/payments/", 390, 844)
    page = visit.page
    figure = page.locator("figure.svcdocs-diagram").first
    natural = float(figure.locator("svg").get_attribute("width").removesuffix("pt")) * 4 / 3
    figure.get_by_role("button", name="Open full size").click()
    dialog = page.locator("dialog.svcdocs-full[open]")
    assert dialog.count() == 1
    assert dialog.locator("svg").bounding_box()["width"] == pytest.approx(natural, abs=1)
    page.keyboard.press("Escape")
    # a dialog's close event is a task queued after the key press: wait for it
    expect(page.locator("dialog.svcdocs-full")).to_have_count(0)
    assert figure.locator(".svcdocs-diagram-view > svg").count() == 1
    assert fitted(page) == [] and visit.problems == []


def test_a_box_says_what_it_is_and_why_and_leads_to_the_paths_into_it(browser, served):
    visit = Visit(browser, served + "namespaces/shop/")
    page = visit.page
    tip = page.locator(".svcdocs-tip").first
    admin = page.locator("figure.svcdocs-diagram g.node a[*|href$='services/shop/admin/']").first
    assert page.locator(".svcdocs-legend-explore").first.is_visible()  # the legend says how (not for Mermaid)
    admin.hover()  # pointerover comes with the move's frame: wait for it
    expect(tip).to_be_visible()
    expect(tip).to_have_text(re.compile("^" + re.escape("Service shop/admin: exposure internet\n"
                                                        "through Ingress web; blocked by NetworkPolicies")))
    # The keyboard: Tab from the view reaches the boxes, and focus shows the same.
    page.locator(".svcdocs-diagram-view").first.focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('data-tip')")
    assert focused
    expect(tip).to_have_text(re.compile("^" + re.escape(focused)))
    # Selecting a box (a click, or Enter) shows the paths into it; again, it opens its page.
    admin.click()
    figure = page.locator("figure.svcdocs-diagram.svcdocs-selecting")
    expect(figure).to_have_count(1)
    on = figure.locator("g.node.svcdocs-on a").evaluate_all("links => links.map(a => a.getAttribute('data-tip'))")
    assert any(t.startswith("Ingress shop/web") for t in on) and "Anyone on the internet" in on
    assert figure.locator("g.edge.svcdocs-on").count() >= 2  # Internet -> Ingress web -> Service admin
    assert page.url.endswith("/namespaces/shop/")
    page.keyboard.press("Escape")
    expect(page.locator("figure.svcdocs-diagram.svcdocs-selecting")).to_have_count(0)
    admin.focus()
    page.keyboard.press("Enter")  # a link's activation: its click event
    expect(page.locator("figure.svcdocs-diagram.svcdocs-selecting")).to_have_count(1)
    page.keyboard.press("Enter")
    page.wait_for_url("**/services/shop/admin/")
    assert visit.problems == []


@pytest.mark.parametrize("path", ["namespaces/shop/", "services/payments/payment-webhooks/"])
def test_a_page_prints_with_its_diagrams_whole_and_its_tables_unbroken(browser, served, path):
    visit = Visit(browser, served + path, *A4_CONTENT)
    page = visit.page
    page.emulate_media(media="print")
    width, height = A4_CONTENT
    for svg in page.locator(".svcdocs-diagram-view > svg").all():
        box = svg.bounding_box()
        assert box["width"] <= width and box["height"] <= height
    cut = page.evaluate("""() => [...document.querySelectorAll("article table")]
        .filter((t) => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                       || t.parentElement.scrollWidth > t.parentElement.clientWidth + 1)
        .map((t) => t.innerText.slice(0, 40))""")
    assert cut == []
    assert all(tools.is_hidden() for tools in page.locator(".svcdocs-diagram-tools").all())
    assert page.pdf(format="A4")[:4] == b"%PDF"
