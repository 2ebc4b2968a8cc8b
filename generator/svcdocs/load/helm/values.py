"""Helm values as the GitOps controllers compute them, read safely.

Values come from the pull request, so they are read under the same limits as
manifests: composed, never constructed from tags, with aliases counted every
time they are met (a small alias bomb cannot grow into gigabytes), at most
`MAX_NODES` nodes and `MAX_DEPTH` levels.

- Flux (helm-controller): the chart's defaults, then each `valuesFrom` entry
  in order (a ConfigMap's or Secret's key, `values.yaml` by default, merged,
  or set as a string at `targetPath`; a missing one is an error unless
  `optional`), then `spec.values`, merged key by key, the later winning.
- Argo CD: the value files in order, then `values` (or `valuesObject`, which
  wins over it), then `parameters`: helm applies them itself, in that order.

What is shown of values is only their shape: the names of their keys and a
digest of what does not come from a Secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import yaml
from yaml import MappingNode, ScalarNode, SequenceNode

from svcdocs.load import composed
from svcdocs.load.yamldocs import _compose

MAX_NODES = 200_000
MAX_DEPTH = 200
MAX_TEXT = 8 * 1024 * 1024
_CONSTRUCTOR = yaml.SafeLoader("")  # constructs scalars only (tags resolved as YAML 1.1 does)
# One key per run: equal values give equal tokens within a run, and nothing
# outside it can tell what a token stands for (Secret values are compared, never shown).
_RUN_KEY = os.urandom(32)


class ValuesError(ValueError):
    """Values that cannot be read; the message says where and why (never the values)."""


def parse_values(text: str, where: str) -> dict:
    """A YAML mapping of values (empty for an empty text)."""
    if len(text) > MAX_TEXT:
        raise ValuesError(f"{where}: values larger than {MAX_TEXT // 2**20} MiB")
    try:
        roots = list(_compose(text))
    except (yaml.YAMLError, RecursionError) as e:
        mark = getattr(e, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        raise ValuesError(f"{where}: not YAML{line}") from None
    if not roots:
        return {}
    budget = [MAX_NODES]
    value = to_python(roots[0], budget, where)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValuesError(f"{where}: values are not a mapping")
    return value


def to_python(node: yaml.Node, budget: list[int], where: str, depth: int = 0) -> Any:
    """A composed node as plain data, within the budget (aliases count each time)."""
    budget[0] -= 1
    if budget[0] < 0:
        raise ValuesError(f"{where}: more than {MAX_NODES} values (a limit against hostile input)")
    if depth > MAX_DEPTH:
        raise ValuesError(f"{where}: values nested more than {MAX_DEPTH} levels deep")
    if isinstance(node, ScalarNode):
        construct = _CONSTRUCTOR.yaml_constructors.get(node.tag)
        try:
            return construct(_CONSTRUCTOR, node) if construct is not None else node.value
        except (yaml.YAMLError, ValueError):
            return node.value
    if isinstance(node, SequenceNode):
        return [to_python(item, budget, where, depth + 1) for item in node.value]
    if isinstance(node, MappingNode):
        found: dict = {}
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.tag == "tag:yaml.org,2002:merge":
                merged = to_python(value, budget, where, depth + 1)
                for part in merged if isinstance(merged, list) else [merged]:
                    if isinstance(part, dict):
                        found = {**part, **found}
                continue
            k = to_python(key, budget, where, depth + 1)
            found[k if isinstance(k, (str, int, float, bool)) or k is None else str(k)] = \
                to_python(value, budget, where, depth + 1)
        return found
    return None


def merge(base: Mapping, extra: Mapping) -> dict:
    """`extra` over `base`, mapping by mapping (helm's and Flux's MergeMaps)."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


_SEGMENT = re.compile(r"((?:\\.|[^.\\\[])+)((?:\[\d+\])*)")


def set_path(values: dict, path: str, value: Any) -> dict:
    """`values` with `value` at a dotted path (`a.b[0].c`, `\\.` for a dot
    in a key), as helm's `--set` and Flux's `targetPath` place it."""
    segments: list[str | int] = []
    rest = path
    while rest:
        match = _SEGMENT.match(rest)
        if match is None:
            raise ValuesError(f"targetPath {path!r} is not a path of keys")
        segments.append(re.sub(r"\\(.)", r"\1", match.group(1)))
        segments += [int(i) for i in re.findall(r"\[(\d+)\]", match.group(2))]
        rest = rest[match.end():]
        if rest.startswith("."):
            rest = rest[1:]
        elif rest:
            raise ValuesError(f"targetPath {path!r} is not a path of keys")
    if not segments or not isinstance(segments[0], str):
        raise ValuesError(f"targetPath {path!r} is not a path of keys")
    root = merge({}, values)
    _put(root, segments, value)
    return root


