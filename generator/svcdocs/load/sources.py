"""Sources, and what load says about how it read the PATH arguments.

A source is a file to read, or bytes already in hand (stdin, or the output of
`kubectl kustomize` / `helm template` for a PATH that holds a kustomization or a
chart). `load.discover` turns PATH arguments into sources.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from typing import TYPE_CHECKING

from svcdocs.load.exclude import Excludes, other_tool
from svcdocs.load.problems import Problem, Unread
from svcdocs.state.site import MARKER as SITE_MARKER  # noqa: F401 (what marks a site svcdocs built)

if TYPE_CHECKING:
    from svcdocs.load.helm.origins import ChartOrigins
    from svcdocs.load.origin import ListedOrigins, Origins

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")
CHARTS = ("Chart.yaml",)
# Configuration of the tools that render manifests, not manifests themselves:
# their documents without a kind are skipped and counted, not problems.
TOOL_CONFIG_FILES = frozenset(KUSTOMIZATIONS + ("Chart.yaml", "Chart.yml", "values.yaml", "values.yml"))
RENDERERS = ("kustomize", "helm")
DEFAULT_RENDER = frozenset({"kustomize"})
STDIN = "-"


@dataclass(frozen=True, slots=True)
class Source:
    """One input stream: `label` is the file name shown to the user.

    `tool_config`: a hidden file or a tool's configuration file, where a
    document without a kind is configuration (skipped and counted), not a
    problem. `problems`: a render that was refused, reported instead of read."""

    label: str
    path: str | None = None
    data: bytes | None = None
    size: int = 0
    tool_config: bool = False
    problems: tuple[Problem, ...] = ()
    origins: Origins | ChartOrigins | ListedOrigins | None = None  # a render: where its objects come from

    def read(self, limit: int = -1) -> bytes:
        """The bytes, or the first `limit` of them from a file (past a size
        limit, reading the rest only costs memory)."""
        if self.data is not None:
            return self.data
        with open(self.path, "rb") as f:
            # read(limit) would set aside `limit` bytes whatever the file's size
            if 0 <= limit < os.fstat(f.fileno()).st_size:
                return f.read(limit)
            return f.read()


@dataclass(frozen=True, slots=True)
class Rendering:
    """How one PATH was read: `files` (walked), `file`, `stdin`, `kustomize` or `helm`."""

    path: str
    mode: str


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """What the user allows: the renderers (`kustomize`, `helm`), remote
    bases and charts (`--allow-remote`), or charts from the cache only
    (`--offline`); and the paths they leave out (`--exclude`, `exclude:`)."""

    render: frozenset[str] = DEFAULT_RENDER
    allow_remote: bool = False
    offline: bool = False  # remote charts only from svcdocs's chart cache, never fetched
    exclude: Excludes = Excludes()

    @property
    def helm(self) -> bool:
        return "helm" in self.render


@dataclass(frozen=True, slots=True)
class Discovered:
    sources: tuple[Source, ...]
    skipped_files: int
    unread: tuple[Unread, ...] = ()
    renderings: tuple[Rendering, ...] = ()
    notes: tuple[str, ...] = ()  # one line each, for stderr


def is_tool_config(name: str) -> bool:
    """A file of kustomize, Helm or another well-known tool (mkdocs.yml,
    package.json, ...): its documents without a kind are configuration."""
    return name in TOOL_CONFIG_FILES or other_tool(name)


def inside(folder: str, path: str) -> bool:
    """Whether `path` is `folder` or below it (both real, absolute paths)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def repository_root(path: str) -> str:
    """The folder a render may read from: the git work tree holding `path`, or
    else the working directory when it holds `path`, or else `path` itself."""
    real = os.path.realpath(path)
    folder = real
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    cwd = os.path.realpath(os.getcwd())
    return cwd if inside(cwd, real) else real


def display_path(path: str) -> str:
    """A walked path as the user would write it: without a leading `./`."""
    return path[2:] if path.startswith("./") else path
