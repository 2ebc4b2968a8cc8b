"""The headline of a review: one line that leads with what matters most.

In this order: what became more exposed (or may have, where svcdocs cannot
see), ways in added or removed, what became less exposed, then every other
change; and changes that never change what can reach what (an image, probes,
replicas) last, named by what they are.
"""

from __future__ import annotations

from svcdocs.analysis import LEVELS
from svcdocs.review.coverage import MODES
from svcdocs.review.diff import Change, ExposureChange, Review

REACHED = {
    "internet": "reachable from the internet",
    "network": "reachable from the private network",
    "node": "reachable on the nodes' ports",
    "cluster": "reachable inside the cluster",
    "egress": "pointing outside the cluster",
    "none": "unreachable",
}


def verdict(review: Review) -> str:
    """⚠ and what the change newly exposes (or may, unseen); else ✅ and that
    it exposes nothing new, with what it does change."""
    if review.empty:
        return "No architectural changes"
    ways = _ways_in(review)
    rest = ways + _less_exposed(review) + _other_changes(review)
    if review.fails:
        return "⚠ " + "; ".join(_more_exposed(review) + _unjudged(review) + rest)
    return "✅ No new exposure: " + "; ".join(rest or ["only changes svcdocs lists but cannot weigh"])


def _more_exposed(review: Review) -> list[str]:
    blocked = [c for c in review.exposure if c.raised and c.blocked]
    newly = [c for c in review.exposure if c.admitted_raised and c not in blocked]
    parts = [f"{services_and_workloads(at)} newly {REACHED[level]}" for level in reversed(LEVELS)
             if (at := [c for c in newly if c.admitted_after == level])]
    parts += [f"{services_and_workloads(at)} declared {REACHED[level]}, but blocked by NetworkPolicies"
              for level in reversed(LEVELS) if (at := [c for c in blocked if c.after == level])]
    others = {t for c in review.reach_from_outside if c.source_kind != "internet" for t in c.targets}
    if others:
        parts.append(f"{count(len(others), 'workload')} newly reachable from other namespaces")
    if review.toward_absent:
        parts.append(f"{count(len(review.toward_absent), 'new way')} in toward Services not in the input")
    return parts


def _unjudged(review: Review) -> list[str]:
    """What the change does that svcdocs cannot see into."""
    parts = [f"{c.path} now read as {MODES[c.after]}" for c in review.renderings]
    if review.base_unrendered:
        parts.append("BASE could not be rendered" if len(review.base_unrendered) == 1
                     else f"BASE could not be rendered in {len(review.base_unrendered)} places")
    unseen = sum(1 for u in review.unseen if u.kind != "file" or review.fail_on_unmodelled)
    if unseen:
        parts.append(f"{count(unseen, 'new input')} svcdocs could not read or render")
    if not review.fail_on_unmodelled:
        return parts
    unread = sum(1 for c in review.unread if c.change == "added")
    if unread:
        parts.append(f"{count(unread, 'new file')} svcdocs does not read")
    unmodelled = [c for c in review.unmodelled if c.change != "removed" and not c.inert]
    if unmodelled:
        kinds = "of a kind" if len(unmodelled) == 1 else "of kinds"
        parts.append(f"{count(len(unmodelled), 'object')} {kinds} svcdocs does not model "
                     + ("added or changed" if any(c.change == "changed" for c in unmodelled) else "added"))
    return parts


def _ways_in(review: Review) -> list[str]:
    added = sum(1 for c in review.entrypoints if c.change == "added")
    removed = len(review.entrypoints) - added
    parts = [count(added, "new entry point")] if added else []
    if removed:
        parts.append(f"{removed} removed" if added else f"{count(removed, 'entry point')} removed")
    return [", ".join(parts)] if parts else []


def _less_exposed(review: Review) -> list[str]:
    lowered = [c for c in review.exposure if not c.up]
    return [f"{services_and_workloads(lowered)} less exposed"] if lowered else []


def _other_changes(review: Review) -> list[str]:
    parts = []
    objects = [c for c in review.objects if not c.neutral]
    if objects:
        parts.append(objects_changed(objects))
    exposed = {c.object for c in review.exposure}
    reached = {t for c in review.reach for t in c.targets} - exposed  # the rest is said as exposure
    if reached:
        parts.append(f"{count(len(reached), 'workload')} reached differently")
    shown = bool(parts or review.exposure or review.entrypoints)
    if not shown:
        new = sum(1 for c in review.findings if c.change == "new")
        resolved = len(review.findings) - new
        if new or resolved:
            parts.append(", ".join(p for p in (new and count(new, "new finding"), resolved and f"{resolved} resolved")
                                   if p))
        elif review.edges:
            parts.append(f"{count(len(review.edges), 'edge')} changed")
    unsaid = [c for c in review.unmodelled if not _judged_unseen(review, c)]
    if unsaid and not shown:
        kind = "of a kind that opens" if len(unsaid) == 1 else "of kinds that open"
        parts.append(f"{count(len(unsaid), 'object')} {kind} no way in changed" if all(c.inert for c in unsaid)
                     else f"{count(len(unsaid), 'object')} svcdocs does not model changed")
    if any(c.change == "removed" for c in review.unread) and not (parts or shown):
        parts.append("files svcdocs does not read removed")
    neutral = [c for c in review.objects if c.neutral]
    if neutral:
        what = neutral_summary(neutral)
        parts.append(what if parts or review.exposure or review.entrypoints else f"only {what}")
    return parts


def _judged_unseen(review: Review, change) -> bool:
    """An unmodelled object the headline already names as unjudged."""
    return review.fail_on_unmodelled and change.change != "removed" and not change.inert


def neutral_summary(changes: list[Change]) -> str:
    """`the image of 1 workload changed`, `the images and replicas of 3 workloads changed`."""
    kinds = list(dict.fromkeys(f.neutral for c in changes for f in c.fields))
    plural = len(changes) > 1
    names = [k if not plural or k.endswith("s") else k + "s" for k in kinds]
    joined = " and ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"the {joined} of {count(len(changes), 'workload' if all(_workload(c) for c in changes) else 'object')} changed"


def _workload(change: Change) -> bool:
    return change.kind not in ("Service", "Ingress", "NetworkPolicy")


def objects_changed(changes: list[Change]) -> str:
    """`1 object added, 2 removed, 3 changed`: the noun once, after the first number."""
    counts = [(n, kind) for kind in ("added", "removed", "changed")
              if (n := sum(1 for c in changes if c.change == kind))]
    noun = "object " if counts[0][0] == 1 else "objects "
    return ", ".join(f"{n} {noun if i == 0 else ''}{kind}" for i, (n, kind) in enumerate(counts))


def services_and_workloads(changes: list[ExposureChange]) -> str:
    services = sum(1 for c in changes if c.kind == "Service")
    parts = [count(services, "Service"), count(len(changes) - services, "workload")]
    return " and ".join(p for p in parts if not p.startswith("0 "))


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
