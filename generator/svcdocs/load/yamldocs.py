"""Parse one source into composed YAML documents, with problems for the rest.

Documents are *composed* (libyaml's C parser builds nodes that carry their
line), never constructed: the model takes only the fields it needs from the
nodes, so Secret and ConfigMap data are never even turned into Python values,
and a YAML tag can never run code.

A parse error loses only the document it is in: the stream is parsed again one
document at a time, and every other document still loads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import yaml

from svcdocs.load.problems import Problem
from svcdocs.load.sources import Source

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Kustomize's own configuration documents, skipped wherever they are met.
KUSTOMIZE_KINDS = frozenset({"Kustomization", "Component"})
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DOCUMENTS = 100_000
MAX_DEPTH = 1000  # libyaml's own limit on nesting
# A composed node costs some 300 bytes, whatever its text: a flow mapping of
# short keys costs 65 times its size. Past this many nodes in one file, it is
# not composed (some 350 MB; cert-manager's release, 1 MB with its CRDs, is
# 17,000 nodes).
MAX_NODES = 1_000_000
_DEPTH_REASON = f"nested more than {MAX_DEPTH} levels deep; not read (a limit against hostile input)"
_DOC_START = re.compile(r"^---(?=[ \t\r\n]|$)", re.MULTILINE)
_NULL = "tag:yaml.org,2002:null"


@dataclass(frozen=True, slots=True)
class Document:
    """A composed mapping; node lines plus `offset` are 0-based file lines."""

    file: str
    node: yaml.MappingNode
    offset: int = 0
    # An item of a typed list (`PodList`, `NamespaceList`...) may leave out its
    # kind and apiVersion: the list's say what it is.
    implied_kind: str | None = None
    implied_api_version: str | None = None

    @property
    def line(self) -> int:
        return self.node.start_mark.line + self.offset + 1

    def line_of(self, node: yaml.Node) -> int:
        return node.start_mark.line + self.offset + 1


@dataclass(slots=True)
class Parsed:
    file: str
    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0
    seen: int = 0

    def problem(self, line: int, reason: str) -> None:
        self.seen += 1
        self.problems.append(Problem(self.file, line, reason))


def parse(source: Source, kustomizations: bool = False) -> Parsed:
    """Read and parse one source; kustomize's own documents are skipped unless
    `kustomizations` (when load.renderer checks them)."""
    parsed = Parsed(source.label)
    if source.problems:  # a render that was refused: only its reasons, at their own files
        parsed.problems.extend(source.problems)
        parsed.seen += len(source.problems)
        return parsed
    try:
        raw = source.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        parsed.problem(1, f"cannot read: {e.strerror or e}")
        return parsed
    text, bad_lines = _decode(raw, parsed)
    if text is None:
        return parsed
    if too_many_nodes(text):
        parsed.problem(1, f"more than {MAX_NODES:,} YAML nodes in one file; not read (a limit against hostile input)")
        return parsed
    try:
        roots = [(node, 0) for node in _compose(text)]
    except (yaml.YAMLError, RecursionError):
        roots = list(_compose_each(text, parsed))
    for node, offset in roots:
        if len(parsed.documents) + len(parsed.problems) >= MAX_DOCUMENTS:
            parsed.problem(node.start_mark.line + offset + 1,
                           f"more than {MAX_DOCUMENTS} documents in one file; the rest is not read")
            break
        _add_root(parsed, node, offset, bad_lines, source.tool_config and not kustomizations, kustomizations)
    return parsed


def too_many_nodes(text: str) -> bool:
    """Whether composing `text` would make more than MAX_NODES nodes. Nodes
    are separated by a comma, a colon or a line break (nesting is limited to
    MAX_DEPTH): when those are few, so are the nodes; else they are counted
    from the parser's events, which cost no memory."""
    separators = sum(text.count(c) for c in (",", ":", "\n", "[", "{"))
    if separators <= MAX_NODES:
        return False
    loader = Loader(text)
    nodes = 0
    try:
        while loader.check_event():
            if isinstance(loader.get_event(), (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                nodes += 1
                if nodes > MAX_NODES:
                    return True
    except (yaml.YAMLError, RecursionError):
        return False  # composing says what is wrong, document by document
    finally:
        loader.dispose()
    return False


def in_hand(source: Source) -> Source:
    """The source with its bytes read as `parse` reads them, so that they are
    read once; as it is when they cannot be read (`parse` then says why) or
    when it is a refused render."""
    if source.data is not None or source.problems:
        return source
    try:
        data = source.read(MAX_FILE_BYTES + 1)
    except OSError:
        return source
    return replace(source, data=data, size=len(data))


def _decode(raw: bytes, parsed: Parsed) -> tuple[str | None, frozenset[int]]:
    if len(raw) > MAX_FILE_BYTES:
        limit = f"{MAX_FILE_BYTES // 2**20} MiB" if MAX_FILE_BYTES >= 2**20 else f"{MAX_FILE_BYTES} bytes"
        parsed.problem(1, f"file is larger than {limit}; not read (a limit against hostile input)")
        return None, frozenset()
    nul = raw.find(b"\0")
    if nul >= 0:
        parsed.problem(raw.count(b"\n", 0, nul) + 1, "binary data (a NUL byte), not YAML or JSON")
        return None, frozenset()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), frozenset()
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), _invalid_utf8_lines(raw)


