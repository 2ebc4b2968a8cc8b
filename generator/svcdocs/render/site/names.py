"""Where each page lives, and how one page links to another.

File names come from manifest names, which anyone can write: `../`, `/`, `.`,
`NUL`, names that differ only in case, names of 253 characters. A name that is
already a plain lowercase slug keeps its form; any other gets a slug plus a
short hash, so two objects never share a page and no path leaves its folder.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from svcdocs.graph import Graph
from svcdocs.model import id_kind

MAX_SLUG = 60
# Device names Windows refuses as file names, and `index`, which would be the
# folder's own page (namespaces/index.md is the Namespaces page).
RESERVED = frozenset({"con", "prn", "aux", "nul", "index",
                      *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _digest(name: str, length: int) -> str:
    return hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def slug(name: str, digest_length: int = 8) -> str:
    """`shop` stays `shop`; `../../etc` becomes `etc-1a2b3c4d`, `Shop` `shop-5e6f7a8b`."""
    base = _NOT_SLUG.sub("-", name.lower()).strip("-")[:MAX_SLUG].strip("-")
    if base == name and base not in RESERVED:
        return base
    return f"{base or 'x'}-{_digest(name, digest_length)}"


def unique_slugs(names: Iterable[str]) -> dict[str, str]:
    """A slug for every name, distinct even when someone crafts a collision:
    names that are their own slug keep it, and a name whose slug is taken
    gets the full hash."""
    result: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(set(names), key=lambda n: (slug(n) != n, n)):
        candidate = slug(name)
        if candidate in taken:
            candidate = f"{candidate}-{_digest(name, 40)}"
        taken.add(candidate)
        result[name] = candidate
    return result


def page_url(page: str) -> str:
    """The directory URL of a Markdown page: `index.md` -> ``, `a/b.md` -> `a/b/`."""
    stem = page.removesuffix(".md")
    if stem == "index":
        return ""
    return stem.removesuffix("/index") + "/"


def url_from(page: str, target: str, anchor: str = "") -> str:
    """The URL of page `target` relative to page `page`, for raw HTML, which
    mkdocs does not rewrite (diagrams)."""
    fragment = f"#{anchor}" if anchor else ""
    return _relative_url(page, target) + fragment or "./"


@lru_cache(maxsize=65536)
def _relative_url(page: str, target: str) -> str:
    """`url_from` without the fragment ("" for the page itself); pages link
    the same few pages many times over."""
    here, there = page_url(page), page_url(target)
    if here == there:
        return ""
    relative = posixpath.relpath(there or ".", here or ".")
    return "" if relative == "." else relative + "/"


def link_from(page: str, target: str, anchor: str = "") -> str:
    """The path of `target` relative to `page`, for Markdown links, which mkdocs
    checks and turns into URLs."""
    fragment = f"#{anchor}" if anchor else ""
    if page == target and fragment:
        return fragment
    return posixpath.relpath(target, posixpath.dirname(page) or ".") + fragment


def anchor(kind: str, name: str) -> str:
    """The id of an object's row on its namespace page."""
    return slug(f"{kind}-{name}".lower())


@dataclass(frozen=True)
class SiteMap:
    """The page of every namespace and Service, and where each node links to."""

    namespaces: dict[str, str]  # namespace -> page
    services: dict[str, str]  # Service id -> page
    externals: dict[str, str]  # External node id -> the page of a Service that aliases it

    @classmethod
    def of(cls, graph: Graph) -> SiteMap:
        names = {n.namespace for n in graph.nodes.values() if n.namespace}
        names |= {ns.name for ns in graph.model.namespaces}
        namespaces = {ns: f"namespaces/{s}.md" for ns, s in unique_slugs(names).items()}
        by_namespace: dict[str, dict[str, str]] = {}  # namespace -> Service id -> the name its page is named after
        for service in graph.model.services:
            # A Service-like kind of a family (a MultiClusterService) gets `name.kind` for its page.
            name = service.name if service.kind == "Service" else f"{service.name}.{service.kind.lower()}"
            by_namespace.setdefault(service.namespace, {})[service.id] = name
        services = {}
        for ns, names in by_namespace.items():
            folder = namespaces[ns].removeprefix("namespaces/").removesuffix(".md")
            slugs = unique_slugs(names.values())
            for service_id, name in names.items():
                services[service_id] = f"services/{folder}/{slugs[name]}.md"
        externals = {}
        for edge in graph.edges:
            if edge.kind == "aliases":
                source = graph.nodes[edge.source]
                page = services.get(edge.source) or namespaces.get(source.namespace)
                if page:
                    externals.setdefault(edge.target, page)
        return cls(namespaces, services, externals)

    def page_of(self, node_id: str, kind: str, namespace: str, name: str) -> tuple[str, str] | None:
        """(page, anchor) that a node links to, or None."""
        if node_id in self.services:
            return self.services[node_id], ""
        if kind == "Internet":
            return "exposure.md", ""
        if kind == "External":
            page = self.externals.get(node_id)
            return (page, "") if page else None
        if namespace in self.namespaces:
            return self.namespaces[namespace], anchor(id_kind(node_id), name)
        return None
