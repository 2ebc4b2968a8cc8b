"""The folder walk: every file `kubectl apply -R -f PATH` would read, read or
named as not read.

kubectl reads every file below PATH whose name ends in `.yaml`, `.yml` or
`.json`, hidden files and folders included, and follows links to files. So
does this walk, with two exceptions, each named: a link that leads outside
PATH, and anything that is not a regular file. It leaves out `.git` (git
never checks out a path of that name) and the sites svcdocs built whose
marker proves it (state.site: their every file is one svcdocs wrote).
Documents without a kind in hidden files and in the configuration files of
kustomize and Helm are configuration, counted, not problems.

The walk is iterative (a tree thousands of folders deep is just a long list),
in sorted order: a folder's files, then its folders.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from svcdocs.load.problems import Unread
from svcdocs.load.exclude import Excludes
from svcdocs.load.sources import MANIFEST_SUFFIXES, Source, display_path, inside, is_tool_config
from svcdocs.state.cache import cache_root, is_own_folder
from svcdocs.state.proof import secret
from svcdocs.state.site import has_marker, proven_site

NEVER_CHECKED_OUT = ".git"


@dataclass(slots=True)
class Walked:
    sources: list[Source] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)
    skipped: int = 0  # sites svcdocs built
    folders: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # each folder read, its files' names


def walk(root: str, exclude: Excludes = Excludes()) -> Walked:
    """The walk of ROOT, without the paths EXCLUDE leaves out (nor anything below them)."""
    walked = Walked()
    real_root = os.path.realpath(root)
    proofs = _Proofs()
    pending = [(root, False)]  # (folder, whether it or a folder above it is hidden)
    while pending:
        folder, hidden = pending.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as e:
            walked.unread.append(Unread(display_path(folder), f"cannot read this folder: {e.strerror}"))
            continue
        folders = []
        walked.folders.append((folder, tuple(e.name for e in entries if not e.is_dir(follow_symlinks=False))))
        for entry in entries:
            if entry.name == NEVER_CHECKED_OUT or (exclude and exclude.excluded(entry.path)):
                continue
            if entry.is_dir(follow_symlinks=False):
                if has_marker(Path(entry.path)) and proofs.proven(entry.path):
                    walked.skipped += 1
                else:
                    folders.append((entry.path, hidden or entry.name.startswith(".")))
            elif entry.name.endswith(MANIFEST_SUFFIXES):
                _file(walked, entry, real_root, hidden or entry.name.startswith("."))
        pending.extend(reversed(folders))
    return walked


def _file(walked: Walked, entry: os.DirEntry, real_root: str, hidden: bool) -> None:
    label = display_path(entry.path)
    config = hidden or is_tool_config(entry.name)
    try:
        st = entry.stat(follow_symlinks=False)
        if stat.S_ISLNK(st.st_mode):
            target = os.path.realpath(entry.path)
            if not inside(real_root, target):
                walked.unread.append(Unread(label, "a symbolic link to outside the PATH it was found in"))
                return
            st = os.stat(target)
            if not stat.S_ISREG(st.st_mode):
                walked.unread.append(Unread(label, "a symbolic link to something other than a file"))
                return
            walked.sources.append(Source(label=label, path=target, size=st.st_size, tool_config=config))
        elif stat.S_ISREG(st.st_mode):
            walked.sources.append(Source(label=label, path=entry.path, size=st.st_size, tool_config=config))
        else:
            walked.unread.append(Unread(label, "not a regular file"))
    except OSError as e:
        walked.unread.append(Unread(label, f"cannot read: {e.strerror}"))


class _Proofs:
    """Checks site markers with this user's secret, read once and never made here."""

    def __init__(self):
        self._key: bytes | None | bool = False

    def proven(self, folder: str) -> bool:
        if self._key is False:
            root = cache_root()
            self._key = secret(root, create=False) if is_own_folder(root) else None
        return proven_site(Path(folder), self._key)
