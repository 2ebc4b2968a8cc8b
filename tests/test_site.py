"""`svcdocs build` and `svcdocs serve`: every page, same bytes twice, nothing
loaded from the network, links that resolve, Mermaid without Graphviz, the
output folder replaced only on success, rebuilds, hostile input."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from conftest import ROOT, SAMPLES, write
from svcdocs.config import Config
from svcdocs.errors import SvcdocsError
from svcdocs.pipeline import report_for_paths
from svcdocs.render.site import build as site_build
from svcdocs.load.sources import SITE_MARKER as MARKER
from svcdocs.render.site.build import build_options, build_site
from svcdocs.render.site.engine import build_units, plan_shards
from svcdocs.render.site.serve import snapshot, start_server, watch

PAGES = ["index.html", "exposure/index.html", "patterns/index.html", "findings/index.html", "rules/index.html",
         "namespaces/index.html", "404.html", "search/search_index.json", "sitemap.xml"]


def build(paths, out: Path, **kwargs):
    """Build quietly; return the result and what the build said."""
    said = []
    options = build_options(tuple(map(str, paths)), str(out), **kwargs)
    result = build_site(report_for_paths([str(p) for p in paths], Config()), options, say=said.append)
    return result, said


@pytest.fixture
def small(tmp_path) -> Path:
    """A one-Service input, for tests of the output folder rather than the pages."""
    return write(tmp_path, "in/web.yaml", """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80}]}
        """).parent


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The sample site, built once for the tests that only read it."""
    out = tmp_path_factory.mktemp("built") / "site"
    build([SAMPLES], out, site_url="https://owner.github.io/repo/", repo_url="https://github.com/owner/repo")
    return out


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class _Refs(HTMLParser):
    """Every URL a page refers to, by element and attribute."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "xlink:href", "data", "action", "poster") and value is not None:
                self.refs.append((tag, name, value))
            if name == "id" and value:
                self.ids.add(value)


def refs_of(path: Path) -> _Refs:
    parser = _Refs()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


# --- What the site holds -------------------------------------------------------------

def test_every_page_is_there(site):
    for page in PAGES:
        assert (site / page).is_file(), page
    report = report_for_paths([str(SAMPLES)], Config())
    for ns in ("shop", "payments", "data", "ops"):
        assert (site / "namespaces" / ns / "index.html").is_file()
    for service in report.graph.model.services:
        assert (site / "services" / service.namespace / service.name / "index.html").is_file(), service.id
    assert (site / MARKER).is_file()


def test_the_home_page_says_what_is_exposed_and_how(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    for text in ("What is exposed", "How to get in", "admin.shop.example.com", "pay.example.com", "/webhooks/card",
                 "LoadBalancer :443", "NodePort 30081", "dangling-service"):
        assert text in home, text
    assert home.count("<svg") > 0 and 'class="svcdocs-diagram"' in home


def test_pages_show_what_the_issue_asks(site):
    service = (site / "services" / "shop" / "frontend" / "index.html").read_text(encoding="utf-8")
    for text in ("How it is reached", "shop.example.com/", "Ports", "8080", "app.kubernetes.io/name=frontend",
                 "Its pods call", "API_BASE_URL", "sample-manifests/shop/frontend.yaml:"):
        assert text in service, text
    patterns = (site / "patterns" / "index.html").read_text(encoding="utf-8")
    assert "NodePort Services" in patterns and "not in production" in patterns.replace("\n", " ")
    findings = (site / "findings" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://github.com/owner/repo/blob/HEAD/sample-manifests/shop/search.yaml#L' in findings
    rules = (site / "rules" / "index.html").read_text(encoding="utf-8")
    assert all(f'id="{rule}"' in rules for rule in ("dangling-service", "loadbalancer-open-to-world"))


def test_the_nav_holds_the_top_pages_and_the_namespaces_but_not_the_services(site):
    page = (site / "exposure" / "index.html").read_text(encoding="utf-8")
    nav = re.findall(r'<a href="([^"]*)" class="md-nav__link', page)
    assert "../namespaces/shop/" in nav and not [link for link in nav if "services/" in link]


def test_no_page_loads_anything_from_the_network(site):
    for page in site.rglob("*.html"):
        for tag, attribute, url in refs_of(page).refs:
            external = urlsplit(url).scheme in ("http", "https") or url.startswith("//")
            if external:
                # Only plain links may leave the site: the canonical URL, GitHub, the theme's credit.
                assert tag == "a" or (tag == "link" and attribute == "href" and url.startswith("https://owner.github.io/repo/")), (page, tag, url)
    css = (site / "assets" / "svcdocs.css").read_text(encoding="utf-8")
    assert "url(" not in css and "@import" not in css


def test_no_svg_links_a_file_by_its_local_path(site):
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for svg in re.findall(r"<svg\b.*?</svg>", text, re.S):
            for url in re.findall(r'(?:xlink:)?href="([^"]*)"', svg):
                assert not url.startswith(("/", "file:")) and "site-packages" not in url, (page, url[:80])
            assert "<image" not in svg.split("</defs>")[-1]


def test_each_diagram_is_a_figure_that_says_what_it_shows_and_links_its_table(site):
    """Its drawing is an image labelled by the figure's text alternative (what
    it shows, its boxes, the most exposed), beside a link to the table that
    holds the same facts; the script that fits and zooms it is the site's own."""
    figures = 0
    for page in site.rglob("index.html"):
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r'<figure class="svcdocs-diagram".*?</figure>', text, re.S):
            figures += 1
            alt = re.search(r'<span id="([a-z0-9-]+-alt)">([^<]+)</span>', block)
            assert alt and re.search(r": \d+ box(es)? and \d+ arrows?; ", alt[2]), (page, block[:300])
            assert re.search(rf'<svg [^>]*role="img" aria-labelledby="{alt[1]}"', block), (page, alt[1])
            table = urlsplit(urljoin("https://h/" + page.relative_to(site).as_posix(),
                                     re.search(r'<a href="([^"]*)">Read it as a table</a>', block)[1]))
            target = site / table.path.lstrip("/") / ("index.html" if table.path.endswith("/") else "")
            assert not table.fragment or table.fragment in refs_of(target).ids, (page, table)
        if figures:
            assert 'src="' in text and "assets/svcdocs.js" in text
    assert figures == 11  # 10 diagrams, the shop namespace's in two parts (too wide to read whole)
    script = (site / "assets" / "svcdocs.js").read_text(encoding="utf-8")
    assert re.findall(r"https?://[^\s\"]+", script) == ["http://www.w3.org/1999/xlink"]  # a name, not a request
    assert not re.search(r"fetch\(|XMLHttpRequest|import\(|eval\(", script)


