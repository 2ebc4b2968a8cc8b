"""Chart bumps in a review: a release whose chart version (or values)
changed between BASE and HEAD, and what the new chart changes in exposure,
ways in and findings.

This is its own part of the review (`Review.charts`), read beside the rows:
each `ChartChange` names the release, the versions (`podinfo 6.9.2 → 6.9.3`)
and, among the review's rows, those about objects HEAD's chart renders (an
object is the chart's when it is placed at one of its templates).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from svcdocs.load.helm.inventory import Release
from svcdocs.pipeline import Report
from svcdocs.review.diff import Change, EntryPointChange, ExposureChange, FindingChange, Review


@dataclass(frozen=True)
class ChartChange:
    release: str  # the HelmRelease or Application (or chart folder) it is
    chart: str
    before: str  # BASE's version ("" when the release is new)
    after: str
    values_changed: bool  # the values not from a Secret differ
    objects: tuple[Change, ...] = ()  # added, removed, changed objects of the chart
    exposure: tuple[ExposureChange, ...] = ()
    entrypoints: tuple[EntryPointChange, ...] = ()
    findings: tuple[FindingChange, ...] = ()

    @property
    def heading(self) -> str:
        if self.before == self.after:
            return f"{self.chart} {self.after}: values changed"
        return f"{self.chart} {self.before} → {self.after}" if self.before else f"{self.chart} {self.after}"


def chart_changes(base: Sequence[Release], head: Sequence[Release], review: Review, base_report: Report,
                  head_report: Report) -> tuple[ChartChange, ...]:
    """A ChartChange for each release of HEAD whose chart version or values differ from BASE's."""
    before = {r.key: r for r in base}
    found = []
    for release in head:
        old = before.get(release.key)
        if not release.version or (old is not None and (old.chart, old.version, old.values_digest) ==
                                   (release.chart, release.version, release.values_digest)):
            continue
        if old is None and not base:  # everything is new: the rows say it
            continue
        ours = _objects_of(head_report, release) | (_objects_of(base_report, old) if old is not None else set())
        found.append(ChartChange(
            release=release.key, chart=release.chart, before=old.version if old is not None else "",
            after=release.version, values_changed=old is not None and old.values_digest != release.values_digest,
            objects=tuple(c for c in review.objects if c.object in ours),
            exposure=tuple(c for c in review.exposure if c.object in ours),
            entrypoints=tuple(c for c in review.entrypoints
                              if c.entry.service in ours or c.entry.via in ours),
            findings=tuple(c for c in review.findings if c.finding.object in ours),
        ))
    return tuple(found)


def _objects_of(report: Report, release: Release) -> set[str]:
    """The ids of the objects the release's chart renders in a report: those
    placed at its templates (`podinfo@6.9.3: templates/...`, or the chart's
    folder for a chart of the repository)."""
    prefixes = (f"{release.chart}@{release.version}: ", release.source.rstrip("/") + "/")
    return {o.id for o in report.model.objects() if o.file.startswith(prefixes)}
