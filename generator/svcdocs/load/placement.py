"""Place the objects of a kustomize render in their source files.

The model places every object it reads (model/); discovery places the GitOps
pointers it finds in a render the same way (`Locator`, load/gitops.py), so a
Flux Kustomization or an Argo CD Application read through a kustomization is
said at the file and line a person edits, never at a line of svcdocs's render.

kustomize's origin annotation names the file an object was read from
(load/origin.py reads those files). The object is found in that file by kind
and name (kustomize may have added a name prefix or suffix, or a patch may
have changed the kind), and each field of the rendered object is mapped to the
same field of the file's: the YAML path of keys, with list items matched by
their `name` where they have one, else by position. A field that the file does
not have (a patch added it) takes the line of its nearest ancestor that the
file has. An object whose origin is not a file that could be read (generated
by the kustomization, or from a remote base) points at the kustomization that
made it, line 1: never at a path that does not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from yaml import MappingNode, ScalarNode, SequenceNode

from svcdocs.load import Document, Source, parse
from svcdocs.load.helm.origins import ChartOrigins
from svcdocs.load.origin import ORIGIN_ANNOTATION, ListedOrigins, Origins

_ORIGIN_LINE = re.compile(r"^\s*(path|configuredIn):\s*(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Placement:
    """The file an object is shown in, and the line of each of its nodes there."""

    file: str
    line: int  # the object's first line, and the line of any node not mapped
    lines: dict[int, int] | None = None  # id(rendered node) -> line in `file`
    shift: int | None = None  # or: every node's line in `file` is its 0-based line read plus this

    def line_of(self, node: yaml.Node) -> int:
        if self.shift is not None:
            return node.start_mark.line + self.shift
        if self.lines is None:
            return self.line
        return self.lines.get(id(node), self.line)


class Locator:
    """Where a document of one source, or a node in it, is in the file a person
    edits: for a kustomize or helm render, where its origin says; else the
    source's own file and line. Each origin file is parsed once per source."""

    def __init__(self, source: Source):
        self.label = source.label
        self.placer = placer_of(source.origins) if source.origins is not None else None

    def __call__(self, node: MappingNode, offset: int, part: yaml.Node | None = None) -> tuple[str, int]:
        """(file, line) of the document `node` (composed at `offset`), or of its node `part`."""
        doc = Document(self.label, node, offset)
        if self.placer is None:
            return self.label, doc.line_of(part) if part is not None else doc.line
        placement = self.placer.place(doc)
        return placement.file, placement.line_of(part) if part is not None else placement.line


def placer_of(origins: Origins | ChartOrigins | ListedOrigins) -> Placer | ChartPlacer | ListedPlacer:
    """The placer of a render: kustomize's origin annotations, helm's `# Source:` lines,
    or the files of a kustomization that only lists files (load/listed.py)."""
    if isinstance(origins, ListedOrigins):
        return ListedPlacer(origins)
    return ChartPlacer(origins) if isinstance(origins, ChartOrigins) else Placer(origins)


class ListedPlacer:
    """Places the documents of a kustomization's files, read as they are, at their own lines."""

    def __init__(self, origins: ListedOrigins):
        self.origins = origins

    def place(self, doc: Document) -> Placement:
        file, shift = self.origins.place(doc.line)
        return Placement(file, doc.line + shift, shift=doc.offset + 1 + shift)


class ChartPlacer:
    """Places the objects of a `helm template` at their templates."""

    def __init__(self, origins: ChartOrigins):
        self.origins = origins

    def place(self, doc: Document) -> Placement:
        kind = _scalar(_at(doc.node, "kind")) or ""
        file, line = self.origins.place(doc.line, kind)
        return Placement(file, line)


