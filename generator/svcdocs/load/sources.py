"""Turn the PATH arguments into a list of sources to parse.

A source is a file to read, or bytes already in hand (stdin, or the output of
`kubectl kustomize` / `helm template` for a PATH that holds a kustomization or a
chart). Folders are walked recursively in sorted order; folders met while
walking are read as plain files, and kustomize and Helm configuration files met
there are skipped and counted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import BinaryIO

from svcdocs.errors import SvcdocsError
from svcdocs.load.origin import Origins, render_with_origins

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# Configuration of the tools that render manifests, not manifests themselves.
TOOL_CONFIG_FILES = frozenset(KUSTOMIZATIONS + ("Chart.yaml", "Chart.yml", "values.yaml", "values.yml"))
# In every site folder `svcdocs build` writes: walking never reads a site back in.
SITE_MARKER = ".svcdocs-site"
RENDER_TIMEOUT_S = 300
STDIN = "-"


@dataclass(frozen=True, slots=True)
class Source:
    """One input stream: `label` is the file name shown to the user."""

    label: str
    path: str | None = None
    data: bytes | None = None
    size: int = 0
    origins: Origins | None = None  # a kustomize render: the files its objects come from

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
class Discovered:
    sources: tuple[Source, ...]
    skipped_files: int


def discover(paths: list[str] | tuple[str, ...], stdin: BinaryIO | None = None) -> Discovered:
    """Expand PATH arguments into sources, in the order the user gave them."""
    sources: list[Source] = []
    skipped = 0
    for path in paths or (".",):
        if path == STDIN:
            sources.append(_stdin_source(stdin))
        elif os.path.isdir(path):
            rendered = _rendered_source(path)
            if rendered is not None:
                sources.append(rendered)
            else:
                found, n = _walk(path)
                sources.extend(found)
                skipped += n
        elif os.path.isfile(path):
            sources.append(Source(label=path, path=path, size=os.path.getsize(path)))
        elif os.path.exists(path):
            raise SvcdocsError(f"{path}: not a regular file or folder")
        else:
            raise SvcdocsError(f"{path}: no such file or folder")
    return Discovered(tuple(sources), skipped)


def _stdin_source(stdin: BinaryIO | None) -> Source:
    stream = stdin if stdin is not None else sys.stdin.buffer
    data = stream.read()
    return Source(label="<stdin>", data=data, size=len(data))


def _walk(root: str) -> tuple[list[Source], int]:
    sources: list[Source] = []
    skipped = 0
    for folder, dirs, files in os.walk(root):
        # Hidden folders (.git, .github) and sites svcdocs built hold no
        # manifests; sorting here makes os.walk descend in sorted order.
        sites = [d for d in dirs if os.path.isfile(os.path.join(folder, d, SITE_MARKER))]
        skipped += len(sites)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in sites)
        for name in sorted(files):
            if name.startswith(".") or not name.endswith(MANIFEST_SUFFIXES):
                continue
            if name in TOOL_CONFIG_FILES:
                skipped += 1
                continue
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                sources.append(Source(label=display_path(path), path=path, size=os.path.getsize(path)))
    return sources, skipped


def display_path(path: str) -> str:
    """A walked path as the user would write it: without a leading `./`."""
    return path[2:] if path.startswith("./") else path


def _rendered_source(folder: str) -> Source | None:
    if any(os.path.isfile(os.path.join(folder, k)) for k in KUSTOMIZATIONS):
        return _kustomize(folder)
    if os.path.isfile(os.path.join(folder, "Chart.yaml")):
        return _helm(folder)
    return None


def _kustomize(folder: str, enable_helm: bool = False) -> Source:
    helm = ["--enable-helm"] if enable_helm else []
    if shutil.which("kubectl"):
        argv = ["kubectl", "kustomize", *helm, folder]
    elif shutil.which("kustomize"):
        argv = ["kustomize", "build", *helm, folder]
    else:
        raise SvcdocsError(
            f"{folder} holds a kustomization, but neither kubectl nor kustomize is on PATH; "
            f"install one, or render it yourself: kustomize build {folder} | svcdocs <command> -"
        )
    # Rendered through load/origin.py, so that findings point at the source files.
    data, origins = render_with_origins(folder, lambda path: _run([*argv[:-1], path], folder))
    return Source(label=f"{folder} (kustomize)", data=data, size=0, origins=origins)


def _helm(folder: str) -> Source:
    if not shutil.which("helm"):
        raise SvcdocsError(
            f"{folder} holds a Helm chart, but helm is not on PATH; "
            f"install helm, or render it yourself: helm template {folder} | svcdocs <command> -"
        )
    return Source(label=f"{folder} (helm template)", data=_run(["helm", "template", folder], folder), size=0)


def _run(argv: list[str], folder: str) -> bytes:
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=RENDER_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise SvcdocsError(f"{folder}: `{' '.join(argv)}` did not finish in {RENDER_TIMEOUT_S} s") from None
    except OSError as e:
        raise SvcdocsError(f"{folder}: could not run {argv[0]}: {e.strerror}") from None
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = lines[-1] if lines else f"exit status {proc.returncode}"
        raise SvcdocsError(f"{folder}: `{' '.join(argv)}` failed: {detail}")
    return proc.stdout
