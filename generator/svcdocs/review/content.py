"""What an object means, without where it was written, and how two such
meanings differ field by field.

Model objects carry their file and the line of every field a finding may point
at. None of that is meaning: moving a document to another file, or a field to
another line, changes nothing. `content` drops every `file`, `line` and
`*_line` field and keeps the rest as plain data; `field_changes` walks two of
them and names each difference (`type`, `selector[app]`, `containers[web].image`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, is_dataclass
from functools import lru_cache
from typing import Any

from svcdocs.model import Object

# The id holds these; two objects compared here always have the same id.
_IDENTITY = frozenset({"kind", "namespace", "name"})
# Words of env values (a password can look like a host name): they only ever
# show as `calls` edges to Services that exist, which the review compares as edges.
# An `id` restates the kind, namespace and name beside it.
_VALUE_DERIVED = frozenset({"env_refs", "id"})
MAX_VALUE_CHARS = 120
# Fields whose change never changes what can reach what (nor through which
# ports): what runs, how many, how it is checked, what it is told. Each names
# what the review calls it.
NEUTRAL_FIELDS = {"image": "image", "readinessProbe": "probes", "probes": "probes", "replicas": "replicas",
                  "envNames": "environment variables"}
_SEGMENT = re.compile(r"([A-Za-z]+)(?:\[[^\]]*\])*")
# What tells items of a list apart, first that every item on both sides has, distinct.
KEY_FIELDS = ("name", "host", "path", "variable", "port")


class Pairs(dict):
    """Labels, annotations and selectors: key=value pairs."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str  # "type", "selector[app]", "containers[web].image"
    before: str | None  # None: not set
    after: str | None

    @property
    def neutral(self) -> str | None:
        """What the field is (`image`, `probes`...) when its change never
        changes what can reach what; None otherwise."""
        return next((NEUTRAL_FIELDS[m.group(1)] for m in _SEGMENT.finditer(self.field)
                     if m.group(1) in NEUTRAL_FIELDS), None)


def object_content(obj: Object) -> dict[str, Any]:
    return {k: v for k, v in content(obj).items() if k not in _IDENTITY}


def content(value: Any) -> Any:
    if isinstance(value, tuple):
        if value and all(_is_pair(v) for v in value):
            return Pairs(value)
        return [content(v) for v in value]
    shape = _shape(type(value))
    if shape is None:
        return value
    return {camel: content(getattr(value, name)) for name, camel in shape}


def same_content(a: Any, b: Any) -> bool:
    """Whether `content(a) == content(b)`, found without making either: most
    objects of a review are unchanged but for where they were written."""
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple):
        if len(a) != len(b):
            return False
        if a and all(_is_pair(v) for v in a) and all(_is_pair(v) for v in b):
            return dict(a) == dict(b)
        return all(same_content(x, y) for x, y in zip(a, b))
    shape = _shape(type(a))
    if shape is None:
        return a == b
    return all(same_content(getattr(a, name), getattr(b, name)) for name, _ in shape)


@lru_cache(maxsize=None)
def _shape(cls: type) -> tuple[tuple[str, str], ...] | None:
    """The fields of a dataclass that `content` keeps, with their camelCase
    names (None for anything else): worked out once per class, since a review
    of 10,000 Services asks a million times."""
    if not is_dataclass(cls):
        return None
    derived = getattr(cls, "DERIVED", frozenset())  # a router's ways, restating its own fields
    return tuple((f.name, _camel(f.name)) for f in fields(cls)
                 if not _is_position(f.name) and f.name not in _VALUE_DERIVED and f.name not in derived)


def field_changes(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> list[FieldChange]:
    changes: list[FieldChange] = []
    keyed = isinstance(before, Pairs) or isinstance(after, Pairs)
    for key in list(before) + [k for k in after if k not in before]:
        old, new = before.get(key), after.get(key)
        if old != new:
            changes += _value_changes(f"{prefix}[{key}]" if keyed else _dotted(prefix, key), old, new)
    return changes


def _value_changes(name: str, old: Any, new: Any) -> list[FieldChange]:
    """Structures field by field, pairs pair by pair (missing pairs count as
    none), lists of structures item by item, anything else whole (a structure
    that appears or goes, too)."""
    if isinstance(old, dict) and isinstance(new, dict) or _pairs_or_none(old, new) or _pairs_or_none(new, old):
        return field_changes(old or Pairs(), new or Pairs(), name)
    if _structures(old) and _structures(new):
        key = next((k for k in KEY_FIELDS if _unique(old, k) and _unique(new, k)), None)
        if key is not None:
            return field_changes(_by(old, key), _by(new, key), name)
        return ([FieldChange(name, text(item), None) for item in old if item not in new]
                + [FieldChange(name, None, text(item)) for item in new if item not in old])
    return [FieldChange(name, text(old), text(new))]


def text(value: Any) -> str | None:
    """A value in one short line: `a=b, c=d` for pairs, `key=value ...` for a
    structure (nested ones in braces), items joined by commas."""
    if value is None:
        return None
    line = _line(value)
    return line if len(line) <= MAX_VALUE_CHARS else line[:MAX_VALUE_CHARS - 1] + "…"


def _line(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Pairs):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, dict):
        return " ".join(f"{k}={{{_line(v)}}}" if isinstance(v, dict) else f"{k}={_line(v)}"
                        for k, v in value.items() if v not in (None, False, [], {}))
    if isinstance(value, list):
        return ", ".join(_line(v) for v in value)
    return str(value)


def _pairs_or_none(value: Any, other: Any) -> bool:
    return isinstance(value, Pairs) and other in (None, [])


def _structures(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _unique(items: list[dict], key: str) -> bool:
    values = [item.get(key) for item in items]
    return None not in values and len(set(map(str, values))) == len(values)


def _by(items: list[dict], key: str) -> Pairs:
    """Items by their key field, as Pairs so that the walk names each `field[key]`."""
    return Pairs((str(item[key]), {k: v for k, v in item.items() if k != key}) for item in items)


def _is_position(name: str) -> bool:
    return name in ("file", "line") or name.endswith("_line")


def _is_pair(value: Any) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and all(isinstance(x, str) for x in value)


@lru_cache(maxsize=None)
def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _dotted(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key
