"""Sets of pods as bit sets (bit i: pod i), and selector expressions
(`model.policies.selectors`) evaluated on them through an index of labels.

Each label pair, label key, namespace and service account maps to the bit set
of the pods that carry it, so a selector costs a few operations on bit sets,
whatever the number of pods, and each distinct selector is evaluated once:
policies repeat theirs.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Mapping

from svcdocs.model.policies.selectors import ACCOUNT, ACCOUNT_LABELS, NAMESPACE, POD, Expr


class PodSets:
    def __init__(self, pods: Iterable[tuple[str, Mapping[str, str], str, bool]],
                 namespace_labels: Mapping[str, Mapping[str, str]]):
        """`pods`: (namespace, labels, service account, on the host network) of pod i."""
        self._pairs: dict[tuple[str, str], int] = defaultdict(int)
        self._keys: dict[str, int] = defaultdict(int)
        self._values: dict[str, set[str]] = defaultdict(set)
        self._namespaces: dict[str, int] = defaultdict(int)
        self._accounts: dict[str, int] = defaultdict(int)
        self.host_network = 0
        count = 0
        for i, (namespace, labels, account, host) in enumerate(pods):
            bit = 1 << i
            count += 1
            self._namespaces[namespace] |= bit
            self._accounts[account] |= bit
            if host:
                self.host_network |= bit
            for key, value in labels.items():
                self._pairs[(key, value)] |= bit
                self._keys[key] |= bit
                self._values[key].add(value)
        self.everyone = (1 << count) - 1
        self.namespace_labels = namespace_labels
        self._cache: dict[Expr, int] = {}

    def of(self, expr: Expr | None) -> int:
        """The pods an expression selects (None: none)."""
        if expr is None:
            return 0
        found = self._cache.get(expr)
        if found is None:
            found = self._cache[expr] = self._evaluate(expr)
        return found

    def in_namespace(self, namespace: str) -> int:
        return self._namespaces.get(namespace, 0)

    def _evaluate(self, expr: Expr) -> int:
        op = expr[0]
        if op == "all":
            return self.everyone
        if op in ("none", "global"):
            return 0
        if op == "and":
            found = self.everyone
            for part in sorted(expr[1:], key=_cheap_first):
                found &= self.of(part)
                if not found:
                    break
            return found
        if op == "or":
            found = 0
            for part in expr[1:]:
                found |= self.of(part)
            return found
        if op == "not":
            return self.everyone & ~self.of(expr[1])
        space, key = expr[1], expr[2]
        if space == POD:
            return self._pod_label(op, key, expr[3:])
        if space == NAMESPACE:
            return self._namespace_label(op, key, expr[3:])
        if space == ACCOUNT:
            return self._account(op, expr[3:])
        if space == ACCOUNT_LABELS:
            return 0  # the manifests give no service account's labels
        raise ValueError(f"unknown label space {space!r}")

    def _pod_label(self, op: str, key: str, rest: tuple) -> int:
        if op == "eq":
            return self._pairs.get((key, rest[0]), 0)
        if op == "in":
            found = 0
            for value in rest[0]:
                found |= self._pairs.get((key, value), 0)
            return found
        if op == "has":
            return self._keys.get(key, 0)
        found = 0
        for value in self._values.get(key, ()):
            if _text(rest[0], rest[1], value):
                found |= self._pairs[(key, value)]
        return found

    def _namespace_label(self, op: str, key: str, rest: tuple) -> int:
        found = 0
        for namespace, bits in self._namespaces.items():
            labels = self.namespace_labels.get(namespace, {})
            value = labels.get(key)
            if value is None:
                continue
            if op == "has" or (op == "eq" and value == rest[0]) or (op == "in" and value in rest[0]) or (
                    op == "text" and _text(rest[0], rest[1], value)):
                found |= bits
        return found

    def _account(self, op: str, rest: tuple) -> int:
        if op == "has":
            return self.everyone
        found = 0
        for account, bits in self._accounts.items():
            if (op == "eq" and account == rest[0]) or (op == "in" and account in rest[0]) or (
                    op == "text" and _text(rest[0], rest[1], account)):
                found |= bits
        return found


def _cheap_first(part: Expr) -> int:
    """Pairs and keys first: they cut the set down most for the least work."""
    return 0 if part[0] in ("eq", "in", "has") and part[1] == POD else 1 if part[0] != "not" else 2


def _text(how: str, text: str, value: str) -> bool:
    return text in value if how == "contains" else value.startswith(text) if how == "starts" else value.endswith(text)


def members(bits: int) -> list[int]:
    """The indices of the set bits, ascending."""
    if not bits:
        return []
    if bits.bit_count() * 16 < bits.bit_length():
        found = []
        while bits:
            low = bits & -bits
            found.append(low.bit_length() - 1)
            bits ^= low
        return found
    text = bin(bits)[:1:-1]
    return [i for i, c in enumerate(text) if c == "1"]


def holds(expr: Expr, lookup, is_global: bool = False) -> bool:
    """An expression on one object other than a pod (a network set, a CIDR
    group): `lookup(space, key)` gives the value of a label, or None."""
    op = expr[0]
    if op in ("all", "none", "global"):
        return op == "all" or (op == "global" and is_global)
    if op in ("and", "or"):
        results = (holds(part, lookup, is_global) for part in expr[1:])
        return all(results) if op == "and" else any(results)
    if op == "not":
        return not holds(expr[1], lookup, is_global)
    value = lookup(expr[1], expr[2])
    if op == "has":
        return value is not None
    if value is None:
        return False
    if op == "eq":
        return value == expr[3]
    if op == "in":
        return value in expr[3]
    return _text(expr[3], expr[4], value)
