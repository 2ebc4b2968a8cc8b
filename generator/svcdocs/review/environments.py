"""The review of a change to a repository with several environments: one
review per environment, matched by name. An environment only in HEAD is new
(everything in it is added), one only in BASE is gone."""

from __future__ import annotations

from dataclasses import dataclass

from svcdocs.config import Config
from svcdocs.pipeline import EnvironmentReports, report_for_sources
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
                        notes: tuple[str, ...] = ()) -> tuple[EnvironmentReview, ...]:
    """Head's environments in order, then those only in BASE; `config` and
    `notes` as `review` takes them."""
    before = {e.name: r for e, r in base.reports}
    after = {e.name: r for e, r in head.reports}
    empty = report_for_sources((), Config())
    names = list(after) + [name for name in before if name not in after]
    found = []
    for name in names:
        old, new = before.get(name), after.get(name)
        result = review(old or empty, new or empty, config, notes)
        status = "added" if old is None else "removed" if new is None else "unchanged" if result.empty else "changed"
        found.append(EnvironmentReview(name, status, result))
    return tuple(found)


def overall_verdict(reviews: tuple[EnvironmentReview, ...]) -> str:
    """One line over every environment."""
    exposed = [r.environment for r in reviews if r.review.more_exposed]
    changed = [r for r in reviews if r.status != "unchanged"]
    n = len(reviews)
    if exposed:
        return f"⚠ More exposed in {len(exposed)} of {n} environments: {', '.join(exposed)}"
    if changed:
        return f"✅ No new exposure: {len(changed)} of {n} environments changed"
    return f"No architectural changes in {n} environments"


def more_exposed(reviews: tuple[EnvironmentReview, ...]) -> bool:
    return any(r.review.more_exposed for r in reviews)
