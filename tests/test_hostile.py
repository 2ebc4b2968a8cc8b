"""Hostile input, end to end: every command over `tests/hostile/` (and over
`../shared/hostile/` when it is there) finishes with 0 or 1, keeps every usable
document, reports every unusable one as `file:line: reason`, leaks no secret,
renders no markup from a manifest, and writes nothing outside its output.

Each command runs once per folder, as a subprocess under a time and memory
limit; the tests below read the results.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLES, SHARED
from svcdocs.render.escape import visible

OWN = ROOT / "tests" / "hostile"
TIMEOUT_S = 60
MEMORY_BYTES = 2**30  # address space, for svcdocs and each program it runs (mkdocs, dot)
SENTINELS = ("SVCDOCS-SENTINEL", "SVCDOCS-TEST-SENTINEL")  # ../shared/hostile's and ours
MARKERS = ("svcdocs-xss", "svcdocs-test-xss")
PWNED = "svcdocs-pwned-by-yaml-tag"
ESCAPES = ("/tmp/svcdocs-escape", "/etc/svcdocs-escape", "/svcdocs-escape")
GRAPH_FORMATS = ("json", "dot", "mermaid")
CHECK_FORMATS = ("text", "json", "sarif", "github")
DIFF_FORMATS = ("markdown", "json")
REACH_FORMATS = ("txt", "json", "csv", "md", "dot")
URL_ATTRIBUTES = frozenset({"href", "src", "xlink:href", "action", "formaction", "data", "poster", "background"})
# Characters that would move the cursor, start a terminal sequence or break a
# line in a log, a terminal or a table, if printed as they are.
RAW_CONTROLS = ("\x1b", "\x9b", "\x85", "\u2028", "\u202e")
# What would show that a manifest's text became markup, wherever HTML is rendered.
LIVE = ("<script>alert(", "<img src=x", "<svg onload", "<b>svcdocs", "<a href=javascript", "<b>http</b>")

# File names no repository should commit (Windows cannot check them out), so
# they are made here: markup and a workflow command in a file name.
HOSTILE_FILE_NAMES = {
    "x[md](javascript:alert('svcdocs-test-xss-file'))<img src=x onerror=alert(1)>.yaml",
    "x\n::error::svcdocs-test-xss-file-workflow.yaml",
}
HOSTILE_FILE = """\
apiVersion: v1
kind: Service
metadata: {name: from-a-hostile-file-name}
spec: {type: NodePort, selector: {app: nothing}, ports: [{port: 80}]}
---
kind: [broken
"""

# Usable objects each folder must keep, and unusable documents it must report.
KEPT = {
    "own": [
        "Service/default/bom-crlf", "Service/default/crlf-second", "Service/json/json-service",
        "Service/default/list-good-one", "Service/default/list-good-two", "Service/default/laughing",
        "Service/default/merged", "Service/default/self-merged", "Service/default/tabbed",
        "Service/default/tagged-service", "Service/default/before-bad-bytes", "Service/default/typed-wrong",
        "Deployment/default/typed-wrong", "HTTPRoute/default/typed-wrong", "Gateway/default/typed-wrong",
        "Service/default/db", "Service/default/cache", "Deployment/default/api", "CronJob/default/report",
        "Service/default/from-a-hostile-file-name",
        # a repeated key takes its last value, as kubectl's client reads it
        "Service/default/second-name", "Service/default/duplicate-spec-key", "Service/default/dup-svcdocs-test-xss",
    ],
    "shared": [
        "Service/default/bom-crlf", "Service/default/from-json", "Service/default/listed", "Service/default/db",
        "Service/default/bomb", "Service/default/tabbed", "Deployment/default/api", "Service/default/dup2",
    ],
}
UNUSABLE = {
    "own": {
        ("binary.yaml", 3), ("broken.json", 1), ("deep-nesting.yaml", 6), ("helm-template.yaml", 4),
        ("helm-template.yaml", 16), ("invalid-utf8.yaml", 11), ("list-kind.yaml", 8), ("list-kind.yaml", 11),
        ("list-kind.yaml", 12), ("list-kind.yaml", 20), ("missing-fields.yaml", 1), ("missing-fields.yaml", 8),
        ("missing-fields.yaml", 12), ("missing-fields.yaml", 18), ("missing-fields.yaml", 20),
        ("not-a-mapping.yaml", 1), ("not-a-mapping.yaml", 4), ("not-a-mapping.yaml", 6),
        ("not-a-mapping.yaml", 10), ("python-tag.yaml", 24), ("secrets.yaml", 104),
        ("path-traversal.yaml", 101), ("path-traversal.yaml", 106),
        *((name, 6) for name in HOSTILE_FILE_NAMES),
    },
    # Files, not lines: that folder is not ours to keep in step with.
    "shared": {"alias-bomb-service.yaml", "binary.yaml", "broken.json", "deep-nesting.yaml", "helm-template.yaml", "invalid-utf8.yaml", "list-kind.yaml", "missing-kind.yaml",
               "not-a-mapping.yaml", "wrong-types.yaml"},
}


# --- Running every command once per folder ------------------------------------------

@dataclass
class Run:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str
    seconds: float


@dataclass
class Case:
    name: str
    work: Path  # the working directory of every command
    hostile: Path
    runs: dict[str, Run] = field(default_factory=dict)
    before: set[str] = field(default_factory=set)  # every path under `work` before the commands ran

    @property
    def graph(self) -> dict:
        return json.loads(self.runs["graph-json"].stdout)

    def outputs(self) -> list[Path]:
        return [p for out in ("out", "out-mermaid", "cache") for p in sorted((self.work / out).rglob("*"))
                if p.is_file()]


# svcdocs under a memory limit: set in a small Python that then becomes svcdocs
# (exec keeps limits), since preexec_fn is unsafe while other threads run.
LIMITED = ("import os, resource, sys; limit = int(sys.argv[1]); "
           "resource.setrlimit(resource.RLIMIT_AS, (limit, limit)); "
           "os.execv(sys.executable, [sys.executable, '-m', 'svcdocs', *sys.argv[2:]])")


def run(work: Path, *args: str, path: str | None = None) -> Run:
    # One malloc arena per thread reserves 64 MB of address space each; a few
    # are plenty, and keep the limit meaningful on a machine with many cores.
    env = dict(os.environ, MALLOC_ARENA_MAX="2", PYTHONUTF8="1", SVCDOCS_CACHE_DIR=str(work / "cache"))
    if path is not None:
        env["PATH"] = path
    started = time.monotonic()
    with subprocess.Popen([sys.executable, "-c", LIMITED, str(MEMORY_BYTES), *args], cwd=work, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True) as process:
        try:
            stdout, stderr = process.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: svcdocs and what it started
            stdout, stderr = process.communicate()
            stderr += f"\n(killed after {TIMEOUT_S} s)".encode()
    return Run(args, process.returncode, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"),
               time.monotonic() - started)


def commands(hostile: str) -> dict[str, tuple[tuple[str, ...], str | None]]:
    """Every command and format, by a short name: (arguments, PATH or None)."""
    found = {f"graph-{f}": (("graph", hostile, "--format", f), None) for f in GRAPH_FORMATS}
    found |= {f"check-{f}": (("check", hostile, "--format", f), None) for f in CHECK_FORMATS}
    for f in DIFF_FORMATS:
        found[f"diff-added-{f}"] = (("diff", "empty", hostile, "--format", f), None)
        found[f"diff-removed-{f}"] = (("diff", hostile, str(SAMPLES), "--format", f), None)
        found[f"diff-changed-{f}"] = (("diff", "base", hostile, "--format", f), None)
    found |= {f"reach-{f}": (("reach", hostile, "--format", f), None) for f in REACH_FORMATS}
    found["reach-explain"] = (("reach", hostile, "--explain"), None)
    found["build"] = (("build", hostile, "-o", "out"), None)
    found["build-mermaid"] = (("build", hostile, "-o", "out-mermaid"), "/nonexistent")  # no `dot`, so Mermaid
    return found


def _changed_values(source: Path, target: Path) -> None:
    """A copy whose secret values differ: what a pull request that rotates them looks like."""
    shutil.copytree(source, target)
    for path in target.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for sentinel in SENTINELS:
                data = data.replace(sentinel.encode(), b"ROTATED-VALUE").replace(sentinel.lower().encode(),
                                                                                    b"rotated-value")
            path.write_bytes(data)


def _paths_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


@pytest.fixture(scope="module", params=["own", "shared"])
def case(request, tmp_path_factory) -> Case:
    work = tmp_path_factory.mktemp(f"hostile-{request.param}")
    if request.param == "shared":
        if not (SHARED / "hostile").is_dir():
            pytest.skip("../shared is not here (a user's clone has none)")
        hostile = SHARED / "hostile"
    else:
        hostile = work / "hostile"
        shutil.copytree(OWN, hostile)
        for name in HOSTILE_FILE_NAMES:
            (hostile / name).write_text(HOSTILE_FILE, encoding="utf-8")
    (work / "empty").mkdir()
    _changed_values(hostile, work / "base")
    c = Case(request.param, work, hostile)
    c.before = _paths_under(work)
    todo = commands(str(hostile))
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
        futures = {name: pool.submit(run, work, *args, path=path) for name, (args, path) in todo.items()}
        c.runs = {name: future.result() for name, future in futures.items()}
    return c


# --- Finishing, keeping, reporting --------------------------------------------------

def test_every_command_finishes_in_time_without_a_traceback(case):
    for name, r in case.runs.items():
        assert r.code in (0, 1), (name, r.code, r.stderr[-2000:])
        assert "Traceback" not in r.stderr, (name, r.stderr[-3000:])
        assert r.seconds < TIMEOUT_S, name


def test_every_usable_document_is_kept(case):
    graph = case.graph
    ids = {n["id"] for n in graph["nodes"]}
    assert not set(KEPT[case.name]) - ids
    if case.name == "own":
        services = {n["id"]: n for n in graph["nodes"] if n["kind"] == "Service"}
        # merge keys resolved through a graph of aliases, without walking its 2^24 paths
        assert services["Service/default/merged"]["selector"] == {"app": "merged"}
        assert [p["port"] for p in services["Service/default/self-merged"]["ports"]] == [8080]
        injected = [i for i in services if "svcdocs-test-xss-ns" in i]
        assert len(injected) == 4
        traversal = [n for n in graph["nodes"] if n.get("file", "").endswith("path-traversal.yaml")]
        assert len(traversal) == 19


def test_every_document_is_modelled_or_reported(case):
    graph = case.graph
    inputs = graph["inputs"]
    declared = sum(1 for n in graph["nodes"] if "file" in n)
    duplicates = sum(1 for f in graph["findings"] if f["rule"] == "duplicate-object")
    other = sum(inputs["other_kinds"].values())
    assert inputs["documents"] == declared + duplicates + other + inputs["unusable"]
    reported = {(os.path.basename(p["file"]), p["line"]) for p in inputs["problems"]}
    if case.name == "own":
        assert not UNUSABLE["own"] - reported
    else:
        assert not UNUSABLE["shared"] - {file for file, _ in reported}


def test_each_problem_is_one_line_on_stderr(case):
    problems = case.graph["inputs"]["problems"]
    assert problems
    for name, r in case.runs.items():
        if "diff-removed" in name:
            continue  # the hostile folder is BASE there; only HEAD's problems are shown
        lines = r.stderr.splitlines()
        for p in problems:
            shown = visible(f"{p['file']}:{p['line']}: {p['reason']}")
            assert shown in lines, (name, shown)
        for line in r.stderr.split("\n"):
            assert not line.startswith("::") and not any(c in line for c in RAW_CONTROLS), (name, line)


def test_nothing_is_written_outside_the_output_and_no_tag_runs_code(case):
    allowed = ("out/", "out-mermaid/", "cache/")
    new = _paths_under(case.work) - case.before
    assert sorted(p for p in new if not p.startswith(allowed) and p not in ("out", "out-mermaid", "cache")) == []
    assert not any(Path(p).exists() for p in ESCAPES)
    for folder in (case.work, case.hostile, Path.cwd(), Path("/tmp"), Path.home(), ROOT):
        assert not (folder / PWNED).exists(), folder
    for out in (case.work / "out", case.work / "out-mermaid"):
        for path in out.rglob("*"):
            assert not path.is_symlink() and path.resolve().is_relative_to(out.resolve()), path


def test_two_objects_never_share_a_page(case):
    graph = case.graph
    out = case.work / "out"
    services = [n for n in graph["nodes"] if n["kind"] == "Service" and "file" in n]
    pages = sorted((out / "services").glob("*/*/index.html"))
    assert len(pages) == len(services)
    namespaces = {n["namespace"] for n in graph["nodes"] if n.get("namespace")}
    assert len(list((out / "namespaces").glob("*/index.html"))) == len(namespaces)
    for page in pages:
        for part in page.relative_to(out).parts[1:-1]:
            assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", part) and len(part) <= 110, part
    assert len({p.parent.as_posix().lower() for p in pages}) == len(pages)  # also apart where case is folded


# --- No secret leaves the input ------------------------------------------------------

def _secret_forms() -> list[str]:
    """Each sentinel in lower case, and base64 of it at each alignment."""
    forms = []
    for sentinel in SENTINELS:
        forms.append(sentinel.lower())
        for offset in range(3):
            part = sentinel[offset:]
            part = part[:len(part) // 3 * 3]
            forms.append(base64.b64encode(part.encode()).decode())
    return forms


def _assert_no_secret(text: str, where) -> None:
    lowered = text.lower()
    for form in _secret_forms():
        found = lowered if form.islower() else text
        assert form not in found, (where, form)


def test_no_secret_in_any_output(case):
    for name, r in case.runs.items():
        _assert_no_secret(r.stdout, (name, "stdout"))
        _assert_no_secret(r.stderr, (name, "stderr"))
    for path in case.outputs():
        data = path.read_bytes()
        _assert_no_secret(data.decode("utf-8", "replace"), path)
        if path.suffix == ".gz":
            _assert_no_secret(gzip.decompress(data).decode("utf-8", "replace"), path)


def test_an_env_value_that_names_a_service_gives_an_edge_with_the_variable_name_only(case):
    edges = {(e["from"], e["to"]): e.get("env") for e in case.graph["edges"] if e["kind"] == "calls"}
    if case.name == "own":
        assert edges[("Deployment/default/api", "Service/default/db")] == ["BOTH", "DATABASE_URL", "MIGRATE_URL"]
        # Service cache selects api's own pods: naming it is no call (issue 23)
        assert ("Deployment/default/api", "Service/default/cache") not in edges
    else:
        assert edges[("Deployment/default/api", "Service/default/db")] == ["DATABASE_URL"]


def test_changed_secret_values_are_no_change_to_review(case):
    """BASE differs from HEAD only in secret values: the review shows none of them."""
    review = json.loads(case.runs["diff-changed-json"].stdout)
    assert "rotated" not in json.dumps(review).lower()
    assert "rotated" not in case.runs["diff-changed-markdown"].stdout.lower()


# --- No markup from a manifest --------------------------------------------------------

class LiveMarkup(HTMLParser):
    """Collects what would run or link in a browser and came from a manifest."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and ("alert(" in value or _has_marker(value)):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and _scriptable_url(value):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.found.append(f"<img src=x> from {attrs}")
        self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]

    def handle_data(self, data):
        if self.open and self.open[-1] in ("script", "style", "b", "iframe") and _has_marker(data):
            self.found.append(f"<{self.open[-1]}>{data[:80]}")


def _has_marker(text: str) -> bool:
    lowered = text.lower()
    return any(m in lowered for m in MARKERS)


def _scriptable_url(url: str) -> bool:
    scheme = re.sub(r"[\x00-\x20]", "", url).lower()
    return scheme.startswith(("javascript:", "vbscript:", "data:text/html", "data:image/svg"))


def assert_no_live_markup(markup: str, where) -> None:
    parser = LiveMarkup()
    parser.feed(markup)
    parser.close()
    assert parser.found == [], where
    lowered = markup.lower()
    for live in LIVE:
        assert live not in lowered, (where, live)


def test_no_live_markup_in_the_site(case):
    for out in ("out", "out-mermaid"):
        pages = [p for p in (case.work / out).rglob("*") if p.suffix in (".html", ".svg")]
        assert pages
        for page in pages:
            assert_no_live_markup(page.read_text(encoding="utf-8"), page)
        index = json.loads((case.work / out / "search" / "search_index.json").read_text(encoding="utf-8"))
        for doc in index["docs"]:  # mkdocs-material shows these as HTML
            assert_no_live_markup(doc["title"] + "\n" + doc["text"], (out, doc["location"]))


def test_the_pages_are_safe_in_any_commonmark_engine(case):
    """mkdocs reads a raw HTML block up to its closing tag; CommonMark (and so
    Zensical, or GitHub showing the project) ends it at a blank line, and
    reads what follows as Markdown. The generated pages are safe either way."""
    pages = list((case.work / "cache").rglob("project/docs/**/*.md"))
    assert len(pages) > 10
    for page in pages:
        assert_no_live_markup(_markdown_html(page.read_text(encoding="utf-8")), page)


def test_the_site_shows_the_names_as_text(case):
    if case.name != "own":
        pytest.skip("knows our own fixtures")
    namespace = next((case.work / "out" / "namespaces").glob("img-src-x-onerror-*/index.html"))
    text = namespace.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;svcdocs-test-xss-name&#39;)&lt;/script&gt;" in text
    assert "x\\u000a\\u000a[click](javascript:" in text and "x\n\n[click]" not in text


def test_the_site_without_graphviz_draws_safe_mermaid(case):
    pages = list((case.work / "out-mermaid").rglob("*.html"))
    sources = [m for p in pages for m in _mermaid_blocks(p.read_text(encoding="utf-8"))]
    assert sources
    for source in sources:
        assert_safe_mermaid(source)


def _mermaid_blocks(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<pre class="mermaid"><code>(.*?)</code></pre>', page, re.DOTALL)]


_QUOTED = re.compile(r'"([^"]*)"')
_SAFE_LABEL = re.compile(r"(?:[A-Za-z0-9 ./:_@=,+#;-]|<br/>)*")


def assert_safe_mermaid(source: str) -> None:
    for line in source.splitlines():
        stripped = line.strip()
        assert not stripped.startswith("%%"), line
        assert line.count('"') % 2 == 0, line
        if stripped.startswith("click"):
            target = re.fullmatch(r'click n\d+ href "([^"]*)" "[^"]*"', stripped)
            assert target and not _scriptable_url(target.group(1)) and not target.group(1).startswith("//"), line
        for label in _QUOTED.findall(line):
            assert _SAFE_LABEL.fullmatch(label), (line, label)


def test_graph_mermaid_and_dot_keep_names_inside_their_labels(case):
    assert_safe_mermaid(case.runs["graph-mermaid"].stdout)
    dot = case.runs["graph-dot"].stdout
    assert not re.search(r"=\s*<", dot)  # never an HTML-like label
    assert all(c == '"' for c in re.findall(r"\blabel=(.)", dot))
    if shutil.which("dot") is None:
        return
    svg = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True, timeout=TIMEOUT_S, check=True)
    text = svg.stdout.decode("utf-8")
    assert_no_live_markup(text, "graph --format dot | dot -Tsvg")
    if case.name == "own":
        assert "&lt;&lt;b&gt;svcdocs&#45;test&#45;xss&#45;dot&lt;/b&gt;&gt;" in text  # drawn as the text it is


def test_reach_keeps_names_inside_their_labels_and_cells(case):
    dot = case.runs["reach-dot"].stdout
    assert dot.startswith("digraph reach {")
    assert not re.search(r"=\s*<", dot) and all(c == '"' for c in re.findall(r"\blabel=(.)", dot))
    if shutil.which("dot") is not None:
        svg = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True, timeout=TIMEOUT_S, check=True)
        assert_no_live_markup(svg.stdout.decode("utf-8"), "reach --format dot | dot -Tsvg")
    assert_no_live_markup(_markdown_html(case.runs["reach-md"].stdout), "reach --format md")
    json.loads(case.runs["reach-json"].stdout)
    for name in ("reach-txt", "reach-csv", "reach-explain"):
        assert not any(c in case.runs[name].stdout for c in RAW_CONTROLS), name


