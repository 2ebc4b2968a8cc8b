"""The review of a change: two reports in, what changed out. Pure: no output.

Objects are matched by id (`Kind/namespace/name`) and compared by content
without file and line, so moving a document between files changes nothing.
Edges are compared whole. Findings are matched by rule and object, never by file.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from svcdocs.analysis import RANK, EntryPoint, toward_absent
from svcdocs.config import Config
from svcdocs.graph import Edge
from svcdocs.pipeline import Report
from svcdocs.review.content import FieldChange, same_content
from svcdocs.review.coverage import (
    RenderingChange, UnmodelledChange, UnreadChange, Unseen, rendering_changes, unmodelled_changes,
    unread_changes, unseen_fails,
)
from svcdocs.review.part import ChangedPart, changed_part
from svcdocs.model.policies import KINDS as POLICY_KINDS
from svcdocs.review.reach import ReachChange, reach_changes
from svcdocs.review.readable import changed_fields, described
from svcdocs.rules import Finding

# A new Service or workload is "more exposed" from this level up; below it, a
# new object is ordinary growth inside the cluster.
NEW_OBJECT_ALERT = "node"


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

    @property
    def neutral(self) -> bool:
        """Changed only in fields that never change what can reach what (an image, probes, replicas)."""
        return self.change == "changed" and all(f.neutral for f in self.fields)


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
    base_unrendered: tuple[str, ...] = ()  # what BASE could not render, one sentence each

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
        """A change svcdocs cannot judge: the rendering of a PATH changed, BASE
        could not be rendered, something new in HEAD was not read or rendered,
        or (unless the config lets them pass) a file it does not read or an
        object of a kind it does not model, not inert, was added or changed."""
        if self.renderings or self.base_unrendered or unseen_fails(self.unseen, self.fail_on_unmodelled):
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
                    or self.unread or self.unmodelled or self.renderings or self.base_unrendered
                    or self.toward_absent or self.unseen)


def review(base: Report, head: Report, config: Config = Config(), notes: tuple[str, ...] = (),
           base_unrendered: tuple[str, ...] = (), unseen: tuple[Unseen, ...] = ()) -> Review:
    """`base_unrendered`: what BASE could not render that HEAD did
    (coverage.unrendered_at_base); `unseen`: what is new in HEAD and not read
    or rendered (coverage.unseen_changes)."""
    objects = tuple(object_changes(base, head))
    exposure = tuple(exposure_changes(base, head))
    entries = tuple(entrypoint_changes(base.analysis.entrypoints, head.analysis.entrypoints,
                                       _node_ports(base), _node_ports(head)))
    edges = tuple(edge_changes(base.graph.edges, head.graph.edges))
    focus = {c.object for c in objects if not c.neutral} | {c.object for c in exposure}
    policies = {c.object: c.change for c in objects if c.kind == "NetworkPolicy" or c.kind in POLICY_KINDS}
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
        base_unrendered=base_unrendered,
        toward_absent=new_toward_absent(base, head),
        unseen=unseen,
    )


def object_changes(base: Report, head: Report):
    before = {o.id: o for o in base.model.objects()}
    after = {o.id: o for o in head.model.objects()}
    for object_id in sorted(before.keys() | after.keys()):
        old, new = before.get(object_id), after.get(object_id)
        if old is None:
            yield Change("added", object_id, new.kind, tuple(described(new, added=True)))
        elif new is None:
            yield Change("removed", object_id, old.kind, tuple(described(old, added=False)))
        elif old != new and not same_content(old, new):  # differing only in files and lines is no change
            fields = changed_fields(old, new)
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


def entrypoint_changes(before: tuple[EntryPoint, ...], after: tuple[EntryPoint, ...],
                       node_before: frozenset[tuple] = frozenset(), node_after: frozenset[tuple] = frozenset()):
    """Ways in added and removed. A NodePort's way in is its node port, which a
    LoadBalancer keeps: a NodePort Service turned LoadBalancer adds the
    LoadBalancer and removes nothing (`node_*`: each side's node ports)."""
    old = {_entry_key(e): e for e in before}
    new = {_entry_key(e): e for e in after}
    changes = [EntryPointChange("added", e) for k, e in new.items()
               if k not in old and _node_key(e) not in node_before]
    changes += [EntryPointChange("removed", e) for k, e in old.items()
                if k not in new and _node_key(e) not in node_after]
    return sorted(changes, key=lambda c: (c.entry.sort_key(), c.change))


def _node_key(entry: EntryPoint) -> tuple | None:
    return (entry.service, str(entry.port), entry.node_port) if entry.kind == "nodeport" else None


def _node_ports(report: Report) -> frozenset[tuple]:
    """(Service, port, node port) of every node port a Service opens, LoadBalancers' included."""
    return frozenset((s.id, str(p.port), p.node_port) for s in report.model.services if s.opens_node_ports
                     for p in s.ports)


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
