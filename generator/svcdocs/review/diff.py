"""The review of a change: two reports in, what changed out. Pure: no output.

Objects are matched by id (`Kind/namespace/name`) and compared by content
without file and line, so moving a document between files changes nothing.
Edges are compared whole. Findings are matched by rule and object, never by file.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from svcdocs.analysis import LEVELS, RANK, EntryPoint, toward_absent
from svcdocs.config import Config
from svcdocs.graph import Edge
from svcdocs.pipeline import Report
from svcdocs.review.content import FieldChange, field_changes, object_content, same_content
from svcdocs.review.coverage import (
    MODES, RenderingChange, UnmodelledChange, UnreadChange, Unseen, rendering_changes, unmodelled_changes,
    unread_changes, unseen_fails,
)
from svcdocs.review.part import ChangedPart, changed_part
from svcdocs.review.reach import ReachChange, reach_changes
from svcdocs.rules import Finding

# A new Service or workload is "more exposed" from this level up; below it, a
# new object is ordinary growth inside the cluster.
NEW_OBJECT_ALERT = "node"
REACHED = {
    "internet": "reachable from the internet",
    "network": "reachable from the private network",
    "node": "reachable on the nodes' ports",
    "cluster": "reachable inside the cluster",
    "egress": "pointing outside the cluster",
    "none": "unreachable",
}


@dataclass(frozen=True, slots=True)
class ExposureChange:
    object: str  # a Service or workload id
    kind: str
    before: str | None  # None: not in BASE
    after: str | None  # None: not in HEAD
    reasons_before: tuple[str, ...] = ()
    reasons_after: tuple[str, ...] = ()
    admitted_before: str | None = None  # the level the NetworkPolicies allow in BASE
    admitted_after: str | None = None

    @property
    def raised(self) -> bool:
        return _rank(self.after) > _rank(self.before)

    @property
    def up(self) -> bool:
        """Raised: declared, or admitted where the declared level stayed."""
        return self.raised or (self.before == self.after and self.admitted_raised)

    @property
    def admitted_raised(self) -> bool:
        return _rank(self.admitted_after) > _rank(self.admitted_before)

    @property
    def blocked(self) -> bool:
        """Declared higher than the policies allow, in HEAD."""
        return self.after is not None and _rank(self.admitted_after) < _rank(self.after)


@dataclass(frozen=True, slots=True)
class EntryPointChange:
    change: str  # added | removed
    entry: EntryPoint


@dataclass(frozen=True, slots=True)
class Change:
    change: str  # added | removed | changed
    object: str
    kind: str
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True, slots=True)
class EdgeChange:
    change: str  # added | removed | changed
    edge: Edge  # HEAD's edge, or BASE's for a removed one
    before: Edge | None = None  # BASE's edge, for a changed one


@dataclass(frozen=True, slots=True)
class FindingChange:
    change: str  # new | resolved
    finding: Finding  # HEAD's finding, or BASE's for a resolved one


@dataclass(frozen=True)
class Review:
    exposure: tuple[ExposureChange, ...]
    entrypoints: tuple[EntryPointChange, ...]
    objects: tuple[Change, ...]
    edges: tuple[EdgeChange, ...]
    findings: tuple[FindingChange, ...]
    part: ChangedPart
    reach: tuple[ReachChange, ...] = ()
    unread: tuple[UnreadChange, ...] = ()
    unmodelled: tuple[UnmodelledChange, ...] = ()
    renderings: tuple[RenderingChange, ...] = ()
    fail_on_unmodelled: bool = True
    notes: tuple[str, ...] = ()  # about how the review was made, shown at its top
    # New ways in toward a Service that is not in the input (deployed from
    # elsewhere): what they expose cannot be seen, and they carry traffic.
    toward_absent: tuple[EntryPoint, ...] = ()
    unseen: tuple[Unseen, ...] = ()  # new in HEAD and not read or rendered
    charts: tuple = ()  # chart bumps (review.charts.ChartChange), a part of their own beside the rows

    @property
    def more_exposed(self) -> bool:
        """Exposure raised (declared or admitted), a new entry point (toward a
        Service in the input or not), or reach newly allowed from the internet
        or another namespace."""
        return (any(c.raised or c.admitted_raised for c in self.exposure)
                or any(c.change == "added" for c in self.entrypoints) or bool(self.reach_from_outside)
                or bool(self.toward_absent))

    @property
    def reach_from_outside(self) -> list[ReachChange]:
        return [c for c in self.reach if c.change == "gained" and c.from_outside]

    @property
    def unjudged(self) -> bool:
        """A change svcdocs cannot judge: the rendering of a PATH changed,
        something new in HEAD was not read or rendered, or (unless the config
        lets them pass) a file it does not read or an object of a kind it
        does not model, not inert, was added or changed."""
        if self.renderings or unseen_fails(self.unseen, self.fail_on_unmodelled):
            return True
        return self.fail_on_unmodelled and (
            any(c.change == "added" for c in self.unread)
            or any(c.change != "removed" and not c.inert for c in self.unmodelled))

    @property
    def fails(self) -> bool:
        """What `--fail-on-exposure` fails on."""
        return self.more_exposed or self.unjudged

    @property
    def empty(self) -> bool:
        return not (self.exposure or self.entrypoints or self.objects or self.edges or self.findings or self.reach
                    or self.unread or self.unmodelled or self.renderings or self.toward_absent or self.unseen)


def review(base: Report, head: Report, config: Config = Config(), notes: tuple[str, ...] = (),
           unseen: tuple[Unseen, ...] = ()) -> Review:
    """`unseen`: what is new in HEAD and not read or rendered (coverage.unseen_changes)."""
    objects = tuple(object_changes(base, head))
    exposure = tuple(exposure_changes(base, head))
    entries = tuple(entrypoint_changes(base.analysis.entrypoints, head.analysis.entrypoints))
    edges = tuple(edge_changes(base.graph.edges, head.graph.edges))
    focus = {c.object for c in objects} | {c.object for c in exposure}
    policies = {c.object: c.change for c in objects if c.kind == "NetworkPolicy"}
    return Review(
        exposure=exposure,
        entrypoints=entries,
        objects=objects,
        edges=edges,
        findings=tuple(finding_changes(base.findings, head.findings)),
        part=changed_part(base, head, focus, [(c.change, c.edge) for c in edges]),
        reach=reach_changes(base, head, policies),
        unread=tuple(unread_changes(base, head)),
        unmodelled=tuple(unmodelled_changes(base, head, config.inert_kinds)),
        renderings=tuple(rendering_changes(base, head)),
        fail_on_unmodelled=config.fail_on_unmodelled,
        notes=notes,
        toward_absent=new_toward_absent(base, head),
        unseen=unseen,
    )


def object_changes(base: Report, head: Report):
    before = {o.id: o for o in base.model.objects()}
    after = {o.id: o for o in head.model.objects()}
    for object_id in sorted(before.keys() | after.keys()):
        old, new = before.get(object_id), after.get(object_id)
        if old is None:
            yield Change("added", object_id, new.kind)
        elif new is None:
            yield Change("removed", object_id, old.kind)
        elif old != new and not same_content(old, new):  # differing only in files and lines is no change
            fields = field_changes(object_content(old), object_content(new))
            if fields:
                yield Change("changed", object_id, new.kind, tuple(fields))


def exposure_changes(base: Report, head: Report):
    """Declared levels that changed, and levels that the NetworkPolicies admit that changed."""
    before, after = base.analysis.exposure, head.analysis.exposure
    admitted_before, admitted_after = base.analysis.reach.effective, head.analysis.reach.effective
    for object_id in sorted(before.keys() | after.keys()):
        old, new = before.get(object_id), after.get(object_id)
        if old is not None and new is not None and old.level == new.level and (
                admitted_before.get(object_id) == admitted_after.get(object_id)
                or not (_backed(base, object_id) and _backed(head, object_id))):
            continue  # a Service without workloads has nothing for a policy to admit
        alone = new if old is None else old if new is None else None
        if alone is not None and RANK[alone.level] < RANK[NEW_OBJECT_ALERT]:
            continue  # added or removed at a level that reaches no further than the cluster
        obj = head.graph.get(object_id) or base.graph.get(object_id)
        yield ExposureChange(
            object=object_id, kind=obj.kind,
            before=old.level if old else None, after=new.level if new else None,
            reasons_before=old.reasons if old else (), reasons_after=new.reasons if new else (),
            admitted_before=admitted_before.get(object_id), admitted_after=admitted_after.get(object_id),
        )


def _backed(report: Report, object_id: str) -> bool:
    """A workload, or a Service that selects some."""
    node = report.graph.get(object_id)
    return node is not None and (node.kind != "Service" or bool(report.graph.edges_from(object_id, "selects")))


def new_toward_absent(base: Report, head: Report) -> tuple[EntryPoint, ...]:
    """HEAD's ways in toward a Service not in its input that BASE did not have."""
    old = {_entry_key(e) for e in toward_absent(base.graph, base.analysis.router_levels)}
    return tuple(e for e in toward_absent(head.graph, head.analysis.router_levels) if _entry_key(e) not in old)


