"""The Helm side of the site: what was not rendered (said first, on the home
page and each environment's), each environment's releases, the Flux
variables used without a value, and the Compare page's rows for releases.

Values are never shown: a release shows a digest of the values that do not
come from a Secret, and the Compare page the names of the keys whose values
differ between environments.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Sequence

from svcdocs.load.helm.inventory import Release
from svcdocs.load.helm.substitute import Unset
from svcdocs.load.discovery_renders import NotRendered

KINDS = {"kustomization": ("kustomization", "kustomizations"), "chart": ("chart", "charts"),
         "helm-release": ("HelmRelease", "HelmReleases"), "component": ("kustomize Component", "kustomize Components")}
NAMED = 6  # names listed in the summary line of each kind
DIFFERING_KEYS = 12  # value keys named on a Compare row


def not_rendered_summary(items: Sequence[NotRendered]) -> list[dict]:
    """One entry per kind: how many, and the first names."""
    by_kind: dict[str, list[str]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item.what)
    summary = []
    for kind, names in by_kind.items():
        one, many = KINDS.get(kind, (kind, kind))
        summary.append({"count": len(names), "kind": one if len(names) == 1 else many,
                        "names": names[:NAMED], "more": max(0, len(names) - NAMED)})
    return summary


def rerun(item: NotRendered, verb: str) -> str:
    """The svcdocs command that renders it, when what stopped it was svcdocs's consent."""
    flags = []
    if "--render helm" in item.reason:
        flags.append("--render helm")
    if "--allow-remote" in item.reason:
        flags.append("--allow-remote")
    return f"svcdocs {verb} {' '.join(flags)}" if flags else ""


def release_rows(releases: Sequence[Release], source: callable) -> list[dict]:
    return [{"name": r.name, "namespace": r.namespace, "pointer": r.pointer, "chart": r.chart, "version": r.version,
             "source": r.source, "digest": r.values_digest, "secret_keys": len(r.secret_keys), "status": r.status,
             "where": source(r.file, r.line) if r.file else None} for r in releases]


def unset_rows(unset: Sequence[Unset], source: callable) -> list[dict]:
    return [{"name": u.name, "where": source(u.file, u.line), "kustomization": u.kustomization} for u in unset]


def note_releases(pages: list, releases: Sequence[Release], unset: Sequence[Unset], source: callable) -> list:
    """An environment's home page lists its releases and its variables without a value."""
    if not releases and not unset:
        return pages
    extra = {"releases": release_rows(releases, source), "unset": unset_rows(unset, source)}
    return [replace(p, context={**p.context, **extra}) if p.path == "index.md" else p for p in pages]


def compare_releases(per_environment: Sequence[Sequence[Release]]) -> list[dict]:
    """A row per release: the chart and version in each environment, and the
    names of the value keys whose values differ. Releases are matched by
    chart where each environment has that chart once (environments often name
    their Applications after themselves), else by HelmRelease or Application."""
    once = all(max(Counter(r.chart for r in releases).values(), default=0) <= 1 for releases in per_environment)
    match = (lambda r: r.chart) if once else (lambda r: r.key)
    keys: dict[str, None] = {}
    for releases in per_environment:
        keys.update(dict.fromkeys(match(r) for r in releases))
    rows = []
    for key in keys:
        cells = [next((r for r in releases if match(r) == key), None) for releases in per_environment]
        present = [c for c in cells if c is not None]
        key = " / ".join(dict.fromkeys(c.key for c in present))
        versions = Counter((c.chart, c.version) for c in present)
        differing = _differing_keys(present) if len(present) > 1 else []
        rows.append({
            "release": key,
            "cells": [None if c is None else {"chart": c.chart, "version": c.version, "status": c.status,
                                              "odd": len(versions) > 1 and versions[(c.chart, c.version)] < max(
                                                  versions.values())} for c in cells],
            "differs": len(versions) > 1 or len(present) < len(cells) or bool(differing),
            "keys": differing[:DIFFERING_KEYS], "more_keys": max(0, len(differing) - DIFFERING_KEYS),
        })
    return rows


def _differing_keys(releases: Sequence[Release]) -> list[str]:
    tokens = [dict(r.value_tokens) for r in releases]
    names = sorted({k for t in tokens for k in t})
    return [k for k in names if len({t.get(k) for t in tokens}) > 1]
