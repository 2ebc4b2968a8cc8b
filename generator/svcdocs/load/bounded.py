"""Bounded reading of what a repository names: globs and generator parameters.

A pull request writes the patterns svcdocs expands (an ApplicationSet's git
directories, `environments:` in its config) and the folders they walk, links
too; and an ApplicationSet's list elements, aliases too. So:

- `glob` walks folders without ever following or matching a symbolic link
  (two links back to `..` made `**` walk exponentially many paths), each
  (folder, part of the pattern) once; `inside` confines it to a folder (the
  repository), where a pattern that climbs out (`apps/../../../*`) matches
  nothing;
- `plain_values` turns a mapping node into plain values, each node at most
  once along any path and no more than MAX_VALUES of them in all (an alias
  bomb of 1.4 KB made 2 GB of parameters).
"""

from __future__ import annotations

import fnmatch
import os
import re

from yaml import MappingNode, ScalarNode

MAX_VALUES = 10_000  # values of one generator element, aliases counted where they are used
MAX_DEPTH = 32
_MAGIC = re.compile(r"[*?\[]")
_NULL = "tag:yaml.org,2002:null"


# --- Globs ----------------------------------------------------------------------------------

def glob(pattern: str, start: str = ".", inside: str | None = None) -> list[str]:
    """The paths matching `pattern` (from `start` when relative; shown as
    `glob.glob` shows them: relative patterns give paths relative to `start`),
    sorted. `*`, `?` and `[...]` match within a name and never a leading dot;
    `**` as a whole part matches any number of folders. A symbolic link is
    never followed, nor matched. With `inside` (a real path), the folder the
    pattern starts from must lie inside it and a `..` part matches nothing."""
    absolute = os.path.isabs(pattern)
    parts = [p for p in pattern.split("/") if p not in ("", ".")]
    if inside is not None and ".." in parts:
        return []
    fixed: list[str] = []
    while parts and not _MAGIC.search(parts[0]) and parts[0] != "**":
        fixed.append(parts.pop(0))
    base = os.path.join(os.sep if absolute else start, *fixed)
    if not os.path.lexists(base) or (not absolute and _has_link(start, fixed)):
        return []
    if inside is not None and not _within(inside, os.path.realpath(base)):
        return []
    found = _match(base, parts)
    shown = os.path.join(os.sep if absolute else "", *fixed)
    return sorted(os.path.join(shown, os.path.relpath(p, base)) if p != base else (shown or ".") for p in found)


def start_of(pattern: str) -> str:
    """The folder a glob starts from: its parts before the first wildcard."""
    parts = pattern.split("/")
    fixed = []
    for part in parts:
        if _MAGIC.search(part) or part == "**":
            break
        fixed.append(part)
    return "/".join(fixed) or ("/" if pattern.startswith("/") else ".")


def _has_link(top: str, parts: list[str]) -> bool:
    """Whether a name of a relative pattern's fixed part is a link (where it
    starts is the user's: the working directory, the repository; so is an
    absolute pattern, which a user wrote)."""
    current = top
    for part in parts:
        current = os.path.join(current, part)
        if part != ".." and os.path.islink(current):
            return True
    return False


def _match(base: str, parts: list[str]) -> list[str]:
    found: list[str] = []
    seen: set[tuple[str, int]] = set()
    pending = [(base, 0)]
    while pending:
        path, i = pending.pop()
        if (path, i) in seen:
            continue
        seen.add((path, i))
        if i == len(parts):
            found.append(path)
            continue
        part = parts[i]
        if part == "**":  # this folder, and each folder below (and, last, each file below)
            pending.append((path, i + 1))
            for entry in _entries(path):
                if entry.name.startswith(".") or entry.is_symlink():
                    continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, i))
                elif i + 1 == len(parts):
                    pending.append((entry.path, i + 1))
        elif not _MAGIC.search(part):
            candidate = os.path.join(path, part)
            if os.path.lexists(candidate) and not os.path.islink(candidate):
                pending.append((candidate, i + 1))
        else:
            pending += [(entry.path, i + 1) for entry in _entries(path)
                        if fnmatch.fnmatchcase(entry.name, part) and not entry.is_symlink()
                        and (part.startswith(".") or not entry.name.startswith("."))]
    return list(dict.fromkeys(found))


def _entries(path: str) -> list[os.DirEntry]:
    try:
        with os.scandir(path) as scan:
            return list(scan)
    except OSError:  # not a folder, or not readable: it matches nothing below
        return []


def _within(folder: str, path: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


# --- Generator parameters ---------------------------------------------------------------------

class TooLarge(Exception):
    """Parameters beyond the limits."""


def plain_values(node: MappingNode) -> dict:
    """A mapping of scalars and mappings (an ApplicationSet list element) as
    plain values: strings and dicts, other values left out. TooLarge past
    MAX_VALUES values (aliases counted each time they are used) or MAX_DEPTH
    levels."""
    budget = [MAX_VALUES]

    def mapping(current: MappingNode, depth: int) -> dict:
        if depth > MAX_DEPTH:
            raise TooLarge(f"nested more than {MAX_DEPTH} levels deep")
        values: dict = {}
        for k, v in current.value:
            budget[0] -= 1
            if budget[0] < 0:
                raise TooLarge(f"more than {MAX_VALUES:,} values")
            if not isinstance(k, ScalarNode):
                continue
            if isinstance(v, MappingNode):
                values[k.value] = mapping(v, depth + 1)
            elif isinstance(v, ScalarNode) and not (v.tag == _NULL and v.value in ("", "~", "null", "Null", "NULL")):
                values[k.value] = v.value
        return values

    return mapping(node, 0)