def test_every_link_between_pages_resolves(site):
    assert links_resolve(site) > 0


def assert_links_resolve(site: Path, project_path: str) -> None:
    """Every link between the site's pages leads to a page, and to an id on it."""
    assert links_resolve(site, project_path) > 0


def links_resolve(site: Path, project_path: str = "/repo/") -> int:
    """Every link between the site's pages leads to a page and anchor that
    exist (as GitHub Pages serves a project path); returns how many."""
    ids = {path: refs_of(path).ids for path in site.rglob("*.html")}
    checked = 0
    for page in site.rglob("*.html"):
        base = "https://h/" + page.relative_to(site).as_posix()
        for tag, attribute, url in refs_of(page).refs:
            if url.startswith(("data:", "#", "mailto:")) or urlsplit(url).scheme:
                continue
            url = url.replace(project_path, "/", 1) if url.startswith(project_path) else url  # 404.html, --site-url
            target = urlsplit(urljoin(base, url))
            path = site / target.path.lstrip("/")
            if target.path.endswith("/"):
                path = path / "index.html"
            assert path.exists(), (page, tag, url)
            if target.fragment and path.suffix == ".html":
                assert target.fragment in ids[path], (page, url)
            checked += 1
    return checked


def test_same_input_builds_the_same_bytes(site, tmp_path):
    again, _ = build([SAMPLES], tmp_path / "site", site_url="https://owner.github.io/repo/",
                     repo_url="https://github.com/owner/repo")
    assert not again.unchanged and again.drawn == again.diagrams  # a full build: other cache, other folder
    first, second = files_of(site), files_of(tmp_path / "site")
    assert first.keys() == second.keys()
    # the marker's proof signs the folder's path with this user's secret; the rest is the same bytes
    assert [name for name in first if first[name] != second[name]] == [MARKER]
    markers = [json.loads(files[MARKER]) for files in (first, second)]
    assert markers[0]["project"] == markers[1]["project"] and markers[0]["proof"] != markers[1]["proof"]


