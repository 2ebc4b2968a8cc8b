"""The generated mkdocs project: `mkdocs.yml`, `docs/` and its assets.

The project lives in the cache and is rewritten in place: a file is written
only when its bytes change and files no page needs any more are removed, so
an unchanged input leaves the project as it was, and its digest says whether
the previous site can be kept as it is.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import jinja2
from markupsafe import Markup

from svcdocs.errors import SvcdocsError
from svcdocs.render.escape import markdown_text, visible
from svcdocs.render.site.names import page_url
from svcdocs.render.site.pages import Page
from svcdocs.render.templates import environment, template_dir

VENDOR = Path(__file__).resolve().parent / "vendor"
MERMAID_JS = "assets/javascripts/mermaid.min.js"
NAV_NAMESPACES = 12
# Past this many environments, the nav holds only the home and Compare pages:
# 30 environments in the nav of 9,000 pages doubled mkdocs's time (110 s against 42 s).
NAV_ENVIRONMENTS = 8
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


def _identifier(value: str) -> str:
    if not _ID.fullmatch(value):
        raise ValueError(f"not an anchor svcdocs made: {value!r}")
    return value


def _front_matter(value: str) -> Markup:
    """A page title for the YAML front matter. mkdocs-material puts titles into
    `<title>` and the header as they are, so the title goes in HTML-escaped."""
    return Markup(json.dumps(html.escape(visible(value)), ensure_ascii=False))


def _shown(value: object) -> object:
    """Every text a page shows, before autoescape: control, zero-width and bidi
    characters made visible, so that a name can neither end the raw HTML block
    it sits in (a blank line ends one in CommonMark) nor reorder the page's text."""
    return visible(value) if isinstance(value, str) and not isinstance(value, Markup) else value


@lru_cache(maxsize=1)
def page_environment() -> jinja2.Environment:
    """The shared template environment, with HTML autoescape (page bodies are
    raw HTML blocks) and `md` for text in Markdown headings."""
    env = environment(autoescape=True).overlay(finalize=_shown)
    env.filters["md"] = lambda value: Markup(markdown_text(value))
    env.filters["front_matter"] = _front_matter
    env.globals["heading_id"] = lambda value: Markup("{#" + _identifier(value) + "}")
    return env


def render_page(page: Page, diagrams: dict[str, str]) -> str:
    """A page's Markdown, with its diagrams (raw HTML that svcdocs made) in
    place, and its banner (raw HTML that svcdocs made) under the front matter."""
    drawn = [Markup(diagrams[key]) for key in page.diagrams]
    text = page_environment().get_template(page.template).render(page.context, diagrams=drawn)
    return _with_banner(text, page.banner) if page.banner else text


def _with_banner(text: str, banner: str) -> str:
    lines = text.split("\n")
    fences = [i for i, line in enumerate(lines) if line == "---"][:2]
    at = fences[1] + 1 if len(fences) == 2 and not any(l.strip() for l in lines[:fences[0]]) else 0
    return "\n".join(lines[:at] + ["", banner, ""] + lines[at:])


def diagram_placeholder(key: str) -> str:
    """Where a diagram goes in a page's Markdown for mkdocs, which puts it in
    the built page as it is: an empty block, filled by `inject_diagrams`."""
    return f'<div class="svcdocs-diagram" data-svcdocs-diagram="{_identifier(key)}"></div>'


def inject_diagrams(site: Path, page: Page, blocks: dict[str, str]) -> None:
    """Put each diagram's block into the page mkdocs built, in place of its placeholder."""
    path = site / page_url(page.path) / "index.html"
    text = path.read_text(encoding="utf-8")
    for key in page.diagrams:
        placeholder = diagram_placeholder(key)
        if text.count(placeholder) != 1:
            raise SvcdocsError(f"{path}: the place for diagram {key} is missing; please report this as a bug")
        text = text.replace(placeholder, blocks[key])
    path.write_text(text, encoding="utf-8")


def mkdocs_yml(title: str, site_url: str | None, mermaid: bool, namespaces: list[tuple[str, str]],
               environments: Sequence[tuple[str, str]] | None = None) -> str:
    """The project's config. Every nav entry has an explicit title (see engine.py);
    past NAV_NAMESPACES namespaces, only their index page is in the nav, since
    the nav is rendered into every page. A site with several environments
    lists their home pages instead (each page links the environment's others),
    up to NAV_ENVIRONMENTS of them."""
    template = environment().get_template("site/mkdocs.yml.j2")
    # mkdocs-material puts the site name and nav titles into pages as they are
    # (they may hold HTML), so they go in escaped.
    nav = [(html.escape(visible(t)), page) for t, page in namespaces] if len(namespaces) <= NAV_NAMESPACES else []
    envs = None if environments is None else [
        (html.escape(visible(t)), page) for t, page in environments] if len(environments) <= NAV_ENVIRONMENTS else []
    return template.render(title=html.escape(visible(title)), site_url=site_url, mermaid=mermaid, namespaces=nav,
                           environments=envs)


class Project:
    """A folder holding `mkdocs.yml` and `docs/`, updated file by file."""

    def __init__(self, root: Path):
        self.root = root
        self.written: dict[str, str] = {}  # relative path -> sha256 of the content
        self.changed = 0

    def write(self, relative: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        path = self.root / relative
        self.written[relative] = hashlib.sha256(data).hexdigest()
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                return
        except OSError:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.changed += 1

    def write_assets(self, mermaid: bool) -> None:
        for asset in ("svcdocs.css", "svcdocs.js"):
            self.write(f"docs/assets/{asset}", (template_dir() / "site" / "assets" / asset).read_bytes())
        if mermaid:
            self.write(f"docs/{MERMAID_JS}", (VENDOR / "mermaid.min.js").read_bytes())

    def remove_stale(self) -> None:
        """Delete every file no longer written, and the folders left empty."""
        for folder, _, files in os.walk(self.root, topdown=False):
            for name in files:
                path = Path(folder, name)
                if path.relative_to(self.root).as_posix() not in self.written:
                    path.unlink()
                    self.changed += 1
            if Path(folder) != self.root and not os.listdir(folder):
                os.rmdir(folder)

    def digest(self, *extra: str) -> str:
        """One hash of every file of the project (and `extra`, such as tool versions)."""
        h = hashlib.sha256()
        for relative in sorted(self.written):
            h.update(f"{relative}\0{self.written[relative]}\n".encode())
        for value in extra:
            h.update(f"{value}\n".encode())
        return h.hexdigest()


def check_page_paths(pages: Iterable[Page]) -> None:
    """No two pages share a file or a URL (names.py makes sure; this proves it)."""
    seen: dict[str, str] = {}
    for page in pages:
        url = page_url(page.path).lower()
        if url in seen or ".." in page.path.split("/") or page.path.startswith("/"):
            raise SvcdocsError(f"two pages would share {page.path}; please report this as a bug")
        seen[url] = page.path
