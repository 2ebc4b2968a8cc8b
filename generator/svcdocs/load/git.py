"""PATH arguments as of a git revision, read from git objects: the working tree
and the index are never touched.

The files are the ones the folder walk (load.walk) would find had the revision
been checked out (same suffixes, hidden files included, links followed only
inside PATH, same order), labelled as that walk labels them, so that an
unchanged file compares equal. All blobs are read by one `git cat-file
--batch`. A PATH that holds a kustomization (or a chart, when Helm is asked
for) at the revision is rendered from a temporary export of the revision's
tree (`git archive`), since a kustomization may name `../base`; its entries
are checked against that tree as load.render checks them against the working
tree.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
import tempfile
from dataclasses import replace

from svcdocs.errors import SvcdocsError
from svcdocs.load.problems import Problem, Unread
from svcdocs.load.render import mode_of, render_folder
from svcdocs.load.sources import (
    MANIFEST_SUFFIXES, STDIN, Discovered, LoadOptions, Rendering, Source, display_path, is_tool_config,
)

GIT_TIMEOUT_S = 300
LINK_MODE = "120000"
MAX_LINK_HOPS = 40


def discover_at(rev: str, paths: list[str] | tuple[str, ...], options: LoadOptions = LoadOptions()) -> Discovered:
    """Sources of PATHs (relative to the working directory) as of `rev`."""
    top = _repository_top()
    commit = _commit(top, rev)
    items: list[Source | tuple[str, str, bool]] = []  # rendered sources, and (label, object name, config) of files
    unread: list[Unread] = []
    renderings: list[Rendering] = []
    with tempfile.TemporaryDirectory(prefix="svcdocs-git-") as export:
        for path in paths or (".",):
            if path == STDIN:
                raise SvcdocsError("--git reads PATHs from the repository; it cannot read stdin (-)")
            inside = _inside(top, path)
            entries = _tree(top, commit, inside)
            if len(entries) == 1 and entries[0][2] == inside:  # a file: taken as given, like a file PATH
                renderings.append(Rendering(path, "file"))
                found, missed = _files(top, entries, "", path, single=True)
            else:
                mode = _mode(top, commit, inside, path, options)
                renderings.append(Rendering(path, mode))
                if mode != "files":
                    items.append(_render(top, commit, export, inside, path, mode, options))
                    continue
                found, missed = _files(top, entries, inside, path)
            items += [f for f in found if not options.exclude.excluded(f[0])]
            unread += [u for u in missed if not options.exclude.excluded(u.file)]
    files = [item for item in items if isinstance(item, tuple)]
    blobs = iter(_cat(top, [sha for _, sha, _ in files]))
    sources = [item if isinstance(item, Source) else
               _blob_source(item[0], next(blobs), item[2]) for item in items]
    return Discovered(tuple(sources), 0, tuple(unread), tuple(renderings))


def file_at(rev: str, path: str) -> bytes | None:
    """The bytes of the file `path` (relative to the working directory) as of
    `rev`, or None when there is no such file then."""
    top = _repository_top()
    commit = _commit(top, rev)
    absolute = os.path.abspath(path)
    relative = os.path.relpath(os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute)),
                               top)
    if relative.startswith(os.pardir):
        return None
    entries = _tree(top, commit, relative.replace(os.sep, "/"))
    if len(entries) != 1 or entries[0][0] == LINK_MODE:
        return None
    return _cat(top, [entries[0][1]])[0]


def _blob_source(label: str, data: bytes, config: bool) -> Source:
    return Source(label=label, data=data, size=len(data), tool_config=config)


def _mode(top: str, commit: str, inside: str, path: str, options: LoadOptions) -> str:
    """How the working tree's PATH would be read, had the revision been checked out."""
    names = {posixpath.basename(name) for mode, _, name in _tree(top, commit, inside, recursive=False)
             if mode.startswith("100")}
    return mode_of(path, names, options)[0]