def _markdown_html(markdown: str) -> str:
    """The Markdown as a CommonMark renderer (like GitHub's) makes it, raw HTML
    passed through and every link kept, so that nothing is hidden by its
    sanitiser."""
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table")
    md.validateLink = lambda url: True
    return md.render(markdown)


def test_the_review_comment_renders_no_markup_and_no_link(case):
    for name in ("diff-added-markdown", "diff-removed-markdown", "diff-changed-markdown"):
        comment = case.runs[name].stdout
        rendered = _markdown_html(comment)
        assert_no_live_markup(rendered, name)
        links = re.findall(r'<a href="([^"]*)"', rendered)
        assert all(not _has_marker(url) for url in links), (name, links)
        for source in re.findall(r"```mermaid\n(.*?)```", comment, re.DOTALL):
            assert_safe_mermaid(source)
        assert not any(c in comment for c in RAW_CONTROLS), name


def test_check_output_is_one_line_per_finding(case):
    findings = json.loads(case.runs["check-json"].stdout)["findings"]
    assert findings
    github = case.runs["check-github"].stdout.split("\n")[:-1]
    assert len(github) == len(findings)
    for line in github:
        assert re.fullmatch(r"::(error|warning|notice) file=[^\n]*?,line=\d+,title=svcdocs [a-z-]+::[^\n]*", line), line
    text = case.runs["check-text"].stdout
    assert not any(c in text for c in RAW_CONTROLS)
    assert not any(line.startswith("::") for line in text.split("\n"))
    for name in ("graph-dot", "graph-mermaid"):
        assert not any(c in case.runs[name].stdout for c in RAW_CONTROLS), name
    sarif = json.loads(case.runs["check-sarif"].stdout)
    assert len(sarif["runs"][0]["results"]) == len(findings)
