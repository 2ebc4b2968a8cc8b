"""Where the documents of a kustomize render come from.

A kustomization folder is rendered through a wrapping kustomization in a
temporary folder that asks for kustomize's origin annotations
(`buildMetadata: [originAnnotations]`): every rendered object then says, in
`config.kubernetes.io/origin`, which resource file it was read from (`path:`)
or which kustomization generated it (`configuredIn:`). Those files are read
here, while they exist (a `--git` render works in a temporary export), so that
the model can place each object, and each field, in its own file and line
(load/placement.py). Paths are kept relative to the rendered folder and
shown under the folder as the user gave it.

When the wrapped render fails (kustomize's error then names the temporary
folder), the folder is rendered as it is, and its objects point at its
kustomization file.
"""

from __future__ import annotations

import bisect
import os
import re
import tempfile
from dataclasses import dataclass, field
from typing import Callable

from svcdocs.errors import SvcdocsError

ORIGIN_ANNOTATION = "config.kubernetes.io/origin"
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
MAX_ORIGIN_BYTES = 64 * 1024 * 1024
# kustomize writes each object's keys sorted, two spaces a level: the origin
# is an annotation of the document's own metadata, never text inside a value
# (a ConfigMap's data cannot put `metadata:` at the start of a line).
_ORIGIN_PATHS = re.compile(
    rb"^metadata:\r?\n  annotations:\r?\n(?:    .*\r?\n)*?    config\.kubernetes\.io/origin: \|-?\r?\n"
    rb"((?:      \S.*(?:\r?\n|$))+)", re.MULTILINE)
_PATH_LINE = re.compile(rb"^      (?:path|configuredIn): (.+?)\r?$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Origins:
    """The files a render's objects come from. `files` maps a path as the
    origin annotation writes it to (the file's path from the rendered folder,
    its bytes); `kustomization` is the folder's own kustomization file."""

    folder: str  # the rendered folder, as the user gave it
    kustomization: str  # its kustomization file's name
    files: tuple[tuple[str, str, bytes], ...] = field(default=(), repr=False)  # (annotation path, from folder, bytes)

    def display(self, from_folder: str) -> str:
        """A path from the rendered folder, as the user would write it."""
        return os.path.normpath(os.path.join(self.folder, from_folder))

    @property
    def kustomization_path(self) -> str:
        return self.display(self.kustomization)

    def shown_files(self) -> tuple[str, ...]:
        """The files its objects may be placed at, as shown."""
        return (self.kustomization_path, *(self.display(from_folder) for _, from_folder, _ in self.files))


@dataclass(frozen=True, slots=True)
class ListedOrigins:
    """Where the objects of a kustomization that only lists files come from
    (load/listed.py): the files were joined into one stream; `starts` holds
    the 0-based line of the stream where each file begins, `files` the file
    shown for it."""

    folder: str
    starts: tuple[int, ...]
    files: tuple[str, ...]

    def place(self, line: int) -> tuple[str, int]:
        """(the file, the lines to add to a 1-based line of the stream to make its line in the file)."""
        i = bisect.bisect_right(self.starts, line - 1) - 1
        return self.files[i], -self.starts[i]

    def shown_files(self) -> tuple[str, ...]:
        """The files its objects may be placed at, as shown."""
        return self.files


def render_with_origins(folder: str, render: Callable[[str], bytes], root: str | None = None) -> tuple[bytes, Origins]:
    """Render `folder` (with `render(path)`, kustomize on a folder) so that each
    object carries its origin, and read the files the origins name: only those
    inside `root` (the repository), when given."""
    kustomization = next((k for k in KUSTOMIZATION_FILES if os.path.isfile(os.path.join(folder, k))),
                         KUSTOMIZATION_FILES[0])
    plain = Origins(folder, kustomization)
    with tempfile.TemporaryDirectory(prefix="svcdocs-origin-") as wrapper:
        target = os.path.relpath(os.path.realpath(folder), os.path.realpath(wrapper))
        with open(os.path.join(wrapper, "kustomization.yaml"), "w", encoding="utf-8") as f:
            f.write(f"resources:\n- {_quoted(target)}\nbuildMetadata: [originAnnotations]\n")
        try:
            data = render(wrapper)
        except SvcdocsError:  # the plain render says what is wrong, in the user's terms
            return render(folder), plain
        return data, Origins(folder, kustomization, tuple(_read_files(data, wrapper, folder, root)))


def _quoted(path: str) -> str:
    return '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _read_files(data: bytes, wrapper: str, folder: str, root: str | None):
    """Each distinct file the origin annotations name, read now: a render of
    `--git` works in a temporary export that is gone when the model reads.
    A file outside `root` is not read (its objects point at the kustomization)."""
    top = os.path.realpath(root) if root is not None else None
    seen: set[str] = set()
    for block in _ORIGIN_PATHS.finditer(data):
        for match in _PATH_LINE.finditer(block.group(1)):
            written = match.group(1).decode("utf-8", "replace").strip("'\"")
            if written in seen:
                continue
            seen.add(written)
            path = os.path.normpath(os.path.join(os.path.realpath(wrapper), written))
            real = os.path.realpath(path)
            if top is not None and real != top and not real.startswith(top.rstrip(os.sep) + os.sep):
                continue
            content = _read(path)
            if content is not None:
                yield written, os.path.relpath(path, os.path.realpath(folder)), content


def _read(path: str) -> bytes | None:
    if not os.path.isfile(path):
        return None  # a remote resource, or a file gone since
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_ORIGIN_BYTES + 1)
    except OSError:
        return None
    return data if len(data) <= MAX_ORIGIN_BYTES else None
