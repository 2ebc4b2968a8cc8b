"""Typed access to the nodes of a composed YAML document.

Only the fields the model needs are read, straight from the nodes, so every
field keeps its line for free and nothing else is ever turned into a value. A
field of the wrong type is reported as a problem at its line and ignored; a
key defined twice takes its last value, as kubectl's client does (and as
every decision svcdocs makes from the document must, or the review would
judge another object than the one applied).
Every builder, built-in or a router family's, reads through a `Reader`.
"""

from __future__ import annotations

import yaml
from yaml import MappingNode, ScalarNode, SequenceNode

from svcdocs.load import Document, Problem
from svcdocs.model.objects import LabelSelector, Pairs, Requirement
from svcdocs.load.placement import Placement

_NULL = "tag:yaml.org,2002:null"
_INT = "tag:yaml.org,2002:int"
_MERGE = "tag:yaml.org,2002:merge"
HELM_REASON = "unrendered Helm template ({{ }}); render it first: helm template CHART | svcdocs <command> -"


class Unusable(Exception):
    """The document cannot become an object."""

    def __init__(self, line: int, reason: str):
        super().__init__(reason)
        self.line = line
        self.reason = reason


class Reader:
    """Typed access to the nodes of one document; field problems collect here.
    A rendered document is read where its placement puts it (its source file)."""

    __slots__ = ("doc", "problems", "placement", "file")

    def __init__(self, doc: Document, placement: Placement | None = None):
        self.doc = doc
        self.problems: list[Problem] = []
        self.placement = placement
        self.file = placement.file if placement is not None else doc.file

    def line(self, node: yaml.Node) -> int:
        if self.placement is not None:
            return self.placement.line_of(node)
        return self.doc.line_of(node)

    def key_line(self, parent: yaml.Node | None, key: str) -> int:
        """The line of `key:` itself (a block value starts on the next line)."""
        if isinstance(parent, MappingNode):
            for k, _ in parent.value:
                if isinstance(k, ScalarNode) and k.value == key:
                    return self.line(k)
        return 0

    def warn(self, node: yaml.Node, reason: str) -> None:
        self.problems.append(Problem(self.file, self.line(node), reason))

    def mapping(self, node: yaml.Node | None, what: str) -> dict[str, yaml.Node]:
        if node is None or is_null(node):
            return {}
        if not isinstance(node, MappingNode):
            self.warn(node, f"{what} is not a mapping; ignored")
            return {}
        return fields_of(node)

    def sequence(self, node: yaml.Node | None, what: str) -> list[yaml.Node]:
        if node is None or is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self.warn(node, f"{what} is not a list; ignored")
            return []
        return node.value

    def mappings(self, node: yaml.Node | None, what: str):
        """The items of a list of mappings, with their index."""
        for i, item in enumerate(self.sequence(node, what)):
            if isinstance(item, MappingNode):
                yield i, item, fields_of(item)
            elif not is_null(item):
                self.warn(item, f"{what}[{i}] is not a mapping; ignored")

    def string(self, node: yaml.Node | None, what: str) -> str | None:
        if node is None or is_null(node):
            return None
        if isinstance(node, ScalarNode):
            return node.value
        self.warn(node, f"{what} is not a string; ignored")
        return None

    def strings(self, node: yaml.Node | None, what: str) -> tuple[str, ...]:
        items = (self.string(item, f"{what}[{i}]") for i, item in enumerate(self.sequence(node, what)))
        return tuple(s for s in items if s is not None)

    def integer(self, node: yaml.Node | None, what: str, low: int = 1, high: int = 65535) -> int | None:
        if node is None or is_null(node):
            return None
        value = as_int(node)
        if value is None or not low <= value <= high:
            self.warn(node, f"{what} is not a number from {low} to {high}; ignored")
            return None
        return value

    def port_or_name(self, node: yaml.Node | None, what: str) -> int | str | None:
        """An IntOrString port: a number, or the name of a container port."""
        if node is None or is_null(node):
            return None
        if isinstance(node, ScalarNode) and node.tag != _INT and not node.value.isdigit():
            if node.value:
                return node.value
        return self.integer(node, what, 0, 65535)

    def flag(self, node: yaml.Node | None) -> bool:
        return isinstance(node, ScalarNode) and node.value.lower() == "true"

    def pairs(self, node: yaml.Node | None, what: str) -> Pairs:
        """A map of strings (labels, a selector): scalars are taken as written."""
        items = []
        for key, value in self.mapping(node, what).items():
            if isinstance(value, ScalarNode) and not is_null(value):
                items.append((key, value.value))
            else:
                self.warn(value, f"{what}.{key} is not a string; ignored")
        return tuple(sorted(items))


def is_template(node: yaml.Node | None) -> bool:
    """`{{ x }}` unquoted parses as a flow mapping inside a flow mapping."""
    if isinstance(node, ScalarNode):
        return "{{" in node.value
    return isinstance(node, MappingNode) and node.flow_style and any(isinstance(k, MappingNode) for k, _ in node.value)


def is_null(node: yaml.Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL


def as_int(node: yaml.Node) -> int | None:
    if not isinstance(node, ScalarNode):
        return None
    text = node.value.replace("_", "")
    if node.tag != _INT and not text.isdigit():
        return None
    try:
        return int(text, 0) if text[:2].lower() in ("0x", "0o", "0b") else int(text, 10)
    except ValueError:
        return None


def fields_of(node: MappingNode) -> dict[str, yaml.Node]:
    """A mapping as key -> node. A repeated key takes its last value, as
    kubectl's client reads it (YAML and JSON alike).

    Merge keys (`<<`) take the keys of the mappings they name, depth first,
    earlier ones first, never overriding. Each merged mapping is read once:
    through aliases, a mapping can merge itself, or be reached along 2^n paths."""
    result: dict[str, yaml.Node] = {}
    read: set[int] = set()
    pending = [node]
    while pending:
        mapping = pending.pop()
        if id(mapping) in read:
            continue
        read.add(id(mapping))
        own: dict[str, yaml.Node] = {}
        merged: list[yaml.Node] = []
        for key, value in mapping.value:
            if not isinstance(key, ScalarNode):
                continue
            if key.tag == _MERGE:
                merged.extend(value.value if isinstance(value, SequenceNode) else [value])
            else:
                own[key.value] = value
        for k, v in own.items():
            result.setdefault(k, v)
        pending.extend(m for m in reversed(merged) if isinstance(m, MappingNode) and id(m) not in read)
    return result


def api_group(api_version: str | None) -> str | None:
    if api_version is None:
        return None
    return api_version.split("/", 1)[0] if "/" in api_version else ""


def label_selector(r: Reader, node: yaml.Node | None, what: str) -> LabelSelector:
    """A label selector; empty or null selects every pod."""
    f = r.mapping(node, what)
    requirements = []
    for i, _, e in r.mappings(f.get("matchExpressions"), f"{what}.matchExpressions"):
        key = r.string(e.get("key"), "key")
        operator = r.string(e.get("operator"), "operator")
        if key and operator in ("In", "NotIn", "Exists", "DoesNotExist"):
            requirements.append(Requirement(key, operator, r.strings(e.get("values"), "values")))
        elif key:
            r.warn(e.get("operator") or node, f"{what}.matchExpressions[{i}]: unknown operator {operator!r}; ignored")
    return LabelSelector(r.pairs(f.get("matchLabels"), f"{what}.matchLabels"), tuple(requirements))
