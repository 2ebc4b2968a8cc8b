"""kustomize renders a private copy of the tracked files it may read, never the
checkout itself.

In a git work tree, kustomize runs in a temporary folder that holds, at the
same paths, only what git tracks and the kustomization checker let through
(load/kustomize_check.py): the kustomization files, the files they name, the
chart folders Helm reads; and the repository's tracked links, each leading
where it leads in the checkout (a link that leads out of the repository is
left out). So `.git/` (where `actions/checkout` keeps the token it was given)
and untracked files (a credentials file another step wrote into the
workspace) do not exist for kustomize, whatever a kustomization names, and
anything the checker did not see is not there to read. A file a
kustomization names that git does not track is a problem said before the
render. BASE of `diff --git` is an export of the revision already; a folder
outside git is rendered where it is.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from typing import Iterator

from svcdocs.load.kustomize_check import Checked
from svcdocs.load.problems import Problem
from svcdocs.load.sources import display_path, inside

GIT_TIMEOUT_S = 300


def tracked(top: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """(files, links) git tracks in the work tree at `top` (paths from it,
    submodules' too), or None when `top` is not a git work tree. Asked of git
    once for each state of its index (`serve` rebuilds after a `git add`)."""
    dot_git = os.path.join(top, ".git")
    if not os.path.lexists(dot_git):
        return None
    return _tracked(top, _index_stamp(dot_git))


def _index_stamp(dot_git: str) -> int:
    """When git's index last changed (0 when it cannot be told: a linked
    work tree keeps its index elsewhere)."""
    try:
        return os.stat(os.path.join(dot_git, "index")).st_mtime_ns
    except OSError:
        return 0


@functools.lru_cache(maxsize=8)
def _tracked(top: str, stamp: int) -> tuple[frozenset[str], frozenset[str]] | None:
    try:
        found = subprocess.run(["git", "-c", "core.fsmonitor=false", "-C", top, "ls-files", "-z", "-s",
                                "--recurse-submodules"], capture_output=True, timeout=GIT_TIMEOUT_S, check=False,
                               stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if found.returncode != 0:
        return None
    files, links = set(), set()
    for record in found.stdout.split(b"\0"):
        if b"\t" not in record:
            continue
        meta, name = record.split(b"\t", 1)
        path = os.path.normpath(name.decode("utf-8", "surrogateescape"))
        (links if meta.startswith(b"120000") else files).add(path)
    return frozenset(files), frozenset(links)


def untracked(checked: Checked, top: str) -> list[Problem]:
    """A problem for each file the kustomizations name that git does not
    track (one that does not exist at all, kustomize says)."""
    found = tracked(top)
    if found is None:
        return []
    files, _ = found
    return [Problem(display_path(os.path.relpath(path)), 1, "not tracked by git: svcdocs renders tracked files "
                    "only (git add it, or render it yourself and pipe it to svcdocs)")
            for path in sorted(checked.files)
            if inside(top, path) and os.path.relpath(path, top) not in files and os.path.lexists(path)]


@contextmanager
def staged(checked: Checked, top: str) -> Iterator[str | None]:
    """A temporary folder mirroring the repository at `top` with only what
    `checked` lets kustomize read (and git tracks): yields its path, or None
    when `top` is not a git work tree (then kustomize reads `top` itself)."""
    found = tracked(top)
    if found is None:
        yield None
        return
    files, links = found
    stage = tempfile.mkdtemp(prefix="svcdocs-stage-")
    try:
        real_top = os.path.realpath(top)
        for name in files:
            path = os.path.join(real_top, name)  # a tracked file's folders are never links: git tracks none below one
            if path in checked.files or any(inside(tree, path) for tree in checked.trees):
                _copy(path, os.path.join(stage, name))
        for name in links:
            _link(os.path.join(real_top, name), os.path.join(stage, name), real_top, stage)
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _copy(source: str, target: str) -> None:
    os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        shutil.copyfile(source, target, follow_symlinks=False)
    except OSError:
        pass  # gone since it was checked: kustomize says what is missing


def _link(link: str, target: str, top: str, stage: str) -> None:
    """The link at the same place in the stage, leading to the same place in
    it; left out when it leads out of the repository."""
    real = os.path.realpath(link)
    if not inside(top, real):
        return
    os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        os.symlink(os.path.relpath(os.path.join(stage, os.path.relpath(real, top)), os.path.dirname(target)), target)
    except OSError:
        pass
