"""`svcdocs build`: the report -> diagrams and pages -> mkdocs or Zensical -> the site folder.

Diagrams are drawn by `dot` subprocesses in a thread pool while the Markdown
pages are written and mkdocs runs, and cached by a hash of what they show;
each goes into the page mkdocs built, in place of a placeholder (Zensical:
into its page's Markdown, as a raw HTML block).
The project is kept in the cache and rewritten only where it changed; when
nothing changed at all, the previous site is kept. The site is built into a
temporary folder beside the output and swapped in only when the engine succeeds, so a
failed or interrupted build leaves the previous site as it was.

Nothing in a checkout is taken for svcdocs's own state (see svcdocs.state):
the cache lives outside the repository, in folders checked to be real and
this user's, one site at a time (a lock); a cached diagram is used only when
its HMAC holds, and the previous site is kept only when its marker proves
that svcdocs built exactly those files there.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import quote, urlsplit

from svcdocs import __version__
from svcdocs.errors import SvcdocsError
from svcdocs.pipeline import EnvironmentReports, Report
from svcdocs.runtime import gc_paused
from svcdocs.render.locations import forge_url, source_root
from svcdocs.render.site import graphviz, mermaid
from svcdocs.load.environments import Environment
from svcdocs.render.site.figure import figure, figures
from svcdocs.load.discovery_renders import NotRendered
from svcdocs.render.site.environments import environment_site, note_not_rendered
from svcdocs.render.site.names import SiteMap
from svcdocs.render.site.pages import Page, SiteOptions, site_pages
from svcdocs.render.site.engine import Shard, page_for, run_engine, shard_config, shards_for
from svcdocs.render.site.project import (Project, check_page_paths, diagram_placeholder, inject_diagrams, mkdocs_yml,
                                         render_page)
from svcdocs.render.site.spec import DiagramSpec, site_diagrams
from svcdocs.state.output import refuse_links_above
from svcdocs.state.cache import locked, make_clean, open_cache, remove, site_cache
from svcdocs.state.proof import secret, sign, verify
from svcdocs.state.site import has_marker, proven_site, write_marker

MAC_PREFIX = "svcdocs-mac:"
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
_URL_SAFE = "/:@!$&*+,;=~-._%"  # of a URL's path: what stays as it is; the rest is percent-quoted


@dataclass(frozen=True)
class BuildOptions:
    out: Path
    site: SiteOptions
    site_url: str | None = None
    force: bool = False
    cache_key: str | None = None  # what the cache keeps the site under; default: the output folder
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
               progress: Progress | None = None, not_rendered: Sequence[NotRendered] = (),
               environment: Environment | None = None) -> BuildResult:
    started = time.monotonic()
    with gc_paused():  # specs and pages are many small objects, as the report is (svcdocs.runtime)
        sitemap = SiteMap.of(report.graph)
        specs = site_diagrams(report, sitemap)
        pages = note_not_rendered(site_pages(report, sitemap, specs, options.site), not_rendered, options.site,
                                  environment, report, sitemap)
    return build_pages(pages, specs, options, len(report.findings), say, progress, started=started)


def build_environments(reports: EnvironmentReports, options: BuildOptions, say: Callable[[str], None] = print,
                       progress: Progress | None = None) -> BuildResult:
    """The site of one environment as it has always been; of several, a
    section per environment and a Compare page (see site/environments.py)."""
    if reports.single is not None:
        return build_site(reports.single, options, say, progress, reports.not_rendered, reports.reports[0][0])
    with gc_paused():
        site = environment_site(reports, options.site)
    return build_pages(site.pages, site.specs, options, site.findings, say, progress, environments=site.nav)


def build_pages(pages: list[Page], specs: Sequence[DiagramSpec], options: BuildOptions, findings: int,
                say: Callable[[str], None] = print, progress: Progress | None = None,
                environments: Sequence[tuple[str, str]] | None = None, started: float | None = None) -> BuildResult:
    """Draw the diagrams, write the project, run the engine: the site of
    `pages`. `environments` ((name, home page) each) replaces the namespaces in
    the navigation of a site with several environments."""
    site = _Site(pages, specs, findings, environments, time.monotonic() if started is None else started)
    out = output_folder(options.out)
    check_output(out, options.force)
    cache = open_cache()
    folder = site_cache(cache, options.cache_key or str(out))
    with locked(folder, _shown(out)), gc_paused():  # the engine runs in its own processes
        make_clean(folder)
        return _build_site(site, options, out, folder, secret(cache), say, progress or Progress())


@dataclass(frozen=True)
class _Site:
    """What one build makes: its pages and diagrams, and what the summary counts."""

    pages: list[Page]
    specs: Sequence[DiagramSpec]
    findings: int
    environments: Sequence[tuple[str, str]] | None
    started: float


def _build_site(site: _Site, options: BuildOptions, out: Path, cache: Path, key: bytes,
                say: Callable[[str], None], progress: Progress) -> BuildResult:
    pages, specs = site.pages, site.specs
    project = Project(cache / "project")
    dot = shutil.which("dot")
    if dot is None:
        say("svcdocs: Graphviz `dot` not found, so the diagrams are drawn with Mermaid "
            "(install graphviz for SVG diagrams)")
    check_page_paths(pages)
    drawings = Drawings(cache / "diagrams", dot, specs, key)
    try:
        drawings.start()  # on the other cores, while the pages are written and mkdocs runs
        shards = _write_project(project, site.pages, options, drawings, progress, site.environments)
        digest = project.digest(__version__, _versions(options.engine), _source_date_epoch(), *drawings.keys.values())
        unchanged = proven_site(out, key, digest)
        if not unchanged:
            _build(project, options.engine, shards, out, digest, site.pages, drawings, progress, key)
    except BaseException:
        drawings.stop()
        raise
    finally:
        drawings.close()
        progress.clear()
    drawings.remove_unused()
    return BuildResult(out, len(pages), len(specs), drawings.drawn, site.findings,
                       time.monotonic() - site.started, "graphviz" if dot else "mermaid", unchanged)


def _write_project(project: Project, pages, options: BuildOptions, drawings: Drawings,
                   progress: Progress, environments: Sequence[tuple[str, str]] | None = None) -> list[Shard]:
    """Every page, mkdocs.yml, the assets and the shard configs; files that
    did not change are left alone. For Zensical, the diagrams are in the
    pages, which wait for `dot` (the pages without diagrams go first); for
    mkdocs, a placeholder is, and `dot` draws on while mkdocs runs."""
    sizes = {}
    for i, page in enumerate(sorted(pages, key=lambda p: bool(p.diagrams))):
        if i % 250 == 0 or page.diagrams:
            progress.show(f"writing pages {i:,}/{len(pages):,}; diagrams {drawings.done}/{len(drawings.specs)}")
        text = page_for(options.engine, page.path, render_page(page, _diagrams_in(options.engine, page, drawings)))
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


def _diagrams_in(engine: str, page, drawings: Drawings) -> dict[str, str]:
    """What goes in a page's Markdown where its diagrams are. mkdocs's Markdown
    parses every raw HTML block as HTML, a large SVG too, and its search reads it
    again: the diagrams go into the pages it built (a sixth of its time at 1,000
    Services). Zensical resolves each page's links itself, so they go in its Markdown."""
    if engine == "zensical":
        return drawings.blocks(page.diagrams)
    return {key: diagram_placeholder(key) for key in page.diagrams}