def test_the_site_works_under_a_project_path(site):
    not_found = (site / "404.html").read_text(encoding="utf-8")
    assert 'href="/repo/assets/' in not_found
    assert "<loc>https://owner.github.io/repo/services/shop/frontend/</loc>" in (site / "sitemap.xml").read_text()
    assert "https://owner.github.io" not in (site / "index.html").read_text().replace(
        '<link rel="canonical" href="https://owner.github.io/repo/">', "")


# --- Without Graphviz ------------------------------------------------------------------

def test_without_dot_the_diagrams_are_mermaid_from_the_site_itself(tmp_path, monkeypatch):
    monkeypatch.setattr(site_build.shutil, "which", lambda name: None)
    result, said = build([SAMPLES], tmp_path / "site")
    assert result.renderer == "mermaid" and len(said) == 1 and "Graphviz `dot` not found" in said[0]
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert '<pre class="mermaid"><code>flowchart LR' in home and "<svg width" not in home
    assert 'src="assets/javascripts/mermaid.min.js"' in home
    script = (tmp_path / "site" / "assets" / "javascripts" / "mermaid.min.js").read_bytes()
    assert len(script) > 3_000_000 and b"unpkg.com" not in script[:1000]


# --- The output folder ---------------------------------------------------------------

def test_a_folder_svcdocs_did_not_make_is_not_replaced_without_force(tmp_path, small):
    out = tmp_path / "docs"
    write(out, "important.md", "keep me\n")
    with pytest.raises(SvcdocsError, match="not made by svcdocs build; use --force"):
        build([small], out)
    assert (out / "important.md").is_file()
    result, _ = build([small], out, force=True)
    assert (out / "index.html").is_file() and not (out / "important.md").exists()


def test_the_working_directory_is_never_the_output(tmp_path, monkeypatch, small):
    monkeypatch.chdir(tmp_path)
    for out in (tmp_path, tmp_path.parent):
        with pytest.raises(SvcdocsError, match="working directory"):
            build([small], out, force=True)


def test_a_failed_build_leaves_the_previous_site_and_no_leftovers(tmp_path, monkeypatch, small):
    out = tmp_path / "site"
    build([small], out)
    before = files_of(out)

    def broken(*args, **kwargs):
        raise SvcdocsError("mkdocs failed: boom")
    monkeypatch.setattr(site_build, "run_engine", broken)
    with pytest.raises(SvcdocsError, match="boom"):
        build([small], out, title="Something else")
    assert files_of(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "site"]  # the cache is outside: nothing else


# mkdocs as the build runs it (`python -m mkdocs`), standing in to fail or to
# hang once it has written part of a site, so a test can interrupt the build.
FAKE_MKDOCS = """\
import os, sys, time
out = sys.argv[sys.argv.index("-d") + 1]
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "index.html"), "w") as f:
    f.write("half a page")
with open(os.environ["FAKE_MKDOCS_PID"], "w") as f:
    f.write(str(os.getpid()))
if os.environ["FAKE_MKDOCS"] == "fail":
    sys.exit("Error: the fake mkdocs fails")
time.sleep(120)
"""


