"""PATH arguments as of a git revision, read from git objects: the working tree
and the index are never touched.

The files are the ones the folder walk of `load.sources` would find had the
revision been checked out (same suffixes, hidden folders and tool configuration
skipped, same order), labelled as that walk labels them, so that an unchanged
file compares equal. All blobs are read by one `git cat-file --batch`. A PATH
that holds a kustomization or a chart at the revision is rendered from a
temporary export of the revision's tree (`git archive`), since a kustomization
may name `../base`; symlinks and submodules are not followed.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import replace

from svcdocs.errors import SvcdocsError
from svcdocs.load.sources import (
    KUSTOMIZATIONS, MANIFEST_SUFFIXES, STDIN, TOOL_CONFIG_FILES, Discovered, Source, discover,
    display_path,
)

GIT_TIMEOUT_S = 300
RENDERED_FOLDER_FILES = KUSTOMIZATIONS + ("Chart.yaml",)


def discover_at(rev: str, paths: list[str] | tuple[str, ...]) -> Discovered:
    """Sources of PATHs (relative to the working directory) as of `rev`."""
    top = _repository_top()
    commit = _commit(top, rev)
    items: list[Source | tuple[str, str]] = []  # rendered sources, and (label, object name) of files
    skipped = 0
    with tempfile.TemporaryDirectory(prefix="svcdocs-git-") as export:
        for path in paths or (".",):
            if path == STDIN:
                raise SvcdocsError("--git reads PATHs from the repository; it cannot read stdin (-)")
            inside = _inside(top, path)
            entries = _tree(top, commit, inside)
            names = {name for _, name in entries}
            if any(_join(inside, k) in names for k in RENDERED_FOLDER_FILES):
                items.append(_render(top, commit, export, inside, path))
            elif len(entries) == 1 and entries[0][1] == inside:
                items.append((path, entries[0][0]))  # a file: taken as given, like a file PATH
            else:
                found, n = _walk(entries, inside, path)
                items += found
                skipped += n
    blobs = iter(_cat(top, [item[1] for item in items if isinstance(item, tuple)]))
    sources = [item if isinstance(item, Source) else _blob_source(item[0], next(blobs)) for item in items]
    return Discovered(tuple(sources), skipped)


def _blob_source(label: str, data: bytes) -> Source:
    return Source(label=label, data=data, size=len(data))


def _walk(entries: list[tuple[str, str]], inside: str, path: str) -> tuple[list[tuple[str, str]], int]:
    """The files the folder walk would take, in its order: a folder's files
    before its subfolders, each sorted."""
    found, skipped = [], 0
    for sha, name in entries:
        relative = name[len(inside) + 1:] if inside else name
        *folders, file = relative.split("/")
        if any(f.startswith(".") for f in folders) or file.startswith(".") or not file.endswith(MANIFEST_SUFFIXES):
            continue
        if file in TOOL_CONFIG_FILES:
            skipped += 1
            continue
        label = os.path.join(path, relative)
        found.append((_walk_order(folders, file), display_path(label), sha))
    return [(label, sha) for _, label, sha in sorted(found)], skipped


def _walk_order(folders: list[str], file: str) -> tuple:
    return tuple((1, f) for f in folders) + ((0, file),)


def _render(top: str, commit: str, export: str, inside: str, path: str) -> Source:
    """Export the revision's whole tree once, then render PATH there as the
    working tree's PATH would be rendered."""
    if not os.listdir(export):
        _export(top, commit, export)
    folder = os.path.join(export, inside)
    try:
        (source,) = discover([folder]).sources
    except SvcdocsError as e:
        raise SvcdocsError(str(e).replace(folder, path)) from None
    origins = replace(source.origins, folder=path) if source.origins else None  # origin files under PATH
    return Source(label=source.label.replace(folder, path, 1), data=source.data, size=len(source.data or b""),
                  origins=origins)


def _export(top: str, commit: str, export: str) -> None:
    archive = subprocess.Popen(["git", "-C", top, "archive", "--format=tar", commit], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    untar = subprocess.run(["tar", "-x", "-f", "-", "-C", export], stdin=archive.stdout, capture_output=True,
                           timeout=GIT_TIMEOUT_S, check=False)
    archive.stdout.close()
    if archive.wait(timeout=GIT_TIMEOUT_S) != 0 or untar.returncode != 0:
        raise SvcdocsError(f"could not export {commit[:12]} with git archive | tar -x")


def _tree(top: str, commit: str, inside: str) -> list[tuple[str, str]]:
    """(object name, path from the top) of every file blob under `inside`."""
    argv = ["ls-tree", "-r", "-z", "--full-tree", commit]
    out = _git(top, argv + (["--", inside] if inside else []))
    entries = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, name = record.split(b"\t", 1)
        mode, kind, sha = meta.decode().split()
        if kind == "blob" and mode != "120000":
            entries.append((sha, name.decode("utf-8", "surrogateescape")))
    return entries


def _cat(top: str, shas: list[str]) -> list[bytes]:
    """Every blob's bytes, in order, from one `git cat-file --batch`."""
    if not shas:
        return []
    out = _git(top, ["cat-file", "--batch"], stdin="".join(f"{s}\n" for s in shas).encode())
    blobs, pos = [], 0
    for _ in shas:
        end = out.index(b"\n", pos)
        size = int(out[pos:end].split()[2])
        blobs.append(out[end + 1:end + 1 + size])
        pos = end + 1 + size + 1
    return blobs


def _repository_top() -> str:
    try:
        found = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, timeout=GIT_TIMEOUT_S,
                               check=False)
    except OSError:
        raise SvcdocsError("--git needs git, which is not on PATH") from None
    if found.returncode != 0:
        raise SvcdocsError(f"--git needs a git repository, and {os.getcwd()} is not in one")
    return os.path.realpath(found.stdout.decode().strip())


def _commit(top: str, rev: str) -> str:
    found = subprocess.run(["git", "-C", top, "rev-parse", "--verify", "--quiet", "--end-of-options",
                            f"{rev}^{{commit}}"], capture_output=True, timeout=GIT_TIMEOUT_S, check=False)
    if found.returncode != 0:
        raise SvcdocsError(f"{rev}: not a revision of this git repository (try `git log` for one)")
    return found.stdout.decode().strip()


def _inside(top: str, path: str) -> str:
    """PATH as a path from the repository's top, with forward slashes; "" for the top."""
    relative = os.path.relpath(os.path.realpath(path), top)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        raise SvcdocsError(f"{path}: outside the git repository at {top}")
    return "" if relative == os.curdir else relative.replace(os.sep, "/")


def _join(inside: str, name: str) -> str:
    return f"{inside}/{name}" if inside else name


def _git(top: str, argv: list[str], stdin: bytes | None = None) -> bytes:
    found = subprocess.run(["git", "-C", top, *argv], input=stdin, capture_output=True, timeout=GIT_TIMEOUT_S,
                           check=False)
    if found.returncode != 0:
        detail = found.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SvcdocsError(f"git {argv[0]} failed: {detail[-1] if detail else f'exit status {found.returncode}'}")
    return found.stdout