def _files(top: str, entries: list[tuple[str, str, str]], inside: str, path: str,
           single: bool = False) -> tuple[list[tuple[str, str, bool]], list[Unread]]:
    """(label, object name, config) of the files the folder walk would read, in
    its order (a folder's files before its folders, each sorted), and the files
    it would name as not read."""
    blobs = {name: sha for mode, sha, name in entries if mode != LINK_MODE}
    links = {name: sha for mode, sha, name in entries if mode == LINK_MODE}
    targets = dict(zip(links, (t.decode("utf-8", "surrogateescape") for t in _cat(top, list(links.values())))))
    found, unread = [], []
    for mode, sha, name in entries:
        relative = posixpath.basename(name) if single else (name[len(inside) + 1:] if inside else name)
        *folders, file = relative.split("/")
        if not single and not file.endswith(MANIFEST_SUFFIXES):
            continue
        label = path if single else display_path(os.path.join(path, relative))
        config = any(f.startswith(".") for f in folders) or file.startswith(".") or is_tool_config(file)
        if mode == LINK_MODE:
            sha, reason = _resolve(name, targets, blobs, "" if single else inside)
            if sha is None:
                unread.append(Unread(label, reason))
                continue
        found.append((_walk_order(folders, file), label, sha, config))
    return [(label, sha, config) for _, label, sha, config in sorted(found)], unread


def _resolve(name: str, targets: dict[str, str], blobs: dict[str, str], inside: str) -> tuple[str | None, str]:
    """The blob a link leads to within `inside`, or None and why not."""
    for _ in range(MAX_LINK_HOPS):
        target = targets[name]
        if posixpath.isabs(target):
            return None, "a symbolic link to outside the PATH it was found in"
        name = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
        if name.startswith("../") or name == ".." or (inside and not name.startswith(inside + "/")):
            return None, "a symbolic link to outside the PATH it was found in"
        if name in blobs:
            return blobs[name], ""
        if name not in targets:
            return None, "a symbolic link to something other than a file"
    return None, "a symbolic link in a loop"


def _walk_order(folders: list[str], file: str) -> tuple:
    return tuple((1, f) for f in folders) + ((0, file),)


def _render(top: str, commit: str, export: str, inside: str, path: str, mode: str, options: LoadOptions) -> Source:
    """Render PATH in the export of the revision's tree, as the working tree's
    PATH would be rendered; labels name the files as the working tree would."""
    if not os.listdir(export):
        _export(top, commit, export)
    folder = os.path.join(export, inside)
    try:
        source = render_folder(folder, mode, export, options)
    except SvcdocsError as e:
        raise SvcdocsError(str(e).replace(folder, path)) from None

    def shown(file: str) -> str:
        relative = os.path.relpath(file, export)
        return file if relative.startswith(os.pardir) else display_path(os.path.relpath(os.path.join(top, relative)))
    problems = tuple(Problem(shown(p.file), p.line, p.reason.replace(export + os.sep, "")) for p in source.problems)
    origins = replace(source.origins, folder=path) if source.origins else None  # origin files under PATH
    return Source(label=source.label.replace(folder, path, 1), data=source.data, size=len(source.data or b""),
                  problems=problems, origins=origins)


def _export(top: str, commit: str, export: str) -> None:
    archive = subprocess.Popen(["git", "-C", top, "archive", "--format=tar", commit], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    untar = subprocess.run(["tar", "-x", "-f", "-", "-C", export], stdin=archive.stdout, capture_output=True,
                           timeout=GIT_TIMEOUT_S, check=False)
    archive.stdout.close()
    if archive.wait(timeout=GIT_TIMEOUT_S) != 0 or untar.returncode != 0:
        raise SvcdocsError(f"could not export {commit[:12]} with git archive | tar -x")


def _tree(top: str, commit: str, inside: str, recursive: bool = True) -> list[tuple[str, str, str]]:
    """(mode, object name, path from the top) of every file blob and link
    under `inside` (its direct entries only, unless `recursive`)."""
    argv = ["ls-tree", "-z", "--full-tree", commit]
    if recursive:
        argv.insert(1, "-r")
    out = _git(top, argv + (["--", inside + ("" if recursive else "/")] if inside else []))
    entries = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, name = record.split(b"\t", 1)
        mode, kind, sha = meta.decode().split()
        if kind == "blob" or not recursive:
            entries.append((mode, sha, name.decode("utf-8", "surrogateescape")))
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


def _git(top: str, argv: list[str], stdin: bytes | None = None) -> bytes:
    found = subprocess.run(["git", "-C", top, *argv], input=stdin, capture_output=True, timeout=GIT_TIMEOUT_S,
                           check=False)
    if found.returncode != 0:
        detail = found.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SvcdocsError(f"git {argv[0]} failed: {detail[-1] if detail else f'exit status {found.returncode}'}")
    return found.stdout