def _entry_key(entry: EntryPoint) -> tuple:
    """What makes a way in the same way in; its level and workloads are what it leads to."""
    return (entry.via, entry.kind, entry.service, str(entry.port), entry.host, entry.path, entry.node_port)


def entrypoint_changes(before: tuple[EntryPoint, ...], after: tuple[EntryPoint, ...]):
    old = {_entry_key(e): e for e in before}
    new = {_entry_key(e): e for e in after}
    changes = [EntryPointChange("added", e) for k, e in new.items() if k not in old]
    changes += [EntryPointChange("removed", e) for k, e in old.items() if k not in new]
    return sorted(changes, key=lambda c: (c.entry.sort_key(), c.change))


def _edge_key(edge: Edge) -> tuple:
    """The same connection; its ports and env names are what may change."""
    return (edge.source, edge.target, edge.kind, edge.host or "", edge.path or "", edge.listener or "")


def edge_changes(before: tuple[Edge, ...], after: tuple[Edge, ...]):
    old, new = set(before), set(after)
    gone = defaultdict(list)
    for edge in before:
        if edge not in new:
            gone[_edge_key(edge)].append(edge)
    came = defaultdict(list)
    for edge in after:
        if edge not in old:
            came[_edge_key(edge)].append(edge)
    changes = []
    for key in gone.keys() | came.keys():
        removed, added = gone.get(key, []), came.get(key, [])
        if len(removed) == 1 and len(added) == 1:
            changes.append(EdgeChange("changed", added[0], removed[0]))
        else:
            changes += [EdgeChange("removed", e) for e in removed] + [EdgeChange("added", e) for e in added]
    return sorted(changes, key=lambda c: (c.edge.sort_key(), c.change))


