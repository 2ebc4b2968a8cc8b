"""The apps of an environment on its home page: each deployable unit (an Argo
CD Application, a Flux Kustomization or HelmRelease, an entry kustomization, a
chart, a top-level folder) with where it comes from, and its Services.

An app's objects are those of its sources (`App.sources`, by label). An object
read from a plain file carries that file's label; an object of a render is
placed at the file a person edits (load/origin.py, load/placement.py), so a
render's objects are those placed at the files its origins name. Two apps
that render the same base file both list what is defined there: both deploy it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from svcdocs.load.environments import App, Environment
from svcdocs.load.sources import Source
from svcdocs.pipeline import Report
from svcdocs.render.site.names import SiteMap, url_from
from svcdocs.render.site.pages import Link, first

KINDS = {"Application": "Argo CD Application", "ApplicationSet": "Argo CD ApplicationSet",
         "Kustomization": "Flux Kustomization", "HelmRelease": "Flux HelmRelease",
         "kustomization": "entry kustomization", "chart": "Helm chart", "folder": "folder"}
SERVICES_SHOWN = 12  # Services named in an app's row; the rest are counted


def files_of(source: Source) -> frozenset[str]:
    """The files an object of `source` may be placed at: its label, and for a
    render, the files its objects come from."""
    return frozenset((source.label, *(source.origins.shown_files() if source.origins is not None else ())))


def app_rows(environment: Environment, report: Report, sitemap: SiteMap, here: str,
             source: Callable[[str, int], Link], path: Callable[[str], str]) -> list[dict]:
    """A row per app: its name, kind, where it comes from and its Services."""
    if not environment.apps:
        return []
    by_label = {s.label: s for s in environment.sources}
    services = sorted(report.model.services, key=lambda s: (s.namespace, s.name))
    rows = []
    for app in environment.apps:
        files = frozenset().union(*(files_of(by_label[label]) if label in by_label else {label}
                                    for label in app.sources))
        own = [s for s in services if s.file in files]
        rows.append({
            "name": app.name, "kind": KINDS.get(app.kind, app.kind), "from": _from(app, path),
            "namespace": app.namespace,
            "declared": source(*app.declared) if app.declared[0] else None,
            "services": first(own, SERVICES_SHOWN, lambda s: _service_link(s, sitemap, here, report)),
        })
    return rows


def _from(app: App, path: Callable[[str], str]) -> str:
    """`chart podinfo 6.5.0 from https://...`, or the path it is read from."""
    if app.chart:
        return " ".join(x for x in (f"chart {app.chart}", app.version and f"version {app.version}",
                                    app.source and f"from {app.source}") if x)
    if app.source:
        return app.source
    return path(app.path) if app.path else ""


def _service_link(service, sitemap: SiteMap, here: str, report: Report) -> Link:
    where = sitemap.page_of(service.id, service.kind, service.namespace, service.name)
    text = f"{service.namespace}/{service.name}"
    return Link(text, url_from(here, *where) if where else None, level=report.analysis.level(service.id))


def note_apps(pages: list, environment: Environment | None, report: Report, sitemap: SiteMap,
              source: Callable[[str, int], Link], path: Callable[[str], str]) -> list:
    """An environment's home page lists its apps (nothing when it has none)."""
    if environment is None or not environment.apps:
        return pages
    rows = app_rows(environment, report, sitemap, "index.md", source, path)
    return [replace(p, context={**p.context, "apps": rows}) if p.path == "index.md" else p for p in pages]

