"""`svcdocs build --engine mkdocs|zensical`: the same site from either engine.

sample-manifests/ is built with both, and every page is compared: the same
pages, titles, headings and text, the same diagrams (byte for byte), and links
that lead to the same pages and anchors; every link of the Zensical site
resolves. Skipped where Zensical is not installed (pip install 'svcdocs[zensical]')."""

from __future__ import annotations

import importlib.util
import json
import posixpath
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import SAMPLES, write
from svcdocs.errors import SvcdocsError
from svcdocs.render.site import build as site_build
from svcdocs.render.site import engine
from svcdocs.load.sources import SITE_MARKER as MARKER
from test_site import build, files_of, links_resolve

needs_zensical = pytest.mark.skipif(importlib.util.find_spec("zensical") is None,
                                    reason="zensical is not installed (pip install 'svcdocs[zensical]')")
URLS = {"site_url": "https://owner.github.io/repo/", "repo_url": "https://github.com/owner/repo"}
# A diagram's figure: its caption and drawing (Zensical drops the block's data-search-exclude once its search has read it).
DIAGRAM = re.compile(r'<figure class="svcdocs-diagram"[^>]*>\n(.*?</svg>|.*?</pre>)\n</div>\n</figure>', re.S)


class _Article(HTMLParser):
    """What a reader gets from a page, the theme left out: its title, and in
    its article the text, the ids, the links and the diagrams."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title, self.text, self.ids, self.links = "", [], [], []
        self._in_title = self._in_article = False

    def handle_starttag(self, tag, attrs):
        self._in_title |= tag == "title"
        self._in_article |= tag == "article"
        if not self._in_article:
            return
        for name, value in attrs:
            if name in ("href", "xlink:href", "src") and value and not value.startswith("data:"):
                self.links.append((tag, name, value))
            if name == "id" and value and value != "__skip":  # Zensical's skip link
                self.ids.append(value)

    def handle_endtag(self, tag):
        self._in_title &= tag != "title"
        self._in_article &= tag != "article"

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._in_article:
            self.text.append(data)


def article(path: Path) -> _Article:
    parsed = _Article()
    parsed.feed(path.read_text(encoding="utf-8"))
    return parsed


def target(page: str, url: str) -> str:
    """Where a link leads, as a path from the site's root (and its fragment)."""
    if urlsplit(url).scheme or url.startswith("#"):
        return url
    path, _, fragment = url.partition("#")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), path or "."))
    return resolved + ("/" if path.endswith("/") or not path else "") + ("#" + fragment if fragment else "")


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    if importlib.util.find_spec("zensical") is None:
        pytest.skip("zensical is not installed (pip install 'svcdocs[zensical]')")
    folder = tmp_path_factory.mktemp("engines")
    return {name: build([SAMPLES], folder / name, engine=name, **URLS)[0].out for name in engine.ENGINES}