def _build(project: Project, engine: str, shards, out: Path, digest: str, pages, drawings: Drawings,
           progress: Progress, key: bytes) -> None:
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
        if engine == "mkdocs":
            for page in pages:
                if page.diagrams:
                    inject_diagrams(building / "site", page, drawings.blocks(page.diagrams))
        write_marker(building / "site", out, digest, key)
        _swap(building / "site", out)
    finally:
        shutil.rmtree(building, ignore_errors=True)


class Drawings:
    """The diagrams, drawn by `dot` in a thread pool and cached by a hash of
    their spec, the renderer and Graphviz's version; or Mermaid without `dot`.
    A cached drawing carries an HMAC made with this user's secret, and is
    drawn again when the HMAC does not hold."""

    def __init__(self, folder: Path, dot: str | None, specs: tuple[DiagramSpec, ...], key: bytes):
        self.folder = folder
        self.dot = dot
        self.key = key
        self.specs = {spec.key: spec for spec in specs}
        version = f"{graphviz.RENDERER_VERSION}\0{graphviz.dot_version(dot)}" if dot else "mermaid"
        self.keys = {spec.key: _spec_hash(version, spec) for spec in specs}
        self.pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
        self.futures: dict[str, Future] = {}
        self.running: set[subprocess.Popen] = set()
        self.lock = threading.Lock()
        self.stopped = False
        self.drawn = 0  # diagrams not taken from the cache

    @property
    def done(self) -> int:
        return sum(1 for future in self.futures.values() if future.done())

    def _path(self, key: str) -> Path:
        """Where a diagram's drawn block (its figures, around the SVG) is cached."""
        return self.folder / f"{self.keys[key]}.svg"

    def start(self) -> None:
        for key, spec in self.specs.items():
            self.futures[key] = self.pool.submit(self._draw, spec)

    def _draw(self, spec: DiagramSpec) -> str:
        """The diagram's block: its figure, or the figures of its parts."""
        drawn, note = graphviz.drawable(spec)
        if drawn is None:
            return figure(spec, "", note)
        if self.dot is None:
            return figure(spec, mermaid.block(mermaid.to_mermaid(drawn)), note)
        block = self._cached(spec.key)
        if block is None:
            try:
                block = figures(graphviz.draw(drawn, self.dot, self._started), note)
            except graphviz.TooLarge:  # not cached: a faster machine may draw it
                return figure(spec, "", graphviz.too_large_note(drawn))
            self.folder.mkdir(mode=0o700, exist_ok=True)
            mac = sign(self.key, "diagram", self.keys[spec.key], block)
            _atomic_write(self._path(spec.key), f"{MAC_PREFIX}{mac}\n{block}")
            with self.lock:
                self.drawn += 1
        return block

    def _cached(self, key: str) -> str | None:
        """The cached block, if its HMAC holds."""
        try:
            first, _, block = self._path(key).read_text(encoding="utf-8").partition("\n")
        except (OSError, UnicodeDecodeError):
            return None
        mac = first.removeprefix(MAC_PREFIX)
        return block if first.startswith(MAC_PREFIX) and verify(self.key, mac, "diagram", self.keys[key], block) else None

    def _started(self, process: subprocess.Popen) -> None:
        with self.lock:
            if self.stopped:
                process.kill()
            self.running.add(process)

    def blocks(self, keys) -> dict[str, str]:
        return {key: self.futures[key].result() for key in keys}

    def remove_unused(self) -> None:
        """Drop cached diagrams this build did not use: the cache holds one site."""
        wanted = {f"{digest}.svg" for digest in self.keys.values()}
        if self.folder.is_dir():
            for path in self.folder.iterdir():
                if path.name not in wanted:
                    remove(path)

    def stop(self) -> None:
        """An interrupted or failed build: stop the `dot` still running."""
        with self.lock:
            self.stopped = True
            for process in self.running:
                if process.poll() is None:
                    process.kill()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _spec_hash(version: str, spec: DiagramSpec) -> str:
    return hashlib.sha256(f"{version}\0{spec!r}".encode("utf-8", "surrogatepass")).hexdigest()


