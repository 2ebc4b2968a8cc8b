"""A kustomization that only lists files, read without running kustomize.

Most kustomizations at the leaves of a GitOps repository (an app's `app/`
folder that a Flux Kustomization points at) say no more than
`resources: [deployment.yaml, service.yaml]`. What kustomize renders of one
is exactly the objects of those files, unchanged; so svcdocs reads the files
itself, each object placed at its own file and line, and a repository of a
hundred apps costs a hundred reads, not a hundred kustomize processes.

Only when kustomize would render the files unchanged and without fail: the
kustomization has no field but `apiVersion`, `kind` and `resources`; each
resource is a local file (not a folder, not remote) inside the repository,
named once; every document of every file parses, is a mapping with an
`apiVersion`, a `kind` (not a list) and a `metadata.name`, and no two
objects share an identity; and nothing names kustomize's own annotations
(`config.kubernetes.io/local-config` drops an object) and no file holds a
list (`items:`). Anything else, or
anything unsure, is rendered by kustomize as before (`None` here).
"""

from __future__ import annotations

import os
import re

from yaml import MappingNode, ScalarNode, SequenceNode

from svcdocs.load import composed
from svcdocs.load.kustomizations import is_remote
from svcdocs.load.kustomize_check import kustomization_file
from svcdocs.load.origin import ListedOrigins
from svcdocs.load.sources import Source, display_path, inside
from svcdocs.load.yamldocs import MAX_FILE_BYTES, parse

KEYS = frozenset({"apiVersion", "kind", "resources"})
# Text that makes kustomize treat a document otherwise than as an object to pass on.
KUSTOMIZE_MARKERS = (b"config.kubernetes.io", b"kustomize.config.k8s.io")
# A list (`kind: List`, top-level `items:`), which kustomize takes apart in its own way.
_LIST = re.compile(rb'^items[ \t]*:|"items"[ \t]*:', re.MULTILINE)


def listed_source(folder: str, label: str, root: str) -> Source | None:
    """The kustomization in `folder` read as the files it lists (see the
    module's docstring), or None when kustomize must render it."""
    path = kustomization_file(folder)
    if path is None:
        return None
    files = _listed_files(folder, path, os.path.realpath(root))
    if files is None:
        return None
    chunks: list[bytes] = []
    starts: list[int] = []
    shown: list[str] = []
    line = 0
    identities: set[tuple[str, str, str, str]] = set()
    for real, display in files:
        data = _read(real)
        if data is None or not _plain_objects(data, display, identities):
            return None
        if not data.endswith(b"\n"):
            data += b"\n"
        starts.append(line)
        shown.append(display)
        chunks.append(data + b"---\n")
        line += data.count(b"\n") + 1
    data = b"".join(chunks)
    if len(data) > MAX_FILE_BYTES:
        return None
    return Source(label=label, data=data, size=len(data), origins=ListedOrigins(folder, tuple(starts), tuple(shown)))


def _listed_files(folder: str, kustomization: str, top: str) -> list[tuple[str, str]] | None:
    """(real path, path as shown) of each file the kustomization lists, when
    it lists only files and says nothing else."""
    roots = list(composed.mappings(Source(label=kustomization, path=kustomization)))
    if len(roots) != 1 or not isinstance(roots[0][0], MappingNode):
        return None
    node = roots[0][0]
    keys = [composed.scalar(k) for k, _ in node.value]
    if not set(keys) <= KEYS or len(keys) != len(set(keys)):
        return None
    if (composed.scalar(composed.value(node, "kind")) or "Kustomization") != "Kustomization":
        return None
    resources = composed.value(node, "resources")
    if not isinstance(resources, SequenceNode) or not resources.value:
        return None
    found: list[tuple[str, str]] = []
    for item in resources.value:
        entry = composed.scalar(item) if isinstance(item, ScalarNode) else None
        if not entry or is_remote(entry):
            return None
        local = os.path.join(folder, entry)
        real = os.path.realpath(local)
        if not os.path.isfile(real) or not inside(top, real) or any(real == r for r, _ in found):
            return None
        found.append((real, display_path(os.path.normpath(local))))
    return found


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    # a directive or a byte-order mark opens a stream: not one to join to another
    if len(data) > MAX_FILE_BYTES or data.startswith((b"%", b"\xef\xbb\xbf")) or any(m in data for m in KUSTOMIZE_MARKERS) \
            or _LIST.search(data):
        return None
    return data


def _plain_objects(data: bytes, display: str, identities: set[tuple[str, str, str, str]]) -> bool:
    """Whether every document of a file is an object kustomize passes on as
    it is, none with the identity of one before it."""
    parsed = parse(Source(label=display, data=data), kustomizations=True)  # a Flux Kustomization is an object
    if parsed.problems or parsed.skipped or not parsed.documents:
        return False
    for doc in parsed.documents:
        if doc.implied_kind is not None:  # an item of a list: kustomize takes the list apart its own way
            return False
        api = composed.scalar(composed.value(doc.node, "apiVersion"))
        kind = composed.scalar(composed.value(doc.node, "kind"))
        metadata = composed.value(doc.node, "metadata")
        name = composed.scalar(composed.value(metadata, "name"))
        namespace = composed.scalar(composed.value(metadata, "namespace")) or ""
        if not api or not kind or not name or kind.endswith("List"):
            return False
        identity = (api.rpartition("/")[0], kind, namespace, name)
        if identity in identities:
            return False
        identities.add(identity)
    return True