def _put(container: Any, segments: list, value: Any) -> None:
    key, more = segments[0], segments[1:]
    if isinstance(key, int):
        if key > 10_000:
            raise ValuesError("targetPath index too large")
        container.extend([None] * (key + 1 - len(container)))
    if not more:
        container[key] = value
        return
    current = container[key] if (isinstance(key, int) or key in container) else None
    child = [*current] if isinstance(more[0], int) and isinstance(current, list) else \
        dict(current) if isinstance(current, dict) and not isinstance(more[0], int) else \
        [] if isinstance(more[0], int) else {}
    container[key] = child
    _put(child, more, value)


# --- Where values come from ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ValuesFrom:
    """One Flux `valuesFrom` entry."""

    kind: str  # ConfigMap | Secret
    name: str
    key: str = "values.yaml"
    target_path: str = ""
    optional: bool = False

    @property
    def title(self) -> str:
        return f"{self.kind} {self.name}"


class DataIndex:
    """The ConfigMaps and Secrets an environment holds, by kind, namespace and
    name: what `valuesFrom` and `substituteFrom` read. Their data is used to
    render and never shown; a Secret whose data is encrypted (SOPS) has none."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str, str], dict[str, str] | None] = {}

    def add(self, kind: str, namespace: str, name: str, data: dict[str, str] | None) -> None:
        self.objects.setdefault((kind, namespace, name), data)

    def get(self, kind: str, namespace: str, name: str) -> tuple[bool, dict[str, str] | None]:
        """(found, data): data is None for an encrypted Secret."""
        key = (kind, namespace, name)
        if key in self.objects:
            return True, self.objects[key]
        return False, None


def object_data(kind: str, node: MappingNode) -> dict[str, str] | None:
    """A ConfigMap's `data`, or a Secret's `data` (base64) and `stringData`;
    None for a Secret that SOPS encrypted."""
    if kind == "Secret" and composed.value(node, "sops") is not None:
        return None
    found: dict[str, str] = {}
    if kind == "Secret":
        for key, value in _pairs(composed.value(node, "data")):
            try:
                found[key] = base64.b64decode(value, validate=False).decode("utf-8", "replace")
            except ValueError:
                continue
        found.update(_pairs(composed.value(node, "stringData")))
    else:
        found.update(_pairs(composed.value(node, "data")))
    return found


def _pairs(node) -> Iterable[tuple[str, str]]:
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if isinstance(k, ScalarNode) and isinstance(v, ScalarNode):
                yield k.value, v.value


@dataclass(frozen=True, slots=True)
class Computed:
    """Values computed for one release: what helm gets, and what may be shown."""

    values: dict  # every layer merged (Secret values too): written to a private file for helm
    shown: dict  # the layers that are not from a Secret: digested
    secret_keys: frozenset[str] = frozenset()  # dotted keys whose value came from a Secret
    missing: tuple[str, ...] = ()  # valuesFrom entries left out, with why


def flux_values(inline: str, sources: Iterable[ValuesFrom], namespace: str, index: DataIndex,
                where: str) -> Computed:
    """Flux's order: each `valuesFrom` in turn, then `spec.values`. A missing
    entry is left out and named (helm-controller would stop; svcdocs renders
    what the repository holds, and says what it lacks)."""
    values: dict = {}
    shown: dict = {}
    secret_keys: set[str] = set()
    missing: list[str] = []
    for entry in sources:
        found, data = index.get(entry.kind, namespace, entry.name)
        if not found:
            if not entry.optional:
                missing.append(f"{entry.title}: not in this environment")
            continue
        if data is None:
            missing.append(f"{entry.title}: encrypted (SOPS); its values are not known here")
            continue
        if entry.key not in data:
            if not entry.optional:
                missing.append(f"{entry.title}: has no key {entry.key}")
            continue
        text = data[entry.key]
        if entry.target_path:  # set in what is there so far, as a string (Flux's ReplacePathValue)
            values = set_path(values, entry.target_path, text)
            if entry.kind == "Secret":
                secret_keys.update(flat_keys(set_path({}, entry.target_path, "")))
            else:
                shown = set_path(shown, entry.target_path, text)
            continue
        layer = parse_values(text, f"{where}: valuesFrom {entry.title} key {entry.key}")
        values = merge(values, layer)
        if entry.kind == "Secret":
            secret_keys.update(flat_keys(layer))
        else:
            shown = merge(shown, layer)
    layer = parse_values(inline, f"{where}: spec.values") if inline else {}
    return Computed(merge(values, layer), merge(shown, layer), frozenset(secret_keys), tuple(missing))


def digest(values: Mapping) -> str:
    """A short digest of values (never of a Secret's): equal values, equal digests."""
    text = json.dumps(values, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def flat_keys(values: Mapping, prefix: str = "") -> dict[str, Any]:
    """Every leaf as a dotted key (lists are leaves)."""
    found: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            found.update(flat_keys(value, name + "."))
        else:
            found[name] = value
    return found


def tokens(values: Mapping) -> tuple[tuple[str, str], ...]:
    """Each leaf key with a token of its value: keyed by this run only, so that
    two environments' values can be compared without any value being kept."""
    return tuple(sorted((key, hmac.new(_RUN_KEY, json.dumps(value, sort_keys=True, default=str).encode(
        "utf-8", "surrogatepass"), "sha256").hexdigest()[:16]) for key, value in flat_keys(values).items()))
