"""The site of a repository with several environments.

Each environment gets the whole one-environment site (home, exposure,
patterns, findings, rules, namespaces, Services), made by the same code,
under `envs/<env>/`; since every link between pages is relative, a section
links within itself. Its diagrams are keyed by environment. Every page of a
section starts with the environment switcher: the same page in each other
environment, the section's own top pages, and the Compare page.

Above the sections: the home page (every environment with its exposure and
findings, the GitOps pointers and where they lead, and what was not rendered,
with why), and the Compare environments page.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Sequence
from urllib.parse import quote

from svcdocs.compare import Comparison, Row, compare
from svcdocs.load.environments import Environment
from svcdocs.load.gitops import Pointer
from svcdocs.load.discovery_renders import NotRendered
from svcdocs.pipeline import EnvironmentReports, Report
from svcdocs.render.locations import relative_to, shown, without_machine_paths
from svcdocs.render.site.apps import note_apps
from svcdocs.render.site.names import MAX_SLUG, RESERVED, SiteMap, unique_slugs, url_from
from svcdocs.render.site.pages import Link, Page, SiteOptions, site_pages
from svcdocs.render.site.project import page_environment
from svcdocs.render.site.releases import compare_releases, not_rendered_summary, note_releases, rerun
from svcdocs.render.site.spec import DiagramSpec, site_diagrams

FOLDER = "envs"
SECTION_PAGES = (("Overview", "index.md"), ("Exposure", "exposure.md"), ("Patterns", "patterns.md"),
                 ("Findings", "findings.md"), ("Namespaces", "namespaces/index.md"), ("Rules", "rules.md"))
ORIGINS = {"kustomization": "entry kustomization", "chart": "Helm chart", "folder": "folder",
           "plain": "files outside every kustomization in", "named": "named", "files": "files",
           "flux": "Flux cluster folder", "argo": "Argo CD Applications deploying"}
KINDS = {"kustomization": "kustomization", "chart": "Helm chart", "helm-release": "HelmRelease",
         "component": "kustomize Component", "folder": "folder"}
COMPARE_ROWS = 2000  # rows of the exposure tables; the rest are counted
SAME_LINKS = 8  # environments linked on a row that is the same in each
MANY = 8  # past this many environments: a compact selector, and how they were found
SERVICE_PAGE = "site/service.md.j2"
_ANCHOR = "svcdocs-row-anchor"  # stands for a Compare row's anchor in a Service page's line


@dataclass(frozen=True)
class EnvironmentSite:
    pages: list[Page]
    specs: list[DiagramSpec]
    nav: list[tuple[str, str]]  # (environment, its home page)
    findings: int


def note_not_rendered(pages: list[Page], items: Sequence[NotRendered],
                      options: SiteOptions | None = None, environment: Environment | None = None,
                      report: Report | None = None, sitemap: SiteMap | None = None) -> list[Page]:
    """The home page says first what was not rendered, and why; and lists the
    environment's Helm releases and its apps."""
    if environment is not None:
        pages = note_releases(pages, environment.releases, environment.unset,
                              lambda file, line: _source(options, file, line))
    if report is not None and sitemap is not None:
        pages = note_apps(pages, environment, report, sitemap, lambda file, line: _source(options, file, line),
                          lambda path: _path(options, path))
    if not items:
        return pages
    extra = {"not_rendered": not_rendered_rows(items, options), "not_rendered_summary": not_rendered_summary(items)}
    return [replace(p, context={**p.context, **extra}) if p.path == "index.md" else p for p in pages]


def not_rendered_rows(items: Sequence[NotRendered], options: SiteOptions | None) -> list[dict]:
    root = options.source_root if options else "."
    return [{"what": without_machine_paths(item.what, root), "kind": KINDS.get(item.kind, item.kind),
             "reason": without_machine_paths(item.reason, root),
             "instead": without_machine_paths(item.instead.replace("svcdocs <command> -", "svcdocs build -"), root),
             "rerun": rerun(item, "build"),
             "where": _source(options, item.file, item.line),
             "environment": item.environment} for item in items]


