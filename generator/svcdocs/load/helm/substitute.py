"""Flux post-build substitution, applied as kustomize-controller applies it.

A Flux Kustomization's `spec.postBuild` names variables: `substituteFrom`
(ConfigMaps and Secrets of its namespace, in order, later ones winning; one
that is missing is an error unless `optional`) and `substitute` (inline,
winning over both). When there is at least one variable, every object of the
Kustomization's output is substituted, unless a label or annotation
`kustomize.toolkit.fluxcd.io/substitute: disabled` says not to: `${VAR}`,
`${VAR:=default}` (and `:-`, `=`, `:+`), `${VAR:offset:length}`, `${#VAR}`,
`${VAR^^}`, `${VAR,,}`, `${VAR/from/to}`; `$${VAR}` is a literal `${VAR}`,
and a plain `$VAR` is left alone. A variable without a value becomes empty,
as Flux makes it: svcdocs names it (the environment's page lists it).

Variables' values (a Secret's too) go into the manifests svcdocs reads, as
they go into the cluster; svcdocs shows them only where a manifest field it
shows holds them (a host, a name), as Flux would have deployed them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Iterable

from yaml import MappingNode

from svcdocs.load import composed
from svcdocs.load.helm.values import DataIndex
from svcdocs.load.origin import ListedOrigins, Origins
from svcdocs.load.sources import Source
from svcdocs.load.yamldocs import _DOC_START

DISABLED = "kustomize.toolkit.fluxcd.io/substitute"
_NAME = re.compile(r"[_A-Za-z][_A-Za-z0-9]*")
MAX_DEPTH = 16  # ${A:=${B:=${C}}}: nesting kept small


@dataclass(frozen=True, slots=True)
class SubstituteFrom:
    kind: str  # ConfigMap | Secret
    name: str
    optional: bool = False


@dataclass(frozen=True, slots=True)
class PostBuild:
    """A Flux Kustomization's `spec.postBuild`."""

    kustomization: str  # its title, for what is said
    namespace: str  # where substituteFrom is looked up
    inline: tuple[tuple[str, str], ...] = ()
    sources: tuple[SubstituteFrom, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.inline or self.sources)


@dataclass(frozen=True, slots=True)
class Unset:
    """A variable used without a value: Flux substitutes the empty string."""

    name: str
    file: str
    line: int
    kustomization: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: ${{{self.name}}} has no value in {self.kustomization} (Flux makes it empty)"


@dataclass
class Variables:
    """The variables of one Kustomization, and what was said about them."""

    values: dict[str, str]
    kustomization: str
    missing: list[str] = field(default_factory=list)  # substituteFrom entries not found
    unset: list[Unset] = field(default_factory=list)


def variables(post_build: PostBuild, index: DataIndex) -> Variables:
    found = Variables({}, post_build.kustomization)
    for entry in post_build.sources:
        present, data = index.get(entry.kind, post_build.namespace, entry.name)
        if not present:
            if not entry.optional:
                found.missing.append(f"{entry.kind} {entry.name}: not in this environment")
            continue
        if data is None:
            found.missing.append(f"{entry.kind} {entry.name}: encrypted (SOPS); its values are not known here")
            continue
        found.values.update({k: v.replace("\n", "") for k, v in data.items()})
    found.values.update({k: v.replace("\n", "") for k, v in post_build.inline})
    return found


def substitute_source(source: Source, found: Variables) -> Source:
    """The source with its objects substituted (when there are variables at all,
    as Flux does); the unset variables are added to `found.unset`."""
    if not found.values and not found.missing:
        return source
    try:
        data = source.read()
    except OSError:
        return source
    if b"${" not in data:
        return source
    text = data.decode("utf-8", "replace")
    pieces = []
    offset = 0  # lines before the current document
    for chunk in _documents(text):
        pieces.append(chunk if _disabled(chunk) else _substitute_text(chunk, found, source.label, offset))
        offset += chunk.count("\n")
    if source.origins is not None and found.unset:
        found.unset[:] = [_at_origin(u, source) if u.file == source.label else u for u in found.unset]
    new = "".join(pieces).encode("utf-8")
    return Source(label=source.label, path=None, data=new, size=len(new), tool_config=source.tool_config,
                  problems=source.problems, origins=source.origins)


def _at_origin(unset: Unset, source: Source) -> Unset:
    """A variable met in a kustomize render, at the file it comes from (the
    first that uses it), as the objects are placed (load/origin.py)."""
    if isinstance(source.origins, ListedOrigins):  # the listed files, joined: the stream's line says which
        file, shift = source.origins.place(unset.line)
        return replace(unset, file=file, line=unset.line + shift)
    files = source.origins.files if isinstance(source.origins, Origins) else ()
    needle = ("${" + unset.name).encode()
    for _, from_folder, data in files:
        at = data.find(needle)
        if at >= 0:
            return replace(unset, file=source.origins.display(from_folder), line=data.count(b"\n", 0, at) + 1)
    return unset


def _documents(text: str) -> list[str]:
    starts = [m.start() for m in _DOC_START.finditer(text)]
    bounds = [0] + [s for s in starts if s > 0] + [len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]


