"""Composed YAML mappings of one source, and the few node readers that
discovery needs (kustomization files, GitOps pointers).

Discovery reads only configuration: which folders a kustomization includes,
which path an Argo CD Application or a Flux Kustomization points at. It uses
the same composing parser as the model (so a tag never runs and an alias is
never expanded) with the same size limit, and keeps no problem: every file it
reads as a manifest is read again by the model stage, which reports them.
"""

from __future__ import annotations

from typing import Iterator

import yaml
from yaml import MappingNode, ScalarNode, SequenceNode

from svcdocs.load.sources import Source
from svcdocs.load.yamldocs import MAX_FILE_BYTES, Parsed, _compose, _compose_each, too_many_nodes

_NULL = "tag:yaml.org,2002:null"


def mappings(source: Source, markers: tuple[bytes, ...] = ()) -> Iterator[tuple[MappingNode, int]]:
    """Every top-level mapping (and every item of a list: a document with
    `items`, whatever its kind, as kubectl reads it) with the line
    offset of its chunk; nothing when the source holds none of `markers`."""
    try:
        raw = source.read(MAX_FILE_BYTES + 1)
    except OSError:
        return
    if len(raw) > MAX_FILE_BYTES or b"\0" in raw or (markers and not any(m in raw for m in markers)):
        return
    text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    if too_many_nodes(text):
        return
    try:
        roots = [(node, 0) for node in _compose(text)]
    except (yaml.YAMLError, RecursionError):
        roots = list(_compose_each(text, Parsed(source.label)))
    for node, offset in roots:
        if not isinstance(node, MappingNode):
            continue
        items = value(node, "items")
        if isinstance(items, SequenceNode):  # a list to kubectl, whatever its kind
            yield from ((item, offset) for item in items.value if isinstance(item, MappingNode))
        else:
            yield node, offset


def value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value of `key` in a mapping node (the last one, as kubectl reads it)."""
    found = None
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if isinstance(k, ScalarNode) and k.value == key:
                found = v
    return found


def path(node: yaml.Node | None, *keys: str) -> yaml.Node | None:
    for key in keys:
        node = value(node, key)
    return node


def scalar(node: yaml.Node | None) -> str | None:
    """A scalar's text; None for a null, a mapping or a sequence."""
    if isinstance(node, ScalarNode) and not (node.tag == _NULL and node.value in ("", "~", "null", "Null", "NULL")):
        return node.value
    return None


def items(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def strings(node: yaml.Node | None) -> list[tuple[str, int]]:
    """The scalar items of a sequence, with their 0-based lines."""
    return [(item.value, item.start_mark.line) for item in items(node) if scalar(item) is not None]


def line(node: yaml.Node, offset: int) -> int:
    """A node's 1-based line in its file."""
    return node.start_mark.line + offset + 1


def dump(node: yaml.Node) -> str:
    """A node as YAML text, as it was composed (never constructed)."""
    return yaml.serialize(node, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper))