def environment_site(reports: EnvironmentReports, options: SiteOptions) -> EnvironmentSite:
    sections = _Sections(reports, options)
    pages = [sections.home(), sections.compare_page()]
    specs: list[DiagramSpec] = []
    for section in sections.sections:
        pages += section.pages
        specs += section.specs
    nav = [(s.environment.name, f"{s.prefix}index.md") for s in sections.sections]
    return EnvironmentSite(pages, specs, nav, sum(len(r.findings) for _, r in reports.reports))


@dataclass
class _Section:
    environment: Environment
    report: Report
    prefix: str  # envs/<slug>/
    sitemap: SiteMap
    pages: list[Page]
    specs: list[DiagramSpec]


class _Sections:
    def __init__(self, reports: EnvironmentReports, options: SiteOptions):
        self.reports = reports
        self.options = options
        slugs = environment_slugs([e.name for e, _ in reports.reports])
        self.sections = [self._section(e, r, slugs[e.name]) for e, r in reports.reports]
        self.paths = [{p.path.removeprefix(s.prefix) for p in s.pages} for s in self.sections]
        self.comparison = compare([(s.environment, s.report) for s in self.sections])
        self.anchors = row_anchors(self.comparison.rows[:COMPARE_ROWS])
        rows_of: list[dict[str, str]] = [{} for _ in self.sections]  # per environment: object id -> its row
        for row, anchor in self.anchors.items():
            for i, cell in enumerate(row.cells):
                if cell.present:
                    rows_of[i][cell.object_id] = anchor
        for i, section in enumerate(self.sections):
            line = self._service_line(section)
            section.pages = [replace(p, banner=self._switcher(i, p.path) if p.template != SERVICE_PAGE else
                                     _with_anchor(line, rows_of[i].get(p.context["service"].id, "")))
                             for p in section.pages]

    def _service_line(self, section: _Section) -> str:
        """What a Service page starts with: one line to the Service in every
        environment (its row on the Compare page) and to the section's home.
        Service pages are most of a large site, and all at one depth: the line
        is made once per section, with the row's anchor filled in per page."""
        here = f"{section.prefix}services/namespace/service.md"
        template = page_environment().get_template("site/_environment_line.html.j2")
        return template.render(name=section.environment.name, home=url_from(here, f"{section.prefix}index.md"),
                               compare=url_from(here, "compare.md", _ANCHOR)).strip()

    def _section(self, environment: Environment, report: Report, slug: str) -> _Section:
        """The one-environment site of `report`, moved under envs/<slug>/."""
        prefix = f"{FOLDER}/{slug}/"
        sitemap = SiteMap.of(report.graph)
        specs = site_diagrams(report, sitemap)
        options = replace(self.options, title=f"{self.options.title}: {environment.name}")
        pages = site_pages(report, sitemap, specs, options)
        notes = [n for n in self.reports.not_rendered if n.environment == environment.name]
        pages = note_not_rendered(pages, notes, self.options, environment, report, sitemap)
        key = f"e-{slug}-"  # diagram keys: unique in the site, and still a plain identifier
        moved = [replace(p, path=prefix + p.path, diagrams=tuple(key + k for k in p.diagrams),
                         context={**p.context, "title": f"{p.context['title']} · {environment.name}"})
                 for p in pages]
        return _Section(environment, report, prefix, sitemap, moved, [replace(s, key=key + s.key) for s in specs])

    def _switcher(self, index: int, path: str) -> str:
        section = self.sections[index]
        relative = path.removeprefix(section.prefix)
        others = []
        for i, other in enumerate(self.sections):
            target = relative if relative in self.paths[i] else "index.md"
            others.append({"name": other.environment.name, "current": i == index,
                           "url": url_from(path, other.prefix + target)})
        own = [Link(title, url_from(path, section.prefix + page)) for title, page in SECTION_PAGES]
        template = page_environment().get_template("site/_environments_switcher.html.j2")
        return template.render(environments=others, own=own, name=section.environment.name,
                               compact=len(others) > MANY,
                                home=url_from(path, "index.md"), compare=url_from(path, "compare.md")).strip()

    # --- the home page --------------------------------------------------------------------

    def home(self) -> Page:
        here = "index.md"
        rows = [self._environment_row(here, s) for s in self.sections]
        return Page(here, "site/environments.md.j2", {
            "title": "Environments", "site_title": self.options.title,
            "environments": rows,
            "apps": any(s.environment.apps for s in self.sections),
            "found": _found(self.reports, len(rows)),
            "totals": {"environments": len(rows), "services": sum(r["services"] for r in rows),
                       "workloads": sum(r["workloads"] for r in rows)},
            "empty": [{"name": e.name, "path": _path(self.options, e.path), "from": ORIGINS.get(e.origin, e.origin)}
                      for e in self.reports.empty],
            "pointers": [self._pointer_row(here, p) for p in self.reports.pointers],
            "not_rendered": not_rendered_rows(self.reports.not_rendered, self.options),
            "not_rendered_summary": not_rendered_summary(self.reports.not_rendered),
        })

    def _environment_row(self, here: str, section: _Section) -> dict:
        report = section.report
        services = Counter(report.analysis.level(s.id) for s in report.model.services)
        counts = Counter(f.severity for f in report.findings)
        return {
            "link": Link(section.environment.name, url_from(here, f"{section.prefix}index.md")),
            "from": ORIGINS.get(section.environment.origin, section.environment.origin),
            "path": _path(self.options, section.environment.path),
            "services": len(report.model.services), "workloads": len(report.model.workloads),
            "levels": [(level, services[level]) for level in ("internet", "network", "node") if services[level]],
            "entries": len(report.analysis.entrypoints),
            "severities": [(s, counts[s]) for s in ("error", "warning", "info") if counts[s]],
            "findings": url_from(here, f"{section.prefix}findings.md"),
            "pointed_by": section.environment.pointed_by,
            "apps": len(section.environment.apps),
        }

    def _pointer_row(self, here: str, pointer: Pointer) -> dict:
        chart = pointer.chart
        if chart is not None and (chart.repository or pointer.kind == "HelmRelease"):
            leads = " ".join(x for x in (f"chart {chart.chart}", chart.version and f"version {chart.version}",
                                         chart.repository and f"from {chart.repository}") if x)
            values = ", ".join(chart.values_files)
        else:
            leads = " ".join(x for x in (pointer.repo_url, pointer.path or ".",
                                         pointer.revision and f"at {pointer.revision}") if x)
            if pointer.kind == "Kustomization" and any(pointer.source):
                leads = f"{pointer.source[0]} {pointer.source[2]}: {pointer.path}"
            values = ", ".join(chart.values_files) if chart else ""
        section = next((s for s in self.sections if s.environment.name == pointer.environment), None)
        return {
            "pointer": pointer.title, "where": _source(self.options, pointer.file, pointer.line),
            "leads": leads, "values_files": values, "values_from": pointer.values_from,
            "environment": Link(section.environment.name, url_from(here, f"{section.prefix}index.md"))
            if section else None,
            "status": pointer.status,
        }

    # --- Compare environments ---------------------------------------------------------------

    def compare_page(self) -> Page:
        here = "compare.md"
        found = self.comparison
        shown = found.rows[:COMPARE_ROWS]
        return Page(here, "site/compare.md.j2", {
            "title": "Compare environments", "site_title": self.options.title,
            "environments": [Link(s.environment.name, url_from(here, f"{s.prefix}index.md")) for s in self.sections],
            "rows": [self._compare_row(here, row) for row in shown if row.differs],
            "same": [self._same_row(here, row) for row in shown if not row.differs],
            "more_rows": max(0, len(found.rows) - COMPARE_ROWS),
            "differing": found.differing, "total": len(found.rows),
            "entries": [{"way": e.way, "host": e.host, "path": e.path, "service": e.service, "port": e.port,
                         "levels": e.levels, "differs": e.differs} for e in found.entries],
            "findings": self._finding_rows(here, found),
            "releases": compare_releases([s.environment.releases for s in self.sections]),
        })

    def _compare_row(self, here: str, row: Row) -> dict:
        # The cells that differ from what most environments have stand out (when most agree on something).
        counts = Counter((c.level, c.detail) for c in row.cells if c.present).most_common(2)
        usual = counts[0][0] if len(counts) == 2 and counts[0][1] > counts[1][1] else None
        cells = []
        for section, cell in zip(self.sections, row.cells):
            if not cell.present:
                cells.append(None)
                continue
            node = section.report.graph.nodes[cell.object_id]
            where = section.sitemap.page_of(node.id, node.kind, node.namespace, node.name)
            url = url_from(here, section.prefix + where[0], where[1]) if where else None
            shown = cell.object_id.split("/", 1)[1].lstrip("/")
            cells.append({"level": cell.level, "detail": cell.detail, "link": Link(shown, url),
                          "odd": usual is not None and (cell.level, cell.detail) != usual})
        return {"anchor": self.anchors[row], "kind": row.kind, "name": row.name, "namespace": row.namespace,
                "cells": cells}

    def _same_row(self, here: str, row: Row) -> dict:
        """A row that is the same in every environment: its cell once, linked in
        each (past SAME_LINKS environments, in the first: a page of rows times
        environments would grow as their product)."""
        cell = row.cells[0]
        links = []
        for section, c in list(zip(self.sections, row.cells))[:1 if len(self.sections) > SAME_LINKS else None]:
            node = section.report.graph.nodes[c.object_id]
            where = section.sitemap.page_of(node.id, node.kind, node.namespace, node.name)
            links.append(Link(section.environment.name, url_from(here, section.prefix + where[0], where[1])
                              if where else None))
        return {"anchor": self.anchors[row], "kind": row.kind, "name": row.name, "namespace": row.namespace,
                "level": cell.level, "detail": cell.detail, "links": links,
                "others": len(self.sections) - len(links)}

    def _finding_rows(self, here: str, found: Comparison) -> list[dict]:
        first = self.sections[0].prefix
        return [{"rule": Link(row.rule, url_from(here, f"{first}rules.md", row.rule)), "severity": row.severity,
                 "differs": row.differs,
                 "counts": [Link(str(n), url_from(here, f"{s.prefix}findings.md", row.rule) if n else None)
                            for s, n in zip(self.sections, row.counts)]}
                for row in found.findings]