def _disabled(chunk: str) -> bool:
    if DISABLED not in chunk:
        return False
    for node, _ in composed.mappings(Source(label="", data=chunk.encode("utf-8"))):
        meta = composed.value(node, "metadata")
        for field_name in ("labels", "annotations"):
            if composed.scalar(composed.value(composed.value(meta, field_name), DISABLED)) == "disabled":
                return True
    return False


def _substitute_text(text: str, found: Variables, file: str, offset: int) -> str:
    out: list[str] = []
    i = 0
    line = offset + 1
    while i < len(text):
        j = text.find("$", i)
        if j < 0:
            out.append(text[i:])
            break
        out.append(text[i:j])
        line += text.count("\n", i, j)
        if text.startswith("$${", j):
            out.append("${")
            i = j + 3
        elif text.startswith("${", j):
            comment = text.rfind("\n", 0, j) + 1
            in_comment = text[comment:j].lstrip().startswith("#")
            value, end = _expression(text, j + 2, found, file, line, 0, in_comment)
            if end < 0:  # not a substitution Flux reads: left as it is
                out.append("${")
                i = j + 2
            else:
                out.append(value)
                i = end
        else:
            out.append("$")
            i = j + 1
    return "".join(out)


def _expression(text: str, i: int, found: Variables, file: str, line: int, depth: int,
                quiet: bool) -> tuple[str, int]:
    """The value of `${...}` whose body starts at `i`, and where it ends (-1: not one)."""
    if depth > MAX_DEPTH:
        return "", -1
    if text.startswith("#", i):
        name = _NAME.match(text, i + 1)
        if name is None or not text.startswith("}", name.end()):
            return "", -1
        return str(len(found.values.get(name.group(), ""))), name.end() + 1
    name = _NAME.match(text, i)
    if name is None:
        return "", -1
    var, i = name.group(), name.end()
    value = found.values.get(var)
    current = value or ""
    if text.startswith("}", i):
        if value is None and not quiet:
            found.unset.append(Unset(var, file, line, found.kustomization))
        return current, i + 1
    for op in (":=", ":-", ":+", ":?", "="):
        if text.startswith(op, i):
            word, end = _word(text, i + len(op), found, file, line, depth, quiet)
            if end < 0:
                return "", -1
            if op == ":+":
                return (word if current else ""), end
            if op == ":?" and not current and not quiet:
                found.unset.append(Unset(var, file, line, found.kustomization))
            return (current or (word if op != ":?" else "")), end
    for op, func in (("^^", str.upper), (",,", str.lower)):
        if text.startswith(op + "}", i):
            return func(current), i + 3
    if text.startswith("^}", i):
        return current[:1].upper() + current[1:], i + 2
    if text.startswith(",}", i):
        return current[:1].lower() + current[1:], i + 2
    if text.startswith(":", i):
        match = re.compile(r":(-?\d+)(?::(-?\d+))?}").match(text, i)
        if match is None:
            return "", -1
        start = int(match.group(1))
        start = max(0, len(current) + start) if start < 0 else start
        part = current[start:] if match.group(2) is None else current[start:start + int(match.group(2))]
        return part, match.end()
    if text.startswith("/", i):
        match = re.compile(r"/(/?)([^/}]*)(?:/([^}]*))?}").match(text, i)
        if match is None:
            return "", -1
        count = -1 if match.group(1) else 1
        return current.replace(match.group(2), match.group(3) or "", count) if match.group(2) else current, \
            match.end()
    return "", -1


def _word(text: str, i: int, found: Variables, file: str, line: int, depth: int,
          quiet: bool) -> tuple[str, int]:
    """A default's text up to its `}`, with `${...}` inside expanded."""
    out: list[str] = []
    while i < len(text):
        if text[i] == "}":
            return "".join(out), i + 1
        if text.startswith("${", i):
            value, end = _expression(text, i + 2, found, file, line, depth + 1, quiet)
            if end < 0:
                return "", -1
            out.append(value)
            i = end
            continue
        if text[i] == "\n":
            return "", -1
        out.append(text[i])
        i += 1
    return "", -1


def post_build_of(node: MappingNode | None, title: str, namespace: str) -> PostBuild:
    """`spec.postBuild` of a Flux Kustomization (its spec node)."""
    post = composed.value(node, "postBuild")
    pairs = composed.value(post, "substitute")
    inline = tuple((composed.scalar(k) or "", composed.scalar(v) or "")
                   for k, v in (pairs.value if isinstance(pairs, MappingNode) else ())
                   if _NAME.fullmatch(composed.scalar(k) or ""))
    sources = tuple(SubstituteFrom(composed.scalar(composed.value(s, "kind")) or "",
                                   composed.scalar(composed.value(s, "name")) or "",
                                   composed.scalar(composed.value(s, "optional")) in ("true", "True"))
                    for s in composed.items(composed.value(post, "substituteFrom")))
    return PostBuild(title, namespace, inline, tuple(s for s in sources if s.kind in ("ConfigMap", "Secret")
                                                     and s.name))
