"""Selector matching through an index of the labels pods carry.

A workload makes one or more groups of pods (a built-in kind one, an operator
as many as its documentation says). A pod carries its template's labels and
those its controller adds: a StatefulSet's `statefulset.kubernetes.io/pod-name`
(`<name>-<ordinal>`, ordinals below replicas) and `apps.kubernetes.io/pod-index`,
a `controller-revision-hash` or `pod-template-hash`, a Job's `job-name` and
`controller-uid`. Labels whose value differs from pod to pod are indexed by
the part that does not (the name before the ordinal), or not at all when any
value is possible (a hash).

A selector is matched by taking the groups that carry its rarest label pair
and testing only those, never by testing every group against every selector.
A selector made only of labels whose values no manifest can tell (a hash, a
uid) matches nothing: which pods it selects is unknowable from the input.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Mapping
from svcdocs.model import LabelSelector, Requirement, Workload
from svcdocs.model.objects import LabelValues, Pairs, PodGroup

POD_NAME = "statefulset.kubernetes.io/pod-name"
POD_INDEX = "apps.kubernetes.io/pod-index"
REVISION_HASH = "controller-revision-hash"
TEMPLATE_HASH = "pod-template-hash"
JOB_NAMES = ("batch.kubernetes.io/job-name", "job-name")
CONTROLLER_UIDS = ("batch.kubernetes.io/controller-uid", "controller-uid")
# The labels Kubernetes controllers add to the pods they make.
CONTROLLER_LABEL_KEYS = frozenset({POD_NAME, POD_INDEX, REVISION_HASH, TEMPLATE_HASH, "pod-template-generation",
                                   *JOB_NAMES, *CONTROLLER_UIDS})


# Labels whose value no manifest tells (hashes, uids), made once: every
# Deployment, DaemonSet and StatefulSet has some.
_ANY = {key: LabelValues(key) for key in (REVISION_HASH, TEMPLATE_HASH, "pod-template-generation", *CONTROLLER_UIDS)}
_DEPLOYMENT = (_ANY[TEMPLATE_HASH],)
_DAEMONSET = (_ANY[REVISION_HASH], _ANY["pod-template-generation"])
_UIDS = tuple(_ANY[key] for key in CONTROLLER_UIDS)


def controller_labels(group: PodGroup) -> tuple[Pairs, tuple[LabelValues, ...]]:
    """The labels that the group's controller adds to each pod: fixed, and varying."""
    name, kind = group.name, group.controller
    if kind == "Deployment":
        return (), _DEPLOYMENT
    if kind == "StatefulSet":
        replicas = 1 if group.replicas is None else group.replicas
        return (), (LabelValues(POD_NAME, prefix=f"{name}-", stop=replicas),
                    LabelValues(POD_INDEX, prefix="", stop=replicas), _ANY[REVISION_HASH])
    if kind == "DaemonSet":
        return (), _DAEMONSET
    if kind == "Job":
        return tuple((key, name) for key in JOB_NAMES), _UIDS
    if kind == "CronJob":  # its Jobs are named <cronjob>-<scheduled time in minutes>
        return (), (*(LabelValues(key, prefix=f"{name}-") for key in JOB_NAMES), *_UIDS)
    return (), ()


class _Pods:
    """One group of pods as the index sees it: `order` is the workload's place
    in the model, so that results keep the model's order."""

    __slots__ = ("order", "workload", "fixed", "varying")

    def __init__(self, order: int, workload: Workload | None, fixed: dict[str, str],
                 varying: dict[str, LabelValues]):
        self.order, self.workload, self.fixed, self.varying = order, workload, fixed, varying

    def has(self, key: str, value: str) -> bool:
        if key in self.fixed:
            return self.fixed[key] == value
        values = self.varying.get(key)
        return values is not None and values.admits(value)

    def tells(self, key: str) -> bool:
        """Whether the manifests say which value the pods carry (not a hash or a uid)."""
        return key in self.fixed or not self.varying[key].any_value

    def satisfies(self, requirement: Requirement) -> bool:
        key, values = requirement.key, requirement.values
        present = key in self.fixed or key in self.varying
        if requirement.operator == "Exists":
            return present
        if requirement.operator == "DoesNotExist":
            return not present
        if requirement.operator == "In":
            return any(self.has(key, v) for v in values)
        # NotIn: some pod of the group carries no such label or another value
        if key in self.fixed:
            return self.fixed[key] not in values
        varying = self.varying.get(key)
        return varying is None or varying.any_value or varying.prefix is not None \
            or any(v not in values for v in varying.values)