# --- Options and the output folder ---------------------------------------------------

def build_options(paths: tuple[str, ...], out: str, *, title: str | None = None, site_url: str | None = None,
                  repo_url: str | None = None, force: bool = False, cache_key: str | None = None,
                  engine: str = "mkdocs") -> BuildOptions:
    """Check and complete what the user gave: URLs, the default title."""
    root = source_root(paths, own_folder=True)
    site = SiteOptions(title=title or default_title(paths), repo_url=repo_prefix(repo_url) or forge_url(root),
                       source_root=root)
    return BuildOptions(out=Path(out), site=site, site_url=site_url_of(site_url), force=force, cache_key=cache_key,
                        engine=engine)


def default_title(paths: tuple[str, ...]) -> str:
    """`shop architecture` for `svcdocs build shop/`; a neutral title otherwise."""
    if len(paths) == 1 and paths[0] != "-":
        name = Path(paths[0]).resolve().name
        if name:
            return f"{name} architecture"
    return "Service architecture"


def site_url_of(url: str | None) -> str | None:
    """--site-url checked and quoted: mkdocs-material writes it, joined to
    each page's path, into every page's canonical link as it is."""
    if url is None:
        return None
    if not url.startswith(("https://", "http://")):
        raise SvcdocsError("--site-url must start with https:// or http://")
    parts = urlsplit(url)
    if not _HOST.fullmatch(parts.netloc):
        raise SvcdocsError("--site-url must name a host: letters, digits, dots and dashes, and a port")
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise SvcdocsError("--site-url is where the site is published: no ?query or #fragment")
    path = quote(parts.path, safe=_URL_SAFE)
    return f"{parts.scheme}://{parts.netloc}{path if path.endswith('/') else path + '/'}"


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


def output_folder(out: Path) -> Path:
    """The output folder as an absolute path whose folders above are real
    (links there resolved, those of the checkout refused); the folder itself
    must not be a link."""
    refuse_links_above(out)
    out = Path(os.path.abspath(out))
    if out.is_symlink():
        raise SvcdocsError(f"{out}: is a symbolic link; svcdocs does not build through links "
                           "(remove it, or choose another output folder)")
    return out.parent.resolve() / out.name


def check_output(out: Path, force: bool) -> None:
    """Refuse to replace a folder svcdocs did not make (unless forced), and
    anything that holds the working directory."""
    if out.is_symlink():
        raise SvcdocsError(f"{out}: is a symbolic link; svcdocs does not build through links")
    if out.exists() and not out.is_dir():
        raise SvcdocsError(f"{out}: exists and is not a folder")
    cwd = Path.cwd().resolve()
    if out == cwd or out in cwd.parents:
        raise SvcdocsError(f"{out}: is or holds the working directory; choose another output folder")
    if out.is_dir() and not has_marker(out) and any(out.iterdir()) and not force:
        raise SvcdocsError(f"{out}: not empty and not made by svcdocs build; use --force to replace it")


def _swap(new: Path, out: Path) -> None:
    """Put `new` where `out` is: two renames, the old site deleted only after
    (shutil.rmtree removes a link inside it, never what the link points at)."""
    old = None
    if os.path.lexists(out):
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
