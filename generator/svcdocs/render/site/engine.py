"""Running the site engine on the generated project: mkdocs (on every core)
or Zensical (`--engine zensical`).

mkdocs builds one page after another, and a site of a thousand Services is a
thousand pages. So a large project is built as several shards at once: each
shard is a config that `INHERIT`s the project's `mkdocs.yml` and excludes,
with `exclude_docs`, the pages another shard builds. Links to excluded pages
still resolve (mkdocs knows every file), and every nav entry has an explicit
title, so a page comes out the same from any shard. The shards' folders are
then merged, and their search indexes and sitemaps joined. The project's own
`mkdocs.yml` stays a complete, plain config that mkdocs or Zensical can build
on their own.

`mkdocs build --dirty` is not used: it rebuilds only changed pages, and
mkdocs-material's search index then holds only those pages.

Zensical builds the same project, `mkdocs.yml` included, in one process (it
works on every core itself). It differs from mkdocs in one way that matters
here: it resolves every relative `href` of a page, raw HTML included, against
the page's Markdown file, as mkdocs does only for Markdown links; so the pages
it builds get their links written that way (`zensical_links`).
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from svcdocs.errors import SvcdocsError
from svcdocs.render.site.names import page_url

ENGINES = ("mkdocs", "zensical")
PAGES_PER_SHARD = 250  # in units of cost: a page of up to a few KB
FOLDER_PAGES = 100  # a namespace's Service pages are one unit up to this many; more are split by name
TICK_SECONDS = 0.25
MAX_SHARDS = 4
SEARCH_INDEX = "search/search_index.json"


@dataclass(frozen=True)
class Shard:
    config: str  # file name in the project folder
    units: tuple[str, ...]  # what it builds: pages (`exposure.md`), folders (`services/shop/`) and
    # the pages of a folder whose names start alike (`services/shop/ca*.md`)
    excluded: tuple[str, ...]  # exclude_docs patterns: every other shard's units


def build_units(page_sizes: dict[str, int]) -> dict[str, float]:
    """What a shard builds, with its cost: each page on its own, and each
    namespace's Service pages as one folder, or past FOLDER_PAGES as groups
    of pages whose names share a prefix (so that a shard's exclude_docs stays
    short: mkdocs matches every file against every pattern). Measured on
    mkdocs-material, a page costs about as much as 4 KB of its content (theme
    and search), plus that content."""
    units: dict[str, float] = {}
    folders: dict[str, dict[str, float]] = {}
    for path, size in page_sizes.items():
        cost = 1 + size / 4000
        if path.startswith("services/") or "/services/" in path:  # a site with environments: envs/<env>/services/
            folder, name = path.rsplit("/", 1)
            folders.setdefault(folder, {})[name.removesuffix(".md")] = cost
        else:
            units[path] = cost
    for folder, pages in folders.items():
        if len(pages) <= FOLDER_PAGES:
            units[f"{folder}/"] = sum(pages.values())
            continue
        for prefix, exact, group in _by_prefix(pages, FOLDER_PAGES):
            units[f"{folder}/{prefix}{'' if exact else '*'}.md"] = sum(group.values())
    return units


def _by_prefix(pages: dict[str, float], limit: int, prefix: str = "") -> list[tuple[str, bool, dict[str, float]]]:
    """Page names (slugs: letters, digits and `-`) in groups of at most
    `limit`, each every name that starts with its prefix, or one name (exact)."""
    if len(pages) <= limit:
        return [(prefix, False, pages)]
    groups: list[tuple[str, bool, dict[str, float]]] = []
    if prefix in pages:
        groups.append((prefix, True, {prefix: pages[prefix]}))
    by_next: dict[str, dict[str, float]] = {}
    for name, cost in pages.items():
        if name != prefix:
            by_next.setdefault(name[:len(prefix) + 1], {})[name] = cost
    for longer in sorted(by_next):
        groups += _by_prefix(by_next[longer], limit, longer)
    return groups


def plan_shards(units: dict[str, float], cpus: int) -> list[Shard]:
    """As many shards as cores (at most MAX_SHARDS, and one per PAGES_PER_SHARD
    of cost), balanced by cost; shard 0 builds the home page."""
    count = max(1, min(cpus, MAX_SHARDS, int(sum(units.values()) // PAGES_PER_SHARD)))
    if count == 1:
        return [Shard("mkdocs.yml", tuple(sorted(units)), ())]
    loads = [0.0] * count
    groups: list[list[str]] = [[] for _ in range(count)]
    for unit, cost in sorted(units.items(), key=lambda kv: (kv[0] != "index.md", -kv[1], kv[0])):
        lightest = 0 if unit == "index.md" else loads.index(min(loads))
        groups[lightest].append(unit)
        loads[lightest] += cost
    return [Shard(f"mkdocs-shard-{i}.yml", tuple(sorted(group)),
                  tuple(sorted(f"/{u}" for j, other in enumerate(groups) if j != i for u in other)))
            for i, group in enumerate(groups)]


def shard_config(shard: Shard) -> str:
    lines = ["# One part of a parallel build of mkdocs.yml (see svcdocs.render.site.engine).",
             "INHERIT: mkdocs.yml", "exclude_docs: |"]
    return "\n".join(lines + [f"  {pattern}" for pattern in shard.excluded]) + "\n"


def python() -> list[str]:
    """`python -P -m`: a module run so never imports from the working directory
    (a repository's own `mkdocs.py`, `yaml.py` or `markdown.py` would run).
    Python 3.10 has no -P: there, that the working directory is the project
    folder svcdocs made, which holds no Python, is what keeps it out."""
    return [sys.executable, "-P", "-m"] if sys.version_info >= (3, 11) else [sys.executable, "-m"]


def isolated(env: dict[str, str]) -> dict[str, str]:
    """The environment of a Python child: PYTHONSAFEPATH as -P says, for any
    Python it starts in turn. It runs in the project folder, which svcdocs made."""
    return {**env, "PYTHONSAFEPATH": "1"}


def run_mkdocs(project: Path, shards: list[Shard], out: Path, env: dict[str, str],
               tick: Callable[[], None] = lambda: None) -> None:
    """Build every shard at once; shard 0 into `out`, the rest merged into it.
    `tick` is called a few times a second while they run (progress)."""
    out, project = out.absolute(), project.absolute()  # the children run in `project`
    folders = [out] + [out.with_name(f"{out.name}-shard-{i}") for i in range(1, len(shards))]
    running = [
        subprocess.Popen(
            [*python(), "mkdocs", "build", "-q", "-f", str(project / shard.config), "-d", str(folder)],
            cwd=project, env=isolated(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for shard, folder in zip(shards, folders)
    ]
    try:
        results = _wait(running, tick)
        for process, (_, stderr) in zip(running, results):
            if process.returncode != 0:
                lines = stderr.strip().splitlines()
                raise SvcdocsError(f"mkdocs failed: {lines[-1] if lines else process.returncode}")
        for _, stderr in results:
            for line in stderr.splitlines():
                if line.strip():
                    print(f"mkdocs: {line.strip()}", file=sys.stderr)
        if len(folders) > 1:
            _merge(out, list(zip(shards[1:], folders[1:])), env.get("SOURCE_DATE_EPOCH", "0"))
    finally:
        for process in running:
            if process.poll() is None:
                process.kill()
                process.wait()
        for folder in folders[1:]:
            shutil.rmtree(folder, ignore_errors=True)


def _wait(running: list[subprocess.Popen], tick: Callable[[], None]) -> list[tuple[str, str]]:
    """Each process's output, read by a thread of its own so no pipe fills up."""
    results: list[tuple[str, str]] = [("", "")] * len(running)

    def read(i: int) -> None:
        results[i] = running[i].communicate()
    readers = [threading.Thread(target=read, args=(i,), daemon=True) for i in range(len(running))]
    for reader in readers:
        reader.start()
    alive = readers
    while alive:
        tick()
        alive[0].join(TICK_SECONDS)  # a reader still running: joining a finished one would spin
        alive = [reader for reader in alive if reader.is_alive()]
    return results


def _merge(out: Path, others: list[tuple[Shard, Path]], epoch: str) -> None:
    """Move the other shards' pages into `out`; join search indexes and sitemaps."""
    index = json.loads((out / SEARCH_INDEX).read_text(encoding="utf-8"))
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    for shard, folder in others:
        for unit in shard.units:
            for built in _built(folder, unit):
                (out / built).parent.mkdir(parents=True, exist_ok=True)
                os.rename(folder / built, out / built)
        index["docs"] += json.loads((folder / SEARCH_INDEX).read_text(encoding="utf-8"))["docs"]
        sitemap = sitemap.replace("</urlset>", _urls(folder / "sitemap.xml") + "</urlset>")
    (out / SEARCH_INDEX).write_text(json.dumps(index, separators=(",", ":"), default=str), encoding="utf-8")
    (out / "sitemap.xml").write_text(sitemap, encoding="utf-8")
    with open(out / "sitemap.xml.gz", "wb") as f:
        with gzip.GzipFile(fileobj=f, filename="sitemap.xml.gz", mode="wb", mtime=int(epoch)) as gz:
            gz.write(sitemap.encode("utf-8"))


def _built(folder: Path, unit: str) -> list[str]:
    """What a unit became in a shard's folder (relative paths)."""
    if unit.endswith("/"):
        return [unit]
    if unit.endswith("*.md"):  # the pages whose names start with the prefix, one folder each
        parent, prefix = unit.removesuffix("*.md").rsplit("/", 1)
        return sorted(f"{parent}/{p.name}/" for p in (folder / parent).glob(f"{prefix}*") if p.is_dir())
    return [page_url(unit) + "index.html"]


def _urls(sitemap: Path) -> str:
    text = sitemap.read_text(encoding="utf-8")
    start = text.find("<url>")
    return text[text.find("<url>"):text.rfind("</urlset>")] if start >= 0 else ""


# --- The choice of engine -----------------------------------------------------------

def page_for(engine: str, page: str, text: str) -> str:
    """A page's Markdown as the engine reads it."""
    return zensical_links(page, text) if engine == "zensical" else text


def shards_for(engine: str, page_sizes: dict[str, int]) -> list[Shard]:
    """mkdocs: shards on every core; Zensical: one process, which uses every core itself."""
    if engine == "zensical":
        return [Shard("mkdocs.yml", tuple(sorted(page_sizes)), ())]
    return plan_shards(build_units(page_sizes), os.cpu_count() or 1)


def run_engine(engine: str, project: Path, shards: list[Shard], out: Path, env: dict[str, str],
               tick: Callable[[], None] = lambda: None) -> None:
    if engine == "zensical":
        run_zensical(project, out, env, tick)
    else:
        run_mkdocs(project, shards, out, env, tick)


# --- Zensical ------------------------------------------------------------------------

_HREF = re.compile(r'(?<=\s)href="([^"]*)"')  # an attribute of svcdocs's HTML, never `xlink:href`


def zensical_links(page: str, text: str) -> str:
    """A page's Markdown with each relative `href` rewritten from the page's
    URL (`services/shop/web/`, as mkdocs serves it) to its Markdown file's
    folder (`services/shop/`), where Zensical resolves it from. Only attributes
    svcdocs wrote can match: every text from a manifest has `"` escaped. SVG
    links (`xlink:href`) and Mermaid's are left alone, as Zensical leaves them."""
    here, source = page_url(page), posixpath.dirname(page)
    if here.rstrip("/") == source:
        return text
    return _HREF.sub(lambda m: f'href="{_from_source(m.group(1), here, source)}"', text)


def _from_source(href: str, here: str, source: str) -> str:
    if not href or href.startswith(("#", "/")) or re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", href):
        return href
    path, hash_, fragment = href.partition("#")
    target = posixpath.normpath(posixpath.join(here, path or "."))
    relative = posixpath.relpath(target, source or ".")
    if path.endswith("/") or not path:
        relative = "./" if relative == "." else relative + "/"
    return relative + hash_ + fragment


def run_zensical(project: Path, out: Path, env: dict[str, str], tick: Callable[[], None] = lambda: None) -> None:
    """Build the project with Zensical into `out`. Zensical writes into the
    project's folder (`site/` and its `.cache/`), from where the site is moved."""
    if importlib.util.find_spec("zensical") is None:
        raise SvcdocsError("Zensical is not installed: pip install 'svcdocs[zensical]' (or build with --engine mkdocs)")
    built = project / "site"
    for leftover in (built, project / ".cache"):
        shutil.rmtree(leftover, ignore_errors=True)
    process = subprocess.Popen(
        [*python(), "zensical", "build", "--clean", "-f", str(project / "mkdocs.yml")],
        cwd=project, env=isolated({**env, "NO_COLOR": "1"}), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        (stdout, stderr), = _wait([process], tick)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    said = [line.rstrip() for line in (stdout + stderr).splitlines() if line.strip()]
    if process.returncode != 0 or not built.is_dir():
        raise SvcdocsError(f"zensical failed: {said[-1] if said else process.returncode}")
    if not any("No issues found" in line for line in said):
        for line in said:
            if not line.startswith(("Build started", "Build finished")):
                print(f"zensical: {line}", file=sys.stderr)
    shutil.move(str(built), str(out))
    shutil.rmtree(project / ".cache", ignore_errors=True)
