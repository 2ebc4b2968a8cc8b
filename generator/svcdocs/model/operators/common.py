"""What every operator module shares: the pods a resource makes, and reading
label maps out of the resource's spec."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from svcdocs.model.objects import LabelValues, Pairs, PodGroup

if TYPE_CHECKING:
    import yaml

    from svcdocs.model.reader import Reader

# A hostile spec could ask for a million shards or node sets: past this many,
# the rest make no group of their own.
MAX_GROUPS = 64
ANY = None  # LabelValues(key) with no values nor prefix admits any value


@dataclass(frozen=True, slots=True)
class Made:
    """The pods an operator makes from one resource."""

    operator: str
    groups: tuple[PodGroup, ...]
    line: int  # the line that sets the pod labels, or the resource's spec
    replicas: int | None = None
    pod_spec: yaml.Node | None = None  # a pod template in the resource, whose containers the pods run


def field(r: Reader, node: yaml.Node | None, path: str, what: str = "spec") -> yaml.Node | None:
    """The node at a dotted path of mappings below `node` (None when absent)."""
    for key in path.split("."):
        node = r.mapping(node, what).get(key)
        what = f"{what}.{key}"
        if node is None:
            return None
    return node


def labels_at(r: Reader, spec: yaml.Node | None, path: str) -> tuple[Pairs, int]:
    """The label map at `spec.<path>` (ending in `labels`), and its line."""
    parent, _, key = path.rpartition(".")
    holder = field(r, spec, parent) if parent else spec
    node = r.mapping(holder, f"spec.{parent}").get(key) if holder is not None else None
    if node is None:
        return (), 0
    return r.pairs(node, f"spec.{path}"), r.key_line(holder, key)


def count(r: Reader, spec: yaml.Node | None, key: str, default: int | None = 1) -> int | None:
    node = r.mapping(spec, "spec").get(key)
    found = r.integer(node, f"spec.{key}", 0, 1_000_000)
    return default if found is None else found


def merged(*maps: Pairs | dict) -> Pairs:
    """Label maps merged left to right: a later map overrides (an operator's
    reserved labels come last)."""
    result: dict[str, str] = {}
    for labels in maps:
        result.update(labels)
    return tuple(sorted(result.items()))


def any_of(*keys: str) -> tuple[LabelValues, ...]:
    """Labels whose values the operator makes up (versions, hashes, generated names)."""
    return tuple(LabelValues(key) for key in keys)


def one_of(key: str, *values: str) -> LabelValues:
    return LabelValues(key, values=values)


def numbered(key: str, prefix: str, first: int = 0, stop: int | None = None) -> LabelValues:
    return LabelValues(key, prefix=prefix, first=first, stop=stop)
