"""Proofs that a file is one svcdocs made: an HMAC keyed by a secret made for
this user and kept in the cache folder (mode 0600).

Nothing in a repository can carry a valid proof: the secret never leaves the
cache, and a checkout cannot make a file of mode 0600 (git records 644 and
755), so a secret file that is not private is replaced, and every proof made
with it stops holding.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

from svcdocs.errors import SvcdocsError
from svcdocs.state.portable import BINARY, CLOEXEC, NOFOLLOW, NONBLOCK, private

SECRET = "secret"
SECRET_BYTES = 32


def secret(cache: Path, create: bool = True) -> bytes | None:
    """This user's secret in `cache`, made on first use; None when there is
    none and `create` is false."""
    path = cache / SECRET
    for _ in range(3):
        found = _read_secret(path)
        if found is not None:
            return found
        if not create:
            return None
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | CLOEXEC | BINARY, 0o600)
        except FileExistsError:
            continue  # another svcdocs made it first, or it is not usable: read again
        try:
            os.write(fd, os.urandom(SECRET_BYTES))
        finally:
            os.close(fd)
    raise SvcdocsError(f"{path}: cannot make svcdocs's secret there")


def _read_secret(path: Path) -> bytes | None:
    """The secret, if the file is one this user made private; a file that is
    not (a link, readable by others, another user's) is removed."""
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW | CLOEXEC | NONBLOCK | BINARY)
    except FileNotFoundError:
        return None
    except OSError:  # a link (ELOOP) or unreadable: not ours to trust
        os.unlink(path)
        return None
    try:
        st = os.fstat(fd)
        data = os.read(fd, SECRET_BYTES + 1) if stat.S_ISREG(st.st_mode) else b""
    finally:
        os.close(fd)
    if not private(st) or len(data) != SECRET_BYTES:
        os.unlink(path)
        return None
    return data


def sign(key: bytes, *parts: str | bytes) -> str:
    """The HMAC-SHA256 of `parts`, each length-prefixed so that no two lists of parts sign alike."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        mac.update(len(data).to_bytes(8, "big"))
        mac.update(data)
    return mac.hexdigest()


def verify(key: bytes, proof: object, *parts: str | bytes) -> bool:
    return isinstance(proof, str) and hmac.compare_digest(proof, sign(key, *parts))


def folder_digest(folder: Path, leave_out: frozenset[str] = frozenset()) -> str | None:
    """One hash of every file below `folder` (its path and its bytes), `leave_out`
    names at the top excepted; None when the folder holds a link or anything but
    folders and regular files, or cannot be read."""
    h = hashlib.sha256()
    pending = [""]
    try:
        while pending:
            relative = pending.pop()
            with os.scandir(folder / relative) as scan:
                entries = sorted(scan, key=lambda e: e.name)
            for entry in entries:
                name = f"{relative}/{entry.name}" if relative else entry.name
                if not relative and entry.name in leave_out:
                    continue
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(st.st_mode):
                    pending.append(name)
                elif stat.S_ISREG(st.st_mode):
                    h.update(name.encode("utf-8", "surrogateescape") + b"\0" + _file_hash(entry.path) + b"\n")
                else:
                    return None
    except OSError:
        return None
    return h.hexdigest()


def _file_hash(path: str) -> bytes:
    with open(path, "rb", buffering=0) as f:
        return hashlib.file_digest(f, "sha256").digest() if hasattr(hashlib, "file_digest") else _read_hash(f)


def _read_hash(f) -> bytes:
    h = hashlib.sha256()
    for block in iter(lambda: f.read(1 << 20), b""):
        h.update(block)
    return h.digest()