class Placer:
    """Places the documents of one render; each origin file is parsed once."""

    def __init__(self, origins: Origins):
        self.origins = origins
        self.files = {written: (from_folder, data) for written, from_folder, data in origins.files}
        self.parsed: dict[str, list[Document]] = {}

    def place(self, doc: Document) -> Placement:
        origin = _origin(doc.node)
        path = origin.get("path")
        if path is not None and path in self.files:
            from_folder, _ = self.files[path]
            file = self.origins.display(from_folder)
            source = self._documents(path, file)
            found = _counterpart(doc.node, source)
            if found is None:
                return Placement(file, 1)
            return Placement(file, found.line, _map_lines(doc.node, found))
        made_in = origin.get("configuredIn")
        if made_in is not None and made_in in self.files:
            return Placement(self.origins.display(self.files[made_in][0]), 1)
        return Placement(self.origins.kustomization_path, 1)

    def _documents(self, path: str, file: str) -> list[Document]:
        if path not in self.parsed:
            # every document: a Flux Kustomization shares its kind with kustomize's own files
            self.parsed[path] = parse(Source(label=file, data=self.files[path][1]), kustomizations=True).documents
        return self.parsed[path]


def _origin(root: MappingNode) -> dict[str, str]:
    """The origin annotation's fields (`path`, `configuredIn`), if any."""
    annotations = _at(_at(root, "metadata"), "annotations")
    value = _at(annotations, ORIGIN_ANNOTATION)
    if not isinstance(value, ScalarNode):
        return {}
    return {key: path.strip("'\"") for key, path in _ORIGIN_LINE.findall(value.value[:4096])}


def _at(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if isinstance(k, ScalarNode) and k.value == key:
                return v
    return None


def _scalar(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, ScalarNode) else None


def _counterpart(rendered: MappingNode, documents: list[Document]) -> Document | None:
    """The document of the file the rendered object comes from: same kind and
    name; else a name that the rendered one contains (a prefix or suffix was
    added); else the same name (a patch changed the kind: then the document
    whose fields the rendered one shares most); else the only one."""
    kind = _scalar(_at(rendered, "kind"))
    name = _scalar(_at(_at(rendered, "metadata"), "name")) or ""
    candidates = []
    for doc in documents:
        their_name = _scalar(_at(_at(doc.node, "metadata"), "name")) or ""
        same_kind = _scalar(_at(doc.node, "kind")) == kind
        if their_name == name:
            rank = 0 if same_kind else 2
        elif their_name and their_name in name:
            rank = 1 if same_kind else 3
        else:
            continue
        candidates.append((rank, -len(their_name), -_shared(rendered, doc.node), doc))
    if candidates:
        return min(candidates, key=lambda c: c[:3])[3]
    return documents[0] if len(documents) == 1 else None


def _shared(rendered: yaml.Node, theirs: yaml.Node, depth: int = 3) -> int:
    """How many keys, down to `depth` levels, the two mappings share."""
    if depth == 0 or not isinstance(rendered, MappingNode) or not isinstance(theirs, MappingNode):
        return 0
    keyed = {k.value: v for k, v in theirs.value if isinstance(k, ScalarNode)}
    count = 0
    for key, value in rendered.value:
        if isinstance(key, ScalarNode) and key.value in keyed:
            count += 1 + _shared(value, keyed[key.value], depth - 1)
    return count


def _map_lines(rendered: yaml.Node, origin: Document) -> dict[int, int]:
    """Each rendered node's line in the origin document, walking both trees
    together (iteratively: documents nest up to a thousand levels)."""
    lines: dict[int, int] = {}
    stack: list[tuple[yaml.Node, yaml.Node | None, int]] = [(rendered, origin.node, origin.line)]
    while stack:
        node, theirs, inherited = stack.pop()
        line = origin.line_of(theirs) if theirs is not None else inherited
        lines[id(node)] = line
        if isinstance(node, MappingNode):
            keyed = {k.value: (k, v) for k, v in theirs.value if isinstance(k, ScalarNode)} \
                if isinstance(theirs, MappingNode) else {}
            for key, value in node.value:
                their_key, their_value = keyed.get(key.value, (None, None)) if isinstance(key, ScalarNode) else (None, None)
                key_line = origin.line_of(their_key) if their_key is not None else inherited
                lines[id(key)] = key_line
                stack.append((value, their_value, key_line))
        elif isinstance(node, SequenceNode):
            items = theirs.value if isinstance(theirs, SequenceNode) else []
            named = {_scalar(_at(item, "name")): item for item in items if _scalar(_at(item, "name"))}
            for i, item in enumerate(node.value):
                item_name = _scalar(_at(item, "name"))
                match = named.get(item_name) if item_name else (items[i] if i < len(items) and not named else None)
                stack.append((item, match, inherited))
    return lines
