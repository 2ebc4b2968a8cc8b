"""The review of a change to a repository with several environments: one
review per environment, matched by name. An environment only in HEAD is new
(everything in it is added), one only in BASE is gone."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Sequence

from svcdocs.config import Config
from svcdocs.load.environments import PLAIN, Environment
from svcdocs.pipeline import EnvironmentReports, report_for_sources
from svcdocs.review.charts import chart_changes
from svcdocs.review.coverage import RenderingChange, Unseen
from svcdocs.review.diff import Review, review, verdict


@dataclass(frozen=True)
class EnvironmentReview:
    environment: str
    status: str  # added | removed | changed | unchanged
    review: Review

    @property
    def verdict(self) -> str:
        if self.status == "added":
            return "New environment: " + verdict(self.review).removeprefix("✅ No new exposure: ")
        if self.status == "removed":
            return "Environment removed"
        return verdict(self.review)


def review_environments(base: EnvironmentReports, head: EnvironmentReports, config: Config = Config(),
                        notes: tuple[str, ...] = (), roots: tuple[str, str] = ("", "")) -> tuple[EnvironmentReview, ...]:
    """Head's environments in order, then those only in BASE; `config` and
    `notes` as `review` takes them. `roots` are the PATHs BASE and HEAD were
    read from (`diff BASE HEAD`), to match their folders; "" for `--git`.
    The plain manifests of a PATH read as one set of files are the `plain
    manifests` environment of the same PATH read as environments."""
    before = {_named(e, base, head): (e, r) for e, r in base.reports}
    after = {_named(e, head, base): (e, r) for e, r in head.reports}
    renderings = _rendering_changes(before, after, roots)
    empty = report_for_sources((), Config())
    names = list(after) + [name for name in before if name not in after]
    found = []
    for name in names:
        old, new = before.get(name, (None, None))[1], after.get(name, (None, None))[1]
        result = review(old or empty, new or empty, config, notes)
        result = with_charts(result, before.get(name, (None, None))[0], after.get(name, (None, None))[0],
                             old or empty, new or empty)
        if renderings.get(name):
            result = replace(result, renderings=result.renderings + tuple(renderings[name]))
        status = "added" if old is None else "removed" if new is None else "unchanged" if result.empty else "changed"
        found.append(EnvironmentReview(name, status, result))
    return tuple(found)


def with_charts(result: Review, base: Environment | None, head: Environment | None, base_report, head_report) -> Review:
    """The review with its chart bumps (review.charts), when HEAD has releases."""
    if head is None or not head.releases:
        return result
    changes = chart_changes(base.releases if base is not None else (), head.releases, result, base_report,
                            head_report)
    return replace(result, charts=changes) if changes else result


def _named(environment: Environment, side: EnvironmentReports, other: EnvironmentReports) -> str:
    if not side.discovered and other.discovered and not environment.name:
        return PLAIN
    return environment.name


RENDERED = {"kustomization": "kustomize", "chart": "helm"}


def _rendering_changes(before: dict, after: dict, roots: tuple[str, str]) -> dict[str, list[RenderingChange]]:
    """An environment rendered on one side from a folder whose files the other
    side read as plain manifests: a PATH read differently, as a PATH that
    became a kustomization is (by name of the environment that shows it)."""
    changes: dict[str, list[RenderingChange]] = {}
    sides = ((after, before, roots[1], roots[0], False), (before, after, roots[0], roots[1], True))
    for mine, theirs, my_root, their_root, gone in sides:
        plain = [_below(s.label, their_root) for name, (e, _) in theirs.items() if e.origin not in RENDERED
                 for s in e.sources]
        for name, (environment, _) in mine.items():
            if name in theirs or environment.origin not in RENDERED:
                continue
            folder = _below(environment.path, my_root).rstrip("/") + "/"
            if any(label.startswith(folder) for label in plain):
                mode = RENDERED[environment.origin]
                changes.setdefault(name, []).append(
                    RenderingChange(environment.path, mode if gone else "files", "files" if gone else mode))
    return changes


def _below(path: str, root: str) -> str:
    """`path` from `root` (both as shown), with `/` between folders."""
    relative = os.path.relpath(path, root) if root else os.path.normpath(path)
    return relative.replace(os.sep, "/")


def overall_verdict(reviews: tuple[EnvironmentReview, ...], unseen: Sequence[Unseen] = ()) -> str:
    """One line over every environment (and what HEAD holds that none reads)."""
    exposed = [r.environment for r in reviews if r.review.more_exposed]
    unjudged = [r.environment for r in reviews if r.review.unjudged and not r.review.more_exposed]
    changed = [r for r in reviews if r.status != "unchanged"]
    n = len(reviews)
    if exposed or unjudged or unseen:
        parts = [f"More exposed in {len(exposed)} of {n} environments: {', '.join(exposed)}"] if exposed else []
        if unjudged:
            parts.append(f"changes svcdocs cannot judge in {len(unjudged)} of {n} environments: {', '.join(unjudged)}")
        if unseen:
            parts.append(f"{len(unseen)} new input{'s' * (len(unseen) != 1)} svcdocs could not read or render")
        text = "; ".join(parts)
        return "⚠ " + text[0].upper() + text[1:]
    if changed:
        return f"✅ No new exposure: {len(changed)} of {n} environments changed"
    return f"No architectural changes in {n} environments"


def more_exposed(reviews: tuple[EnvironmentReview, ...]) -> bool:
    return any(r.review.more_exposed for r in reviews)


def fails(reviews: tuple[EnvironmentReview, ...]) -> bool:
    """What `--fail-on-exposure` fails on, in any environment."""
    return any(r.review.fails for r in reviews)