def start_build(tmp_path: Path, small: Path, out: Path, behaviour: str) -> tuple[subprocess.Popen, Path]:
    """`svcdocs build` in a subprocess with the fake mkdocs; (process, its pid file)."""
    write(tmp_path, "fake/mkdocs/__init__.py", "")
    write(tmp_path, "fake/mkdocs/__main__.py", FAKE_MKDOCS)
    pid_file = tmp_path / "mkdocs.pid"
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "fake"), FAKE_MKDOCS=behaviour, FAKE_MKDOCS_PID=str(pid_file))
    process = subprocess.Popen([sys.executable, "-m", "svcdocs", "build", str(small), "-o", str(out),
                                "--title", "Another title"],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return process, pid_file


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.svcdocs-"))


def test_a_failing_mkdocs_is_one_line_and_leaves_the_previous_site(tmp_path, small):
    out = tmp_path / "site"
    build([small], out)
    before = files_of(out)
    process, _ = start_build(tmp_path, small, out, "fail")
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2
    assert stderr.strip().splitlines()[-1] == "svcdocs: mkdocs failed: Error: the fake mkdocs fails"
    assert "Traceback" not in stderr
    assert files_of(out) == before and leftovers(out) == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_build_leaves_the_previous_site(tmp_path, small, signum):
    out = tmp_path / "site"
    build([small], out)
    before = files_of(out)
    process, pid_file = start_build(tmp_path, small, out, "hang")
    deadline = time.monotonic() + 60
    while not pid_file.is_file() or not pid_file.read_text():
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    mkdocs = int(pid_file.read_text())
    assert leftovers(out)  # the new site is being built beside the old one
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    if signum == signal.SIGINT:
        assert process.returncode == 130 and stderr.strip().splitlines()[-1] == "svcdocs: interrupted"
        assert "Traceback" not in stderr
        assert leftovers(out) == []  # and mkdocs was stopped with it
        with pytest.raises(ProcessLookupError):
            os.kill(mkdocs, 0)
    else:
        os.kill(mkdocs, signal.SIGKILL)  # orphaned by the killed build; only a hidden folder is left
    assert files_of(out) == before
    result, _ = build([small], out, title="Another title")
    assert not result.unchanged and "Another title" in (out / "index.html").read_text(encoding="utf-8")


def test_the_command_refuses_a_folder_it_did_not_make_in_one_line(tmp_path, small):
    out = tmp_path / "docs"
    write(out, "important.md", "keep me\n")
    command = [sys.executable, "-m", "svcdocs", "build", str(small), "-o", str(out)]
    refused = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        f"svcdocs: {out}: not empty and not made by svcdocs build; use --force to replace it"]
    assert sorted(p.name for p in out.iterdir()) == ["important.md"]
    forced = subprocess.run([*command, "--force"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                            check=False)
    assert forced.returncode == 0 and (out / MARKER).is_file() and not (out / "important.md").exists()


# --- Rebuilds --------------------------------------------------------------------------

def test_an_unchanged_input_keeps_the_site_and_a_change_redraws_only_its_namespace(tmp_path):
    manifests = tmp_path / "m"
    shutil.copytree(SAMPLES, manifests)
    out = tmp_path / "site"
    first, _ = build([manifests], out)
    index_before = (out / "index.html").stat().st_mtime_ns
    again, _ = build([manifests], out)
    assert again.unchanged and again.drawn == 0 and (out / "index.html").stat().st_mtime_ns == index_before
    pgweb = manifests / "ops" / "pgweb.yaml"
    pgweb.write_text(pgweb.read_text().replace("nodePort: 30081", "nodePort: 30082"))
    changed, _ = build([manifests], out)
    assert not changed.unchanged
    assert changed.drawn == 3  # the ops namespace, the entry points and the overview; not shop, payments, data
    assert "NodePort 30082" in (out / "index.html").read_text(encoding="utf-8")


def test_shards_split_the_service_folders_and_keep_the_home_page_in_the_first():
    sizes = {"index.md": 5000, "findings.md": 90000, **{f"namespaces/n{i}.md": 20000 for i in range(10)}}
    sizes |= {f"services/n{i}/s{j}.md": 1200 for i in range(10) for j in range(50)}
    shards = plan_shards(build_units(sizes), cpus=2)
    assert len(shards) == 2 and "index.md" in shards[0].units
    units = [u for shard in shards for u in shard.units]
    assert sorted(units) == sorted(build_units(sizes)) and len(units) == len(set(units))
    for shard in shards:
        assert not set(f"/{u}" for u in shard.units) & set(shard.excluded)
    assert plan_shards(build_units({"index.md": 10}), cpus=8)[0].excluded == ()


def test_a_namespace_of_many_services_is_shared_between_shards_by_name():
    sizes = {"index.md": 5000, **{f"services/big/s{j}.md": 1200 for j in range(600)}}
    units = build_units(sizes)
    assert "services/big/s1.md" in units and "services/big/s10*.md" in units and len(units) < 100
    for page in sizes:  # each page is in one unit
        assert len([u for u in units if fnmatch.fnmatchcase(page, u)]) == 1, page
    shards = plan_shards(units, cpus=2)
    assert len(shards) == 2 and all(len([u for u in shard.units if u.startswith("services/")]) > 10 for shard in shards)


@pytest.mark.parametrize("folder_pages", [100, 2])  # a namespace's Service pages as one unit, or by name
def test_a_sharded_build_gives_the_pages_of_a_single_build(tmp_path, monkeypatch, folder_pages):
    manifests = tmp_path / "m"
    for ns in range(3):
        for i in range(12):
            write(manifests, f"ns{ns}/s{i}.yaml", f"""
                apiVersion: v1
                kind: Service
                metadata: {{name: s{i}, namespace: ns{ns}}}
                spec: {{selector: {{app: s{i}}}, ports: [{{port: 80}}]}}
                """)
    build([manifests], tmp_path / "single")
    monkeypatch.setattr("svcdocs.render.site.engine.PAGES_PER_SHARD", 10)
    monkeypatch.setattr("svcdocs.render.site.engine.FOLDER_PAGES", folder_pages)
    monkeypatch.setattr("svcdocs.render.site.build.os.cpu_count", lambda: 3)
    build([manifests], tmp_path / "sharded")
    single, sharded = files_of(tmp_path / "single"), files_of(tmp_path / "sharded")
    assert single.keys() == sharded.keys()
    differ = sorted(name for name in single if single[name] != sharded[name])
    assert differ == [MARKER, "search/search_index.json"]  # the marker names its project; index order differs
    docs = lambda name: sorted(map(json.dumps, json.loads(name)["docs"]))
    assert docs(single["search/search_index.json"]) == docs(sharded["search/search_index.json"])


# --- Fan-out --------------------------------------------------------------------------

def test_fan_out_keeps_pages_and_diagrams_bounded(tmp_path, monkeypatch):
    """60 Services that each select all of 60 workloads: 3,600 edges. Every list
    on a page shows its first items and counts the rest, the namespace's tables
    keep a row per object and its findings stay complete, and the namespace is
    one diagram with the workloads as one node."""
    from svcdocs.render.site import pages
    from test_site_diagrams import fan_manifests
    monkeypatch.setattr(pages, "LIST_ITEMS", 8)
    monkeypatch.setattr(pages, "CELL_ITEMS", 4)
    monkeypatch.setattr(pages, "FINDING_ITEMS", 6)
    manifests = write(tmp_path, "in/fan.yaml", fan_manifests(60, 60, load_balancers=1)).parent
    result, _ = build([manifests], tmp_path / "site")
    assert result.diagrams == 3  # the overview, the entry points and the namespace (no NetworkPolicy: no reach diagram)

    service = (tmp_path / "site" / "services" / "fan" / "s0" / "index.html").read_text(encoding="utf-8")
    selects = re.search(r"<p>Selector app=x: (.*?)</p>", service).group(1)
    assert selects.count('href="../../../namespaces/fan/#deployment-') == 8
    assert selects.endswith('and <a href="../../../namespaces/fan/#workloads">52 more</a>.')
    # the Selects list, one way in (a LoadBalancer), who can reach the workloads it selects and their findings
    assert service.count("/namespaces/fan/#deployment-") == 8 + 4 + 8 + 6
    assert 'And <a href="../../../namespaces/fan/#findings">114 more findings</a>' in service

    namespace = (tmp_path / "site" / "namespaces" / "fan" / "index.html").read_text(encoding="utf-8")
    services, workloads = (re.search(rf'<h2 id="{table}".*?<tbody>(.*?)</tbody>', namespace, re.S).group(1)
                           for table in ("services", "workloads"))
    assert services.count("<tr>") == 60 and workloads.count("<tr id=") == 60
    for row in services.split("</tr>")[:-1]:
        assert row.count('href="#deployment-') == 4 and ">56 more</a>" in row
    for row in workloads.split("</tr>")[:-1]:
        assert row.count('href="../../services/fan/') == 4 and '<a href="#services">56 more</a>' in row
    findings = re.search(r'<h2 id="findings".*?<ul class="svcdocs-findings">(.*?)</ul>', namespace, re.S).group(1)
    assert findings.count("<li>") == result.findings


# --- Hostile input -------------------------------------------------------------------

def test_hostile_manifests_leak_nothing_and_write_nothing_outside(shared, tmp_path):
    out = tmp_path / "out" / "site"
    build([shared / "hostile"], out)
    assert [p for p in tmp_path.rglob("*") if not p.is_relative_to(tmp_path / "out")] == []
    assert not any(Path(p).exists() for p in ("/tmp/svcdocs-escape", "/etc/svcdocs-escape", "/svcdocs-escape"))
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"SVCDOCS-SENTINEL" not in data, path
    for page in out.rglob("*.html"):
        parser = refs_of(page)
        for tag, attribute, url in parser.refs:
            assert not url.strip().lower().startswith("javascript:"), (page, url)
            if "svcdocs-xss" in url:  # only as part of a slug or an anchor made of safe characters
                assert re.fullmatch(r"[a-z0-9./#_-]+", url), (page, url)
        text = page.read_text(encoding="utf-8")
        for live in ("<script>alert(", "<img src=x", "<svg onload", "<b>http</b>", "</title><"):
            assert live not in text, (page, live)
    names = [p.name for p in (out / "services").rglob("*")]
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*(\.html)?", n) for n in names), names


# --- serve -------------------------------------------------------------------------------

def test_serve_answers_from_the_folder_and_follows_a_swap(tmp_path):
    folder = tmp_path / "site"
    write(folder, "index.html", "one")
    server = start_server(folder, 0)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        assert urllib.request.urlopen(url, timeout=5).read() == b"one"
        folder.rename(tmp_path / "old")
        write(folder, "index.html", "two")
        assert urllib.request.urlopen(url, timeout=5).read() == b"two"
    finally:
        server.shutdown()


def test_watch_rebuilds_when_a_manifest_changes(tmp_path, monkeypatch):
    monkeypatch.setattr("svcdocs.render.site.serve.POLL_SECONDS", 0.05)
    manifest = write(tmp_path, "m/a.yaml", "kind: Namespace\n")
    write(tmp_path, "m/.git/HEAD", "ignored\n")
    calls, stop = [], threading.Event()

    def rebuild():
        calls.append(1)
        stop.set()
    thread = threading.Thread(target=watch, args=(rebuild, (str(tmp_path / "m"),)), kwargs={"stop": stop})
    thread.start()
    time.sleep(0.2)
    manifest.write_text("kind: Namespace\nmetadata: {name: x}\n")
    thread.join(timeout=5)
    assert calls == [1]
    assert [entry[0] for entry in snapshot([str(tmp_path / "m")])] == [str(manifest)]


# --- The command -------------------------------------------------------------------------

def test_the_command_ends_with_one_summary_line(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = cli("build", "sample-manifests", "-o", tmp_path / "site")
    assert result.exit_code == 0, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"Built .*site/ in [\d.]+ s: 29 pages, 10 diagrams \(\d+ drawn\), 11 findings", last), last
    assert result.stdout == ""


def test_bad_urls_are_usage_errors(cli, tmp_path):
    result = cli("build", SAMPLES, "-o", tmp_path / "site", "--site-url", "owner.github.io/repo")
    assert result.exit_code == 2 and "--site-url must start with https://" in result.stderr


def test_the_rules_page_documents_every_rule(site):
    from svcdocs.rules import RULE_IDS
    rules = (site / "rules" / "index.html").read_text(encoding="utf-8")
    assert all(f'id="{rule}"' in rules for rule in RULE_IDS)
