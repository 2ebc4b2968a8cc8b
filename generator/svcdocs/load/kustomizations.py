"""Kustomization files as discovery needs them: what each one includes.

A folder holding `kustomization.yaml`, `kustomization.yml` or `Kustomization`
is a kustomization root. Its `resources`, `bases` and `components` (and the
`generators`, `transformers` and `validators` that name folders) include other
roots; a root that no other includes is an entry kustomization, rendered on its
own. Each reference is classified here, without running anything: a folder or
file in the repository, a remote one (a URL, `git::`, `github.com/...`), or a
path that leaves the repository.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from svcdocs.load import composed
from svcdocs.load.sources import KUSTOMIZATIONS, Source

# Fields whose entries may name another kustomization folder.
INCLUDE_FIELDS = ("resources", "bases", "components", "generators", "transformers", "validators")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_HOSTED = re.compile(r"^(git@|git::|(github|gitlab|bitbucket)\.(com|org)/)")


@dataclass(frozen=True, slots=True)
class Reference:
    field: str  # resources, bases, components, ...
    value: str  # as written
    line: int  # in the kustomization file
    target: str | None  # the local path it names (normalized), None for a remote one
    remote: bool = False


@dataclass(frozen=True, slots=True)
class Kustomization:
    folder: str  # as walked
    file: str  # the kustomization file
    kind: str = "Kustomization"  # or Component, which only a kustomization can include
    references: tuple[Reference, ...] = ()
    name_prefix: str = ""
    name_suffix: str = ""
    namespace: str = ""

    @property
    def includes(self) -> tuple[Reference, ...]:
        return tuple(r for r in self.references if r.field in INCLUDE_FIELDS and r.target is not None)


def kustomization_file(folder: str) -> str | None:
    for name in KUSTOMIZATIONS:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def read_kustomization(folder: str, label: str) -> Kustomization:
    """The kustomization in `folder`; what cannot be read is left to kustomize
    to report when it renders the folder."""
    file = kustomization_file(folder) or os.path.join(folder, KUSTOMIZATIONS[0])
    shown = os.path.join(label, os.path.basename(file))
    found = next(composed.mappings(Source(label=shown, path=file)), None)
    if found is None:
        return Kustomization(folder, shown)
    node, offset = found
    references = []
    for field in INCLUDE_FIELDS:
        for value, line in composed.strings(composed.value(node, field)):
            references.append(_reference(folder, field, value, line + offset + 1))
    return Kustomization(
        folder, shown,
        kind=composed.scalar(composed.value(node, "kind")) or "Kustomization",
        references=tuple(references),
        name_prefix=composed.scalar(composed.value(node, "namePrefix")) or "",
        name_suffix=composed.scalar(composed.value(node, "nameSuffix")) or "",
        namespace=composed.scalar(composed.value(node, "namespace")) or "",
    )


def _reference(folder: str, field: str, value: str, line: int) -> Reference:
    if is_remote(value) and not os.path.exists(os.path.join(folder, value)):
        return Reference(field, value, line, None, remote=True)
    return Reference(field, value, line, os.path.normpath(os.path.join(folder, value)))


def is_remote(value: str) -> bool:
    """What kustomize would fetch: a URL (`https://`, `file://`, ...), `git::...`,
    `git@...`, `gh:...`, `github.com/...`, a `?ref=`, or a `repo//path`."""
    lowered = value.lower()
    return bool(_URL.match(value) or _HOSTED.match(lowered) or "?ref=" in lowered or "//" in value.lstrip("/")
                or lowered.startswith(("gh:", "ssh:", "https:", "http:", "file:")))


def escapes(target: str, repository: str) -> bool:
    """Whether a local path, symbolic links followed, lies outside the repository."""
    real = os.path.realpath(target)
    top = os.path.realpath(repository)
    return real != top and not real.startswith(top.rstrip(os.sep) + os.sep)
