"""`svcdocs build`: the report -> diagrams and pages -> mkdocs or Zensical -> the site folder.

Diagrams are drawn by `dot` subprocesses in a thread pool while the Markdown
pages are written, and cached by a hash of what they show; each goes into its
page's Markdown as a raw HTML block, so either engine builds the whole site.
The project is kept in the cache and rewritten only where it changed; when
nothing changed at all, the previous site is kept. The site is built into a
temporary folder beside the output and swapped in only when the engine succeeds, so a
failed or interrupted build leaves the previous site as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import quote

from svcdocs import __version__
from svcdocs.errors import SvcdocsError
from svcdocs.pipeline import EnvironmentReports, Report
from svcdocs.render.locations import source_root
from svcdocs.render.site import graphviz, mermaid
from svcdocs.load.sources import SITE_MARKER
from svcdocs.render.site.names import SiteMap, slug
from svcdocs.load.rendering import NotRendered
from svcdocs.render.site.environments import environment_site, note_not_rendered
from svcdocs.render.site.pages import Page, SiteOptions, site_pages
from svcdocs.render.site.engine import Shard, page_for, run_engine, shard_config, shards_for
from svcdocs.render.site.project import Project, check_page_paths, diagram_block, mkdocs_yml, render_page
from svcdocs.render.site.spec import DiagramSpec, site_diagrams

CACHE_NAME = ".svcdocs-cache"


@dataclass(frozen=True)
class BuildOptions:
    out: Path
    site: SiteOptions
    site_url: str | None = None
    force: bool = False
    cache: Path | None = None  # default: .svcdocs-cache beside the output folder
    engine: str = "mkdocs"  # or zensical (engine.ENGINES)


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    diagrams: int
    drawn: int  # diagrams not taken from the cache
    findings: int
    seconds: float
    renderer: str  # graphviz | mermaid
    unchanged: bool  # the previous site was kept


class Progress:
    """One line on stderr, rewritten in place; silent off a terminal."""

    def __init__(self, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        self.active = self.stream.isatty()

    def show(self, text: str) -> None:
        if self.active:
            self.stream.write(f"\r\033[Ksvcdocs: {text}")
            self.stream.flush()

    def clear(self) -> None:
        if self.active:
            self.stream.write("\r\033[K")
            self.stream.flush()


def build_site(report: Report, options: BuildOptions, say: Callable[[str], None] = print,
               progress: Progress | None = None, not_rendered: Sequence[NotRendered] = ()) -> BuildResult:
    started = time.monotonic()
    sitemap = SiteMap.of(report.graph)
    specs = site_diagrams(report, sitemap)
    pages = note_not_rendered(site_pages(report, sitemap, specs, options.site), not_rendered)
    return build_pages(pages, specs, options, len(report.findings), say, progress, started=started)


def build_environments(reports: EnvironmentReports, options: BuildOptions, say: Callable[[str], None] = print,
                       progress: Progress | None = None) -> BuildResult:
    """The site of one environment as it has always been; of several, a
    section per environment and a Compare page (see site/environments.py)."""
    if reports.single is not None:
        return build_site(reports.single, options, say, progress, reports.not_rendered)
    site = environment_site(reports, options.site)
    return build_pages(site.pages, site.specs, options, site.findings, say, progress, environments=site.nav)


def build_pages(pages: list[Page], specs: Sequence[DiagramSpec], options: BuildOptions, findings: int,
                say: Callable[[str], None] = print, progress: Progress | None = None,
                environments: Sequence[tuple[str, str]] | None = None, started: float | None = None) -> BuildResult:
    """Draw the diagrams, write the mkdocs project, run mkdocs: the site of
    `pages`. `environments` ((name, home page) each) replaces the namespaces in
    the navigation of a site with several environments."""
    started = time.monotonic() if started is None else started
    progress = progress or Progress()
    out = options.out.resolve()
    check_output(out, options.force)
    cache = (options.cache or out.parent / CACHE_NAME).resolve() / f"{slug(out.name)}-{_short_hash(str(out))}"
    project = Project(cache / "project")
    dot = shutil.which("dot")
    if dot is None:
        say("svcdocs: Graphviz `dot` not found, so the diagrams are drawn with Mermaid "
            "(install graphviz for SVG diagrams)")
    check_page_paths(pages)
    drawings = Drawings(cache / "diagrams", dot, specs)
    try:
        drawings.start()  # on the other cores, while the pages are written and mkdocs runs
        shards = _write_project(project, pages, options, drawings, progress, environments)
        digest = project.digest(__version__, _versions(options.engine), _source_date_epoch(), *drawings.keys.values())
        unchanged = _site_digest(out) == digest
        if not unchanged:
            _build(project, options.engine, shards, out, digest, pages, drawings, progress)
    finally:
        drawings.close()
        progress.clear()
    drawings.remove_unused()
    return BuildResult(out, len(pages), len(specs), drawings.drawn, findings,
                       time.monotonic() - started, "graphviz" if dot else "mermaid", unchanged)


def _write_project(project: Project, pages, options: BuildOptions, drawings: Drawings,
                   progress: Progress, environments: Sequence[tuple[str, str]] | None = None) -> list[Shard]:
    """Every page with its diagrams, mkdocs.yml, the assets and the shard
    configs; files that did not change are left alone. The pages without
    diagrams go first, while `dot` draws."""
    sizes = {}
    for i, page in enumerate(sorted(pages, key=lambda p: bool(p.diagrams))):
        if i % 250 == 0 or page.diagrams:
            progress.show(f"writing pages {i:,}/{len(pages):,}; diagrams {drawings.done}/{len(drawings.specs)}")
        text = page_for(options.engine, page.path, render_page(page, drawings.blocks(page.diagrams)))
        project.write(f"docs/{page.path}", text)
        sizes[page.path] = len(text)
    namespaces = [(p.context["title"], p.path) for p in pages if p.template == "site/namespace.md.j2"]
    project.write("mkdocs.yml", mkdocs_yml(options.site.title, options.site_url, drawings.dot is None, namespaces,
                                           environments))
    project.write_assets(mermaid=drawings.dot is None)
    shards = shards_for(options.engine, sizes)
    for shard in shards:
        if shard.excluded:
            project.write(shard.config, shard_config(shard))
    project.remove_stale()
    return shards


def _build(project: Project, engine: str, shards, out: Path, digest: str, pages, drawings: Drawings,
           progress: Progress) -> None:
    """mkdocs or Zensical into a folder beside `out`, which then replaces `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{out.name}.svcdocs-", dir=out.parent))
    try:
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH=_source_date_epoch())
        started = time.monotonic()

        def tick() -> None:
            at_once = f" ({len(shards)} at once)" if len(shards) > 1 else ""
            progress.show(f"{engine} on {len(pages):,} pages{at_once}, {time.monotonic() - started:.0f} s")
        run_engine(engine, project.root, shards, building / "site", env, tick)
        marker = {"svcdocs": __version__, "project": digest}
        (building / "site" / SITE_MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")
        _swap(building / "site", out)
    finally:
        shutil.rmtree(building, ignore_errors=True)


class Drawings:
    """The diagrams, drawn by `dot` in a thread pool and cached by a hash of
    their spec, the renderer and Graphviz's version; or Mermaid without `dot`."""

    def __init__(self, folder: Path, dot: str | None, specs: tuple[DiagramSpec, ...]):
        self.folder = folder
        self.dot = dot
        self.specs = {spec.key: spec for spec in specs}
        version = f"{graphviz.RENDERER_VERSION}\0{graphviz.dot_version(dot)}" if dot else "mermaid"
        self.keys = {spec.key: _spec_hash(version, spec) for spec in specs}
        self.missed = [key for key in self.keys if dot and not self._path(key).is_file()]
        self.pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
        self.futures: dict[str, Future] = {}

    @property
    def drawn(self) -> int:
        return len(self.missed)

    @property
    def done(self) -> int:
        return sum(1 for future in self.futures.values() if future.done())

    def _path(self, key: str) -> Path:
        return self.folder / f"{self.keys[key]}.svg"

    def start(self) -> None:
        for key, spec in self.specs.items():
            self.futures[key] = self.pool.submit(self._draw, spec)

    def _draw(self, spec: DiagramSpec) -> str:
        if self.dot is None:
            return diagram_block(spec.caption, mermaid.block(mermaid.to_mermaid(spec)))
        path = self._path(spec.key)
        try:
            svg = path.read_text(encoding="utf-8")
        except OSError:
            svg = graphviz.render_svg(graphviz.to_dot(spec), spec.key, self.dot, spec.title)
            path.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(path, svg)
        return diagram_block(spec.caption, svg)

    def blocks(self, keys) -> dict[str, str]:
        return {key: self.futures[key].result() for key in keys}

    def remove_unused(self) -> None:
        """Drop cached diagrams this build did not use: the cache holds one site."""
        wanted = {f"{digest}.svg" for digest in self.keys.values()}
        if self.folder.is_dir():
            for path in self.folder.iterdir():
                if path.name not in wanted:
                    path.unlink()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _spec_hash(version: str, spec: DiagramSpec) -> str:
    return hashlib.sha256(f"{version}\0{spec!r}".encode("utf-8", "surrogatepass")).hexdigest()


# --- Options and the output folder ---------------------------------------------------

def build_options(paths: tuple[str, ...], out: str, *, title: str | None = None, site_url: str | None = None,
                  repo_url: str | None = None, force: bool = False, cache: Path | None = None,
                  engine: str = "mkdocs") -> BuildOptions:
    """Check and complete what the user gave: URLs, the default title."""
    site = SiteOptions(title=title or default_title(paths), repo_url=repo_prefix(repo_url), source_root=source_root())
    return BuildOptions(out=Path(out), site=site, site_url=_site_url(site_url), force=force, cache=cache,
                        engine=engine)


def default_title(paths: tuple[str, ...]) -> str:
    """`shop architecture` for `svcdocs build shop/`; a neutral title otherwise."""
    if len(paths) == 1 and paths[0] != "-":
        name = Path(paths[0]).resolve().name
        if name:
            return f"{name} architecture"
    return "Service architecture"


def _site_url(url: str | None) -> str | None:
    if url is None:
        return None
    if not url.startswith(("https://", "http://")):
        raise SvcdocsError(f"--site-url must start with https:// or http://, not {url!r}")
    return url if url.endswith("/") else url + "/"


def repo_prefix(url: str | None) -> str | None:
    """What a file's repository path is appended to: `https://github.com/OWNER/REPO`
    links the default branch (`/blob/HEAD/`); a URL ending in `/` is used as it is."""
    if url is None:
        return None
    if not url.startswith(("https://", "http://")):
        raise SvcdocsError(f"--repo-url must start with https:// or http://, not {url!r}")
    if url.endswith("/"):
        prefix = url
    elif re.fullmatch(r"https://github\.com/[^/]+/[^/]+", url):
        prefix = url.removesuffix(".git") + "/blob/HEAD/"
    else:
        prefix = url + "/"
    return quote(prefix, safe=":/?#@!$&'*+,;=%~")


def summary(result: BuildResult) -> str:
    """The one line a build ends with."""
    where = _shown(result.out)
    counts = (f"{result.pages:,} pages, {result.diagrams:,} diagrams"
              + (f" ({result.drawn:,} drawn)" if result.renderer == "graphviz" else " (Mermaid)")
              + f", {result.findings:,} findings")
    if result.unchanged:
        return f"{where} is up to date: {counts}; {result.seconds:.1f} s"
    return f"Built {where} in {result.seconds:.1f} s: {counts}"


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd())) + "/"
    except ValueError:
        return str(path) + "/"


def check_output(out: Path, force: bool) -> None:
    """Refuse to replace a folder svcdocs did not make (unless forced), and
    anything that holds the working directory."""
    if out.exists() and not out.is_dir():
        raise SvcdocsError(f"{out}: exists and is not a folder")
    cwd = Path.cwd().resolve()
    if out == cwd or out in cwd.parents:
        raise SvcdocsError(f"{out}: is or holds the working directory; choose another output folder")
    if out.is_dir() and not (out / SITE_MARKER).is_file() and any(out.iterdir()) and not force:
        raise SvcdocsError(f"{out}: not empty and not made by svcdocs build; use --force to replace it")


def _site_digest(out: Path) -> str | None:
    try:
        return json.loads((out / SITE_MARKER).read_text(encoding="utf-8")).get("project")
    except (OSError, ValueError, AttributeError):
        return None


def _swap(new: Path, out: Path) -> None:
    """Put `new` where `out` is: two renames, the old site deleted only after."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.svcdocs-old-", dir=out.parent))
        os.rename(out, old / "site")
    try:
        os.rename(new, out)
    except BaseException:  # also Ctrl-C between the two renames: the old site goes back
        if old is not None:
            os.rename(old / "site", out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _atomic_write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _source_date_epoch() -> str:
    """Sitemap dates from SOURCE_DATE_EPOCH when set, else a constant: same input, same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "0").strip()
    if not epoch.isdigit():
        raise SvcdocsError(f"SOURCE_DATE_EPOCH must be a number of seconds, not {epoch!r}")
    return epoch


def _versions(engine: str) -> str:
    """The engine and the versions it builds with: a change of either rebuilds the site."""
    found = [f"engine {engine}"]
    for package in ("mkdocs", "mkdocs-material") + (("zensical",) if engine == "zensical" else ()):
        try:
            found.append(f"{package}=={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            found.append(f"{package} missing")
    return " ".join(found)
