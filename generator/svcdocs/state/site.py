"""The marker in every site folder svcdocs built, and the proof it carries.

The marker names the mkdocs project the site was built from and proves, with
this user's secret, that svcdocs built exactly these files at this path: its
proof signs the folder's path, the project's digest and a digest of every other
file in the folder. A copy from a repository, a file changed or added after the
build, or a marker computed elsewhere proves nothing.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from svcdocs import __version__
from svcdocs.state.portable import BINARY, CLOEXEC, NOFOLLOW, NONBLOCK
from svcdocs.state.proof import folder_digest, sign, verify

MARKER = ".svcdocs-site"
MAX_MARKER_BYTES = 4096


def write_marker(site: Path, out: Path, project: str, key: bytes) -> None:
    """Sign `site`, built to be moved to `out` (an absolute path without links)."""
    digest = folder_digest(site, frozenset({MARKER}))
    if digest is None:
        raise ValueError(f"{site}: a built site holds a link or a special file")
    marker = {"svcdocs": __version__, "project": project, "proof": sign(key, "site", str(out), project, digest)}
    (site / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")


def has_marker(folder: Path) -> bool:
    """Whether `folder` holds a marker at all (made by svcdocs or not)."""
    try:
        return stat.S_ISREG(os.lstat(folder / MARKER).st_mode)
    except OSError:
        return False


def proven_site(folder: Path, key: bytes | None, project: str | None = None) -> bool:
    """Whether svcdocs built `folder` as it is now (from `project`, when given)."""
    marker = _read_marker(folder)
    if marker is None or key is None or (project is not None and marker.get("project") != project):
        return False
    digest = folder_digest(folder, frozenset({MARKER}))
    return digest is not None and verify(key, marker.get("proof"), "site", os.path.realpath(folder),
                                         str(marker.get("project")), digest)


def _read_marker(folder: Path) -> dict | None:
    try:
        fd = os.open(folder / MARKER, os.O_RDONLY | NOFOLLOW | CLOEXEC | NONBLOCK | BINARY)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = os.read(fd, MAX_MARKER_BYTES + 1)
    finally:
        os.close(fd)
    try:
        marker = json.loads(data) if len(data) <= MAX_MARKER_BYTES else None
    except ValueError:
        return None
    return marker if isinstance(marker, dict) else None