def pages_of(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def test_both_engines_build_the_same_pages(sites):
    mkdocs, zensical = sites["mkdocs"], sites["zensical"]
    assert pages_of(mkdocs) == pages_of(zensical) and len(pages_of(mkdocs)) > 25
    for page in pages_of(mkdocs):
        a, b = article(mkdocs / page), article(zensical / page)
        assert a.title == b.title, page
        assert " ".join("".join(a.text).split()) == " ".join("".join(b.text).split()), page
        assert a.ids == b.ids, page


def test_both_engines_draw_the_same_diagrams(sites):
    drawn = 0
    for page in pages_of(sites["mkdocs"]):
        a, b = (DIAGRAM.findall((sites[name] / page).read_text(encoding="utf-8")) for name in ("mkdocs", "zensical"))
        assert a == b, page
        drawn += len(a)
    assert drawn >= 6 and all("<svg" in d for d in DIAGRAM.findall((sites["zensical"] / "index.html").read_text()))


def test_both_engines_link_the_same_places(sites):
    for page in pages_of(sites["mkdocs"]):
        a, b = (article(sites[name] / page) for name in ("mkdocs", "zensical"))
        assert [(t, n, target(page, u)) for t, n, u in a.links] == [(t, n, target(page, u)) for t, n, u in b.links], page


def test_both_engines_index_the_same_sections_and_leave_the_diagrams_out(sites):
    mkdocs = json.loads((sites["mkdocs"] / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    zensical = json.loads((sites["zensical"] / "search.json").read_text(encoding="utf-8"))["items"]
    assert sorted(d["location"] for d in mkdocs) == sorted(d["location"] for d in zensical)
    for entries in (mkdocs, zensical):
        text = " ".join(d["text"] for d in entries)
        assert "<svg" not in text and "xlink" not in text and "flowchart" not in text


def test_every_link_of_the_zensical_site_resolves(sites):
    assert links_resolve(sites["zensical"]) > 500


def test_findings_link_the_repository_with_either_engine(sites):
    for name in engine.ENGINES:
        findings = (sites[name] / "findings" / "index.html").read_text(encoding="utf-8")
        assert 'href="https://github.com/owner/repo/blob/HEAD/sample-manifests/shop/search.yaml#L' in findings, name


@needs_zensical
def test_zensical_builds_the_same_bytes_twice_and_keeps_an_unchanged_site(sites, tmp_path):
    again, _ = build([SAMPLES], tmp_path / "site", engine="zensical", **URLS)
    first, second = files_of(sites["zensical"]), files_of(again.out)
    assert first.keys() == second.keys()
    # the marker's proof signs the folder's path with this user's secret; the rest is the same bytes
    assert [name for name in first if first[name] != second[name]] == [MARKER]
    kept, _ = build([SAMPLES], tmp_path / "site", engine="zensical", **URLS)
    assert kept.unchanged
    switched, _ = build([SAMPLES], tmp_path / "site", engine="mkdocs", **URLS)  # another engine: rebuilt
    assert not switched.unchanged and (tmp_path / "site" / "search" / "search_index.json").is_file()


@needs_zensical
def test_zensical_draws_with_mermaid_without_graphviz(tmp_path, monkeypatch):
    monkeypatch.setattr(site_build.shutil, "which", lambda name: None if name == "dot" else shutil.which(name))
    result, said = build([SAMPLES], tmp_path / "site", engine="zensical")
    assert result.renderer == "mermaid" and any("Mermaid" in line for line in said)
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'class="mermaid"' in home and "assets/javascripts/mermaid.min.js" in home
    assert (tmp_path / "site" / "assets" / "javascripts" / "mermaid.min.js").is_file()


def test_without_zensical_the_build_says_how_to_install_it(tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(engine.importlib.util, "find_spec", lambda name, *a: None if name == "zensical" else real(name, *a))
    source = write(tmp_path, "in/web.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n")
    with pytest.raises(SvcdocsError, match=r"Zensical is not installed: pip install 'svcdocs\[zensical\]'"):
        build([source.parent], tmp_path / "site", engine="zensical")
    assert not (tmp_path / "site").exists()


def test_the_cli_takes_the_engine(cli, tmp_path):
    result = cli("build", SAMPLES, "-o", tmp_path / "site", "--engine", "hugo")
    assert result.exit_code == 2 and "'hugo' is not one of 'mkdocs', 'zensical'" in result.stderr


@pytest.mark.parametrize("page, href, expected", [
    ("services/shop/web.md", "../../../namespaces/shop/#ingress-web", "../../namespaces/shop/#ingress-web"),
    ("services/shop/web.md", "../api/", "api/"),
    ("services/shop/web.md", "./", "web/"),
    ("exposure.md", "../services/shop/web/", "services/shop/web/"),
    ("exposure.md", "../rules/#nodeport-service", "rules/#nodeport-service"),
    ("namespaces/shop.md", "../../exposure/", "../exposure/"),
    ("namespaces/shop.md", "#workloads", "#workloads"),
    ("namespaces/shop.md", "https://github.com/o/r/blob/HEAD/a.yaml#L3", "https://github.com/o/r/blob/HEAD/a.yaml#L3"),
])
def test_zensical_links_are_written_from_the_markdown_file(page, href, expected):
    assert engine.zensical_links(page, f'<a href="{href}">x</a>') == f'<a href="{expected}">x</a>'


def test_zensical_links_leave_svg_links_index_pages_and_text_alone():
    svg = '<a xlink:href="../../exposure/" xlink:title="x">'
    assert engine.zensical_links("namespaces/shop.md", svg) == svg
    assert engine.zensical_links("namespaces/index.md", '<a href="../shop/">') == '<a href="../shop/">'
    text = "name&quot; href=&quot;../x/&quot;"
    assert engine.zensical_links("services/a/b.md", text) == text