def finding_changes(before: tuple[Finding, ...], after: tuple[Finding, ...]):
    """Matched by rule and object. Where an object has several findings of one
    rule, those with the same message match first, and the rest pair up in
    order: only a surplus on one side is new or resolved."""
    old, new = _by_rule_and_object(before), _by_rule_and_object(after)
    changes = []
    for key in old.keys() | new.keys():
        was, now = old.get(key, []), new.get(key, [])
        common = {f.message for f in was} & {f.message for f in now}
        was = [f for f in was if f.message not in common]
        now = [f for f in now if f.message not in common]
        paired = min(len(was), len(now))
        changes += [FindingChange("new", f) for f in now[paired:]]
        changes += [FindingChange("resolved", f) for f in was[paired:]]
    return sorted(changes, key=lambda c: (c.change, c.finding.object, c.finding.rule, c.finding.message))


def _by_rule_and_object(findings: tuple[Finding, ...]) -> dict[tuple[str, str], list[Finding]]:
    grouped: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        grouped[(finding.rule, finding.object)].append(finding)
    return grouped


def _rank(level: str | None) -> int:
    return -1 if level is None else RANK[level]


def verdict(review: Review) -> str:
    """One line: what the change newly exposes (or may, unseen), or that it exposes nothing new."""
    if review.empty:
        return "No architectural changes"
    blocked = [c for c in review.exposure if c.raised and c.blocked]
    newly = [c for c in review.exposure if c.admitted_raised and c not in blocked]
    added = sum(1 for c in review.entrypoints if c.change == "added")
    others = {t for c in review.reach_from_outside if c.source_kind != "internet" for t in c.targets}
    absent = len(review.toward_absent)
    if newly or blocked or added or others or absent or review.unjudged:
        parts = [f"{_services_and_workloads(at)} newly {REACHED[level]}" for level in reversed(LEVELS)
                 if (at := [c for c in newly if c.admitted_after == level])]
        parts += [f"{_services_and_workloads(at)} declared {REACHED[level]}, but blocked by NetworkPolicies"
                  for level in reversed(LEVELS) if (at := [c for c in blocked if c.after == level])]
        if others:
            parts.append(f"{_count(len(others), 'workload')} newly reachable from other namespaces")
        if added:
            parts.append(_count(added, "new entry point"))
        if absent:
            parts.append(f"{_count(absent, 'new way')} in toward Services not in the input")
        return "⚠ " + "; ".join(parts + _unjudged_parts(review))
    parts = []
    if review.objects:
        parts.append(_objects_changed(review.objects))
    if review.exposure:
        parts.append(f"{_services_and_workloads(review.exposure)} less exposed")
    if review.reach:
        parts.append(f"{_count(len({t for c in review.reach for t in c.targets}), 'workload')} reached differently")
    if not parts:
        counted = (len(review.edges) + len(review.entrypoints) + len(review.findings) + len(review.unread)
                   + len(review.unmodelled))
        parts.append(f"{_count(counted, 'change')} in edges, entry points, findings, "
                     "or what svcdocs does not read or model")
    return "✅ No new exposure: " + ", ".join(parts)