def _found(reports: EnvironmentReports, count: int) -> dict | None:
    """How the environments were found, and the --env option that would group
    them: said when there are more than MANY."""
    if count <= MANY or not (reports.found_by or reports.env_pattern):
        return None
    return {"by": reports.found_by.rstrip("."), "pattern": reports.env_pattern,
            "command": f"svcdocs build {reports.env_pattern}" if reports.env_pattern else ""}


def _with_anchor(line: str, anchor: str) -> str:
    return line.replace(f"#{_ANCHOR}", f"#{anchor}" if anchor else "")


def row_anchors(rows: Sequence[Row]) -> dict[Row, str]:
    """An id for each row of the Compare page: `service-web`, `deployment-shop-api`."""
    names = {row: "-".join(p for p in (row.kind, row.namespace, row.name) if p) for row in rows}
    slugs = unique_slugs(name.lower() for name in names.values())
    return {row: slugs[name.lower()] for row, name in names.items()}


def environment_slugs(names: Sequence[str]) -> dict[str, str]:
    """`overlays/prod` -> `overlays-prod`: readable folder names; a name whose
    slug another name shares, or that is reserved, gets a hash as well."""
    candidates = {name: re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:MAX_SLUG].strip("-") for name in names}
    taken = Counter(candidates.values())
    return {name: slug if slug and taken[slug] == 1 and slug not in RESERVED else f"{slug or 'env'}-{_digest(name)}"
            for name, slug in candidates.items()}


def _digest(name: str) -> str:
    return hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _path(options: SiteOptions | None, path: str) -> str:
    """A path from the repository's root, never this machine's absolute path."""
    return shown(options.source_root, path) if options else path


def _source(options: SiteOptions | None, file: str, line: int) -> Link:
    """`file:line`, linked to the repository when --repo-url was given and the file is one."""
    relative = relative_to(options.source_root, file) if options and options.repo_url else None
    text = f"{shown(options.source_root, file) if options else file}:{line}"
    if relative is None or not os.path.isfile(file):
        return Link(text)
    return Link(text, f"{options.repo_url}{quote(relative)}#L{line}")
