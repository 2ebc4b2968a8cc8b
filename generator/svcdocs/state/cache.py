r"""The cache folder, outside any repository: `SVCDOCS_CACHE_DIR`, else where
the platform keeps a user's caches (platformdirs): `$XDG_CACHE_HOME/svcdocs` or
`~/.cache/svcdocs` on Linux, `~/Library/Caches/svcdocs` on macOS,
`%LOCALAPPDATA%\svcdocs\Cache` on Windows. A relative XDG_CACHE_HOME is not
taken (it would put the cache in the working directory, a checkout).

Every folder svcdocs writes or deletes in here is a real folder this user owns
(checked with `lstat`, never through a link). A site's part of the cache that
holds anything svcdocs would not have put there (a link, a file of another
user) is emptied before use, so a cache placed inside a checkout by choice
still cannot make svcdocs write or delete outside it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from svcdocs.errors import SvcdocsError
from svcdocs.state.portable import owned, user

ENV = "SVCDOCS_CACHE_DIR"
LOCK = "lock"


def cache_root() -> Path:
    """Where the cache lives; not created here."""
    override = os.environ.get(ENV)
    if override:
        return Path(override).absolute()
    import platformdirs  # only when the cache is needed: not on every command's way

    root = platformdirs.user_cache_path("svcdocs", appauthor=False)
    if root.is_absolute():
        return root
    home = os.path.expanduser("~")  # a relative XDG_CACHE_HOME: the default under home instead
    if os.path.isabs(home):
        return Path(home) / ".cache" / "svcdocs"
    return Path(tempfile.gettempdir()) / (f"svcdocs-{user()}" if user() is not None else "svcdocs")


def private_folder(path: Path) -> Path:
    """`path` as a real folder this user owns, created (mode 0700) where missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    if not is_own_folder(path):
        raise SvcdocsError(f"{path}: not a folder of this user (a link, a file, or another user's); "
                           f"svcdocs keeps its cache only in its own folders (set {ENV} to another place)")
    return path


def is_own_folder(path: Path) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and owned(st)


def open_cache() -> Path:
    return private_folder(cache_root())


def site_cache(root: Path, key: str) -> Path:
    """The part of the cache that one site (keyed by its output folder) keeps:
    its mkdocs project and its diagrams."""
    name = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return private_folder(private_folder(root / "sites") / name)


def make_clean(folder: Path, keep: str = LOCK) -> None:
    """Empty `folder` (all but `keep`) when anything below it is not what
    svcdocs writes: a link, a special file, another user's file."""
    if not _only_own_files(folder):
        for entry in os.scandir(folder):
            if entry.name != keep:
                remove(Path(entry.path))


def _only_own_files(folder: Path) -> bool:
    """Every entry below `folder` a real folder or regular file of this user."""
    pending = [str(folder)]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                st = entry.stat(follow_symlinks=False)
                if not owned(st):
                    return False
                if stat.S_ISDIR(st.st_mode):
                    pending.append(entry.path)
                elif not stat.S_ISREG(st.st_mode):
                    return False
    return True


def remove(path: Path) -> None:
    """Delete a file, a link (never what it points to) or a folder tree."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(path)  # walks by file descriptor on this platform: links inside are removed, not followed
    else:
        os.unlink(path)


@contextmanager
def locked(folder: Path, what: str) -> Iterator[None]:
    """Hold the lock of a cache folder; another svcdocs holding it is one clear
    error. The lock is filelock's: flock on POSIX, msvcrt's on Windows."""
    with warnings.catch_warnings():  # where neither fcntl nor msvcrt exists, its soft lock is the lock
        warnings.simplefilter("ignore")
        from filelock import FileLock, Timeout  # only for a build: not on every command's way

    try:
        st = os.lstat(folder / LOCK)
        if not stat.S_ISREG(st.st_mode) or not owned(st):
            remove(folder / LOCK)  # not a lock svcdocs made
    except FileNotFoundError:
        pass
    lock = FileLock(folder / LOCK, timeout=0, mode=0o600, is_singleton=False)
    try:
        lock.acquire()
    except Timeout:
        raise SvcdocsError(f"{what}: another svcdocs build is writing it; "
                           "run one build at a time for each output folder") from None
    try:
        yield
    finally:
        lock.release()