def _unjudged_parts(review: Review) -> list[str]:
    """What the change does that svcdocs cannot see into, for the verdict."""
    parts = [f"{c.path} now read as {MODES[c.after]}" for c in review.renderings]
    unseen = sum(1 for u in review.unseen if u.kind != "file" or review.fail_on_unmodelled)
    if unseen:
        parts.append(f"{_count(unseen, 'new input')} svcdocs could not read or render")
    if not review.fail_on_unmodelled:
        return parts
    unread = sum(1 for c in review.unread if c.change == "added")
    if unread:
        parts.append(f"{_count(unread, 'new file')} svcdocs does not read")
    unmodelled = [c for c in review.unmodelled if c.change != "removed" and not c.inert]
    if unmodelled:
        kinds = "of a kind" if len(unmodelled) == 1 else "of kinds"
        parts.append(f"{_count(len(unmodelled), 'object')} {kinds} svcdocs does not model "
                     + ("added or changed" if any(c.change == "changed" for c in unmodelled) else "added"))
    return parts


def _objects_changed(changes: tuple[Change, ...]) -> str:
    """`1 object added, 2 removed, 3 changed`: the noun once, after the first number."""
    counts = [(n, kind) for kind in ("added", "removed", "changed")
              if (n := sum(1 for c in changes if c.change == kind))]
    noun = "object " if counts[0][0] == 1 else "objects "
    return ", ".join(f"{n} {noun if i == 0 else ''}{kind}" for i, (n, kind) in enumerate(counts))


def _services_and_workloads(changes: list[ExposureChange] | tuple[ExposureChange, ...]) -> str:
    services = sum(1 for c in changes if c.kind == "Service")
    parts = [_count(services, "Service"), _count(len(changes) - services, "workload")]
    return " and ".join(p for p in parts if not p.startswith("0 "))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
