"""A digest of a composed YAML document's content, for objects svcdocs does not
model: it tells a review that such an object changed without reading, keeping
or showing any of its values."""

from __future__ import annotations

import hashlib

import yaml

from svcdocs.load.origin import ORIGIN_ANNOTATION

# Annotations that say where a document was written, not what it asks for:
# kustomize's origin, which svcdocs asks for to place rendered objects (its
# path changes with where the repository sits). Moving a manifest is no change.
PLACEMENT_ANNOTATIONS = frozenset({ORIGIN_ANNOTATION})


def content_digest(root: yaml.Node) -> str:
    """One hash of every key and value below `root`, whatever the order of
    the keys of a mapping. Each node is hashed once,
    however many aliases name it, and an alias back to a node being hashed (a
    document that contains itself) counts as a mark, not a loop. The
    annotations that only say where the document was written are left out."""
    root = _without_placement(root)
    done: dict[int, bytes] = {}
    busy: set[int] = set()
    pending: list[tuple[yaml.Node, bool]] = [(root, False)]
    while pending:
        node, children_done = pending.pop()
        key = id(node)
        if key in done:
            continue
        if isinstance(node, yaml.ScalarNode):
            done[key] = _hash(b"s", node.tag.encode(), node.value.encode("utf-8", "surrogatepass"))
            continue
        children = [part for pair in node.value for part in pair] if isinstance(node, yaml.MappingNode) else node.value
        if children_done:
            busy.discard(key)
            hashes = [done.get(id(c), b"loop") for c in children]
            if isinstance(node, yaml.MappingNode):  # the order of keys means nothing
                done[key] = _hash(b"m", *sorted(a + b for a, b in zip(hashes[::2], hashes[1::2])))
            else:
                done[key] = _hash(b"q", *hashes)
            continue
        busy.add(key)
        pending.append((node, True))
        pending.extend((c, False) for c in reversed(children) if id(c) not in done and id(c) not in busy)
    return done[id(root)].hex()


def _hash(*parts: bytes) -> bytes:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.digest()


def _without_placement(root: yaml.Node) -> yaml.Node:
    """`root` without PLACEMENT_ANNOTATIONS (and without an annotations map
    left empty by them); `root` itself when it has none."""
    metadata = _value_of(root, "metadata")
    annotations = _value_of(metadata, "annotations")
    if annotations is None or not any(_key(k) in PLACEMENT_ANNOTATIONS for k, _ in annotations.value):
        return root
    kept = [(k, v) for k, v in annotations.value if _key(k) not in PLACEMENT_ANNOTATIONS]
    meta_pairs = [(k, yaml.MappingNode(annotations.tag, kept) if v is annotations else v)
                  for k, v in metadata.value if kept or v is not annotations]
    return yaml.MappingNode(root.tag, [(k, yaml.MappingNode(metadata.tag, meta_pairs) if v is metadata else v)
                                       for k, v in root.value])


def _value_of(node: yaml.Node | None, key: str) -> yaml.MappingNode | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    value = next((v for k, v in node.value if _key(k) == key), None)
    return value if isinstance(value, yaml.MappingNode) else None


def _key(node: yaml.Node) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None