def _invalid_utf8_lines(raw: bytes) -> frozenset[int]:
    lines, pos = set(), 0
    while True:
        try:
            raw[pos:].decode("utf-8")
            return frozenset(lines)
        except UnicodeDecodeError as e:
            at = pos + e.start
            lines.add(raw.count(b"\n", 0, at) + 1)
            pos = pos + max(e.end, e.start + 1)


def _compose(text: str):
    loader = Loader(text)
    try:
        while loader.check_node():
            yield loader.get_node()
    finally:
        loader.dispose()


def _compose_each(text: str, parsed: Parsed):
    """The slow path after an error: one `---` chunk at a time."""
    starts = [m.start() for m in _DOC_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    starts.append(len(text))
    for begin, end in zip(starts, starts[1:]):
        chunk = text[begin:end]
        offset = text.count("\n", 0, begin)
        try:
            nodes = list(_compose(chunk))
        except RecursionError:  # the pure-Python parser, without libyaml's depth limit
            parsed.problem(offset + 1, _DEPTH_REASON)
            continue
        except yaml.YAMLError as e:
            nodes = _recover(chunk)
            if nodes is None:
                parsed.problem(_error_line(e, chunk) + offset, _yaml_reason(e, chunk))
                continue
        for node in nodes:
            yield node, offset


def _recover(chunk: str):
    """kubectl accepts trailing tabs after a value; PyYAML's pure loader does not."""
    cleaned = strip_trailing_blanks(chunk)
    if cleaned == chunk:
        return None
    try:
        return list(_compose(cleaned))
    except yaml.YAMLError:
        return None


def strip_trailing_blanks(text: str) -> str:
    """Blanks at the end of each line (before a CR, too) removed, line by line:
    a regular expression that looks ahead for the line's end from every blank
    takes time quadratic in a run of blanks."""
    return "\n".join(line[:-1].rstrip(" \t") + "\r" if line.endswith("\r") else line.rstrip(" \t")
                     for line in text.split("\n"))


def _error_line(error: yaml.YAMLError, chunk: str) -> int:
    if _is_template(chunk):
        return chunk.count("\n", 0, chunk.find("{{")) + 1
    mark = getattr(error, "problem_mark", None)
    context = getattr(error, "context_mark", None)
    if context is not None and (mark is None or mark.index >= len(chunk.rstrip())):
        mark = context  # an error at the end of input: where the unclosed thing began
    if mark is not None:
        last_content_line = chunk.count("\n", 0, len(chunk.rstrip())) + 1
        return min(mark.line + 1, last_content_line)
    position = getattr(error, "position", None)
    if isinstance(position, int):
        return chunk.count("\n", 0, position) + 1
    return 1


def _yaml_reason(error: yaml.YAMLError, chunk: str) -> str:
    if _is_template(chunk):
        return "unrendered Helm template ({{ }}); render it first: helm template CHART | svcdocs <command> -"
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    if problem and "maximum nesting depth" in problem:
        return _DEPTH_REASON
    if problem is None:
        problem = str(error).splitlines()[0]
    problem, context = _without_names(problem), _without_names(context)
    return f"invalid YAML: {problem}" + (f" ({context})" if context else "")


def _without_names(message: str | None) -> str | None:
    """PyYAML's pure-Python parser quotes the alias or anchor it trips on, and
    such a name can be anything, a secret too; libyaml's messages name none."""
    for start in ("found undefined alias", "found duplicate anchor"):
        if message and message.startswith(start):
            return start + ("; first occurrence" if message.endswith("; first occurrence") else "")
    return message


def _is_template(chunk: str) -> bool:
    return "{{" in chunk and "}}" in chunk


def _add_root(parsed: Parsed, node: yaml.Node, offset: int, bad_lines: frozenset[int], tool_config: bool,
              kustomizations: bool = False) -> None:
    line = node.start_mark.line + offset + 1
    if isinstance(node, yaml.ScalarNode) and node.tag == _NULL and not node.value.strip("~"):
        return  # an empty or comment-only document is not a document
    if bad_lines:
        last = node.end_mark.line + offset + 1
        bad = sorted(n for n in bad_lines if line <= n <= last)
        if bad:
            parsed.problem(bad[0], "invalid UTF-8")
            return
    if not isinstance(node, yaml.MappingNode):
        parsed.problem(line, f"not a mapping but a YAML {_shape(node)}; a manifest is a mapping with a kind")
        return
    kind = _scalar_at(node, "kind")
    if (kind in KUSTOMIZE_KINDS and not kustomizations) or (kind is None and tool_config
                                                              and _value_at(node, "kind") is None):
        parsed.skipped += 1  # a tool's configuration, which kubectl would not apply either
    elif _value_at(node, "items") is not None:  # a list to kubectl, whatever its kind
        _add_items(parsed, node, offset)
    else:
        parsed.seen += 1
        parsed.documents.append(Document(parsed.file, node, offset))


def _add_items(parsed: Parsed, node: yaml.MappingNode, offset: int) -> None:
    """kubectl decodes any document with a top-level `items` as a list and
    applies its items, whatever the document's kind (a `kind: ConfigMap`
    too): so are they read here."""
    items = _value_at(node, "items")
    if isinstance(items, yaml.ScalarNode) and items.tag == _NULL:
        parsed.skipped += 1  # an empty list: kubectl applies nothing
        return
    if not isinstance(items, yaml.SequenceNode):
        parsed.problem(items.start_mark.line + offset + 1, "List items is not a sequence")
        return
    list_kind = _scalar_at(node, "kind") or "List"
    implied_kind = list_kind.removesuffix("List") or None  # `PodList` holds Pods; `List`, anything
    implied_api_version = _scalar_at(node, "apiVersion") if implied_kind else None
    for item in items.value:
        if isinstance(item, yaml.MappingNode):
            parsed.seen += 1
            parsed.documents.append(Document(parsed.file, item, offset, implied_kind, implied_api_version))
        else:
            parsed.problem(item.start_mark.line + offset + 1,
                           f"List item is not a mapping but a YAML {_shape(item)}")


def _value_at(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    """The value of `key`; the last one when it is repeated, as kubectl reads it."""
    found = None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            found = v
    return found


def _scalar_at(node: yaml.MappingNode, key: str) -> str | None:
    value = _value_at(node, key)
    return value.value if isinstance(value, yaml.ScalarNode) else None


def _shape(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "sequence"
    return "null" if node.tag == _NULL else "scalar"
