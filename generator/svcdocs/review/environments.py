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
from svcdocs.review.coverage import RenderingChange, Unseen, unrendered_at_base
from svcdocs.review.diff import Review, review
from svcdocs.review.verdict import count, verdict


@dataclass(frozen=True)
class EnvironmentReview:
    environment: str
    status: str  # added | removed | changed | unchanged
    review: Review
    same_as: str | None = None  # an environment listed before it whose change is the same

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
        unrendered = unrendered_at_base(base, head, name) if new is not None else ()
        result = review(old or empty, new or empty, config, notes, unrendered)
        result = with_charts(result, before.get(name, (None, None))[0], after.get(name, (None, None))[0],
                             old or empty, new or empty)
        if renderings.get(name):
            result = replace(result, renderings=result.renderings + tuple(renderings[name]))
        status = ("added" if old is None and not unrendered else "removed" if new is None
                  else "unchanged" if result.empty else "changed")
        found.append(EnvironmentReview(name, status, result))
    return _same_changes(found)


def _same_changes(reviews: list[EnvironmentReview]) -> tuple[EnvironmentReview, ...]:
    """Each changed environment whose change is the same as one listed before
    it (the same objects, fields, levels and ways in, whatever their namespace)
    says so: the comment shows it once."""
    first: dict[tuple, str] = {}
    found = []
    for r in reviews:
        if r.status == "changed":
            key = _signature(r.review)
            if key in first:
                r = replace(r, same_as=first[key])
            else:
                first[key] = r.environment
        found.append(r)
    return tuple(found)


def with_charts(result: Review, base: Environment | None, head: Environment | None, base_report, head_report) -> Review:
    """The review with its chart bumps (review.charts), when HEAD has releases."""
    if head is None or not head.releases:
        return result
    changes = chart_changes(base.releases if base is not None else (), head.releases, result, base_report,
                            head_report)
    return replace(result, charts=changes) if changes else result


def _signature(review: Review) -> tuple:
    """What a review says, with objects named without their namespace."""
    return (
        tuple((_unplaced(c.object), c.before, c.after, c.admitted_before, c.admitted_after,
               tuple(map(_unplaced, c.reasons_after))) for c in review.exposure),
        tuple((c.change, e.kind, e.level, _unplaced(e.via), _unplaced(e.service or ""), str(e.port), e.host, e.path,
               e.node_port) for c in review.entrypoints for e in (c.entry,)),
        tuple((c.change, _unplaced(c.object), c.fields) for c in review.objects),
        tuple((c.change, _unplaced(c.edge.source), _unplaced(c.edge.target), c.edge.kind, c.edge.host, c.edge.path,
               str(c.edge.port), c.edge.ports) for c in review.edges),
        tuple((c.change, c.finding.rule, _unplaced(c.finding.object)) for c in review.findings),
        tuple((c.change, tuple(map(_unplaced, c.targets)), c.source_kind, tuple(map(_unplaced, c.sources)), c.conn)
              for c in review.reach),
        tuple((c.change, _unplaced(c.object), c.kind) for c in review.unmodelled),
        len(review.unread), len(review.renderings), len(review.base_unrendered),
        tuple((c.heading, c.values_changed) for c in review.charts),
    )


def _unplaced(object_id: str) -> str:
    """`Service/shop-staging/web` as `Service/web`; other text as it is."""
    parts = object_id.split("/")
    return f"{parts[0]}/{parts[2]}" if len(parts) == 3 else object_id


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
        parts = [f"More exposed in {len(exposed)} of {count(n, 'environment')}: {', '.join(exposed)}"] if exposed else []
        if unjudged:
            parts.append(f"changes svcdocs cannot judge in {len(unjudged)} of {count(n, 'environment')}: "
                         f"{', '.join(unjudged)}")
        if unseen:
            parts.append(f"{count(len(unseen), 'new input')} svcdocs could not read or render")
        text = "; ".join(parts)
        return "⚠ " + text[0].upper() + text[1:]
    if changed:
        return f"✅ No new exposure: {len(changed)} of {count(n, 'environment')} changed"
    return f"No architectural changes in {count(n, 'environment')}"


def more_exposed(reviews: tuple[EnvironmentReview, ...]) -> bool:
    return any(r.review.more_exposed for r in reviews)


def fails(reviews: tuple[EnvironmentReview, ...]) -> bool:
    """What `--fail-on-exposure` fails on, in any environment."""
    return any(r.review.fails for r in reviews)
