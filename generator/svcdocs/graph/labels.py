"""Selector matching through an index of pod template labels.

A selector is matched by intersecting the workloads that carry each of its
label pairs, starting from the rarest pair, never by testing every workload
against every selector.
"""

from __future__ import annotations

from collections import defaultdict

from svcdocs.model import LabelSelector, Requirement, Workload
from svcdocs.model.objects import Pairs


class LabelIndex:
    def __init__(self, workloads: tuple[Workload, ...]):
        self._by_pair: dict[tuple[str, str, str], list[Workload]] = defaultdict(list)
        self._by_namespace: dict[str, list[Workload]] = defaultdict(list)
        self._labels: dict[str, dict[str, str]] = {}
        for workload in workloads:
            self._by_namespace[workload.namespace].append(workload)
            self._labels[workload.id] = dict(workload.pod_labels)
            for key, value in workload.pod_labels:
                self._by_pair[(workload.namespace, key, value)].append(workload)

    def matching(self, namespace: str, labels: Pairs) -> list[Workload]:
        """Workloads in `namespace` whose pod labels include every pair."""
        if not labels:
            return list(self._by_namespace.get(namespace, ()))
        lists = [self._by_pair.get((namespace, k, v), ()) for k, v in labels]
        smallest = min(lists, key=len)
        if len(labels) == 1:
            return list(smallest)
        return [w for w in smallest if all(self._labels[w.id].get(k) == v for k, v in labels)]

    def matching_anywhere(self, labels: Pairs) -> list[Workload]:
        """Workloads of any namespace whose pod labels include every pair."""
        return [w for namespace in sorted(self._by_namespace) for w in self.matching(namespace, labels)]

    def selecting(self, namespace: str, selector: LabelSelector) -> list[Workload]:
        """A full label selector: matchLabels and matchExpressions; empty selects all."""
        candidates = self.matching(namespace, selector.match_labels)
        if not selector.match_expressions:
            return candidates
        return [w for w in candidates
                if all(_satisfies(self._labels[w.id], r) for r in selector.match_expressions)]


def _satisfies(labels: dict[str, str], requirement: Requirement) -> bool:
    value = labels.get(requirement.key)
    if requirement.operator == "In":
        return value is not None and value in requirement.values
    if requirement.operator == "NotIn":
        return value is None or value not in requirement.values
    if requirement.operator == "Exists":
        return value is not None
    return value is None  # DoesNotExist
