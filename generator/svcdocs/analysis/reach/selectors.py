"""Label selectors over the pods and namespaces of the reachability model."""

from __future__ import annotations

from collections import defaultdict
from typing import Generic, Iterable, Mapping, TypeVar

from svcdocs.graph.labels import matches as labels_match  # the graph's own reading of a selector
from svcdocs.model import LabelSelector

T = TypeVar("T")


def matches(selector: LabelSelector, labels: Mapping[str, str]) -> bool:
    """matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist); an
    empty selector matches everything."""
    return labels_match(labels, selector)


class Index(Generic[T]):
    """Items by namespace and by label pair, so that a selector is matched
    from the items that carry its rarest pair, not by testing every item."""

    def __init__(self, items: Iterable[tuple[str, Mapping[str, str], T]]):
        self._labels: list[Mapping[str, str]] = []
        self._items: list[T] = []
        self._by_namespace: dict[str, list[int]] = defaultdict(list)
        self._by_pair: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        for i, (namespace, labels, item) in enumerate(items):
            self._labels.append(labels)
            self._items.append(item)
            self._by_namespace[namespace].append(i)
            for key, value in labels.items():
                self._by_pair[(namespace, key, value)].append(i)

    def namespaces(self) -> list[str]:
        return sorted(self._by_namespace)

    def in_namespace(self, namespace: str) -> list[T]:
        return [self._items[i] for i in self._by_namespace.get(namespace, ())]

    def selected(self, namespace: str, selector: LabelSelector | None) -> list[T]:
        """The items of `namespace` that `selector` matches (None: all of them)."""
        if selector is None or selector.selects_all:
            return self.in_namespace(namespace)
        if selector.match_labels:
            candidates = min((self._by_pair.get((namespace, k, v), ()) for k, v in selector.match_labels), key=len)
        else:
            candidates = self._by_namespace.get(namespace, ())
        return [self._items[i] for i in candidates if matches(selector, self._labels[i])]