class LabelIndex:
    def __init__(self, workloads: tuple[Workload, ...]):
        self._exact: dict[tuple[str, str, str], list[_Pods]] = defaultdict(list)
        self._numbered: dict[tuple[str, str, str], list[_Pods]] = defaultdict(list)
        self._by_namespace: dict[str, list[_Pods]] = defaultdict(list)
        self._workloads: dict[str, list[Workload]] = defaultdict(list)
        self._any_value: dict[tuple[str, str], list[_Pods]] = defaultdict(list)  # carried with any value
        self._by_key: dict[tuple[str, str], list[_Pods]] = defaultdict(list)  # carried at all
        for order, workload in enumerate(workloads):
            ns = workload.namespace
            self._workloads[ns].append(workload)
            for group in workload.groups():
                pods = _pods(order, workload, group)
                self._by_namespace[ns].append(pods)
                for key, value in pods.fixed.items():
                    self._exact[(ns, key, value)].append(pods)
                    self._by_key[(ns, key)].append(pods)
                for values in pods.varying.values():
                    self._by_key[(ns, values.key)].append(pods)
                    for value in values.values:
                        self._exact[(ns, values.key, value)].append(pods)
                    if values.prefix is not None:
                        self._numbered[(ns, values.key, values.prefix)].append(pods)
                    elif values.any_value:
                        self._any_value[(ns, values.key)].append(pods)

    def matching(self, namespace: str, labels: Pairs) -> list[Workload]:
        """Workloads in `namespace` that make pods carrying every pair."""
        if not labels:
            return list(self._workloads.get(namespace, ()))
        return _workloads(self._groups(namespace, labels))

    def matching_anywhere(self, labels: Pairs) -> list[Workload]:
        """Workloads of any namespace whose pod labels include every pair."""
        return [w for namespace in sorted(self._by_namespace) for w in self.matching(namespace, labels)]

    def selecting(self, namespace: str, selector: LabelSelector) -> list[Workload]:
        """A full label selector: matchLabels and matchExpressions; empty selects all."""
        if selector.selects_all:
            return list(self._workloads.get(namespace, ()))
        if selector.match_labels:
            groups = self._groups(namespace, selector.match_labels)
        else:
            groups = self._candidates(namespace, selector.match_expressions)
        return _workloads(g for g in groups if all(g.satisfies(r) for r in selector.match_expressions))

    def _candidates(self, namespace: str, requirements) -> list[_Pods]:
        """The groups a selector of expressions only can match: those carrying
        the key of its narrowest `In` or `Exists`, not every group of the
        namespace (a policy per workload would make that quadratic)."""
        best: list[_Pods] | None = None
        for r in requirements:
            if r.operator == "Exists":
                found = self._by_key.get((namespace, r.key), [])
            elif r.operator == "In":
                found = [g for value in r.values for g in self._groups(namespace, ((r.key, value),))]
            else:
                continue
            if best is None or len(found) < len(best):
                best = found
        return list(dict.fromkeys(best)) if best is not None else self._by_namespace.get(namespace, [])

    def _groups(self, namespace: str, labels: Pairs) -> list[_Pods]:
        """Groups whose pods carry every pair, from the pair that fewest groups carry."""
        smallest: list[_Pods] | None = None
        for key, value in labels:
            found = self._exact.get((namespace, key, value), [])
            numbered = self._numbered.get((namespace, key, value.rstrip("0123456789")))
            if numbered:
                found = found + [g for g in numbered if g.has(key, value)]
            found = found + self._any_value.get((namespace, key), [])
            if not found:
                return []
            if smallest is None or len(found) < len(smallest):
                smallest = found
        return [g for g in dict.fromkeys(smallest) if all(g.has(k, v) for k, v in labels)
                and any(g.tells(k) for k, _ in labels)]


def _pods(order: int, workload: Workload, group: PodGroup) -> _Pods:
    """A group's pods with the labels their controller adds; the template's win."""
    added, varying = controller_labels(group)
    fixed = dict(group.labels)
    for key, value in added:
        fixed.setdefault(key, value)
    if group.varying:
        varying = (*varying, *group.varying)
    return _Pods(order, workload, fixed, {v.key: v for v in varying if v.key not in fixed})


def selected_group(workload: Workload, selector: Pairs) -> PodGroup | None:
    """The first group of a workload's pods whose labels the selector matches."""
    for group in workload.groups():
        pods = _pods(0, workload, group)
        if all(pods.has(k, v) for k, v in selector):
            return group
    return None


def matches(labels: Mapping[str, str], selector: LabelSelector) -> bool:
    """Whether one set of labels (a Namespace's, a pod's) satisfies a full
    selector: matchLabels and matchExpressions; an empty selector matches all."""
    return all(labels.get(k) == v for k, v in selector.match_labels) and \
        all(satisfies(labels, r) for r in selector.match_expressions)


def satisfies(labels: Mapping[str, str], requirement: Requirement) -> bool:
    """One matchExpressions requirement (In, NotIn, Exists, DoesNotExist)."""
    value = labels.get(requirement.key)
    if requirement.operator == "In":
        return value is not None and value in requirement.values
    if requirement.operator == "NotIn":
        return value is None or value not in requirement.values
    if requirement.operator == "Exists":
        return value is not None
    return value is None  # DoesNotExist


def _workloads(groups) -> list[Workload]:
    """Each workload once, in the model's order."""
    found: dict[int, Workload] = {}
    for group in groups:
        found.setdefault(group.order, group.workload)
    return [found[order] for order in sorted(found)]
