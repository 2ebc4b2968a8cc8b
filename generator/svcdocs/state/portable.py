"""What differs between POSIX and Windows for svcdocs's own files, in one
place, so that nothing POSIX-only is imported on any command's way (Windows
has no fcntl, no geteuid, no O_NOFOLLOW, and no register_at_fork).

Where the platform cannot say who owns a file or refuse a link when opening,
the checks that need it are as strong as the platform allows: svcdocs's cache
is a folder of this user's profile there, which a repository does not reach.
"""

from __future__ import annotations

import os

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # open() refuses a link (POSIX)
CLOEXEC = getattr(os, "O_CLOEXEC", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO planted in place of a file does not block open()
BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
PRIVATE_MODES = os.name == "posix"  # whether a file's mode says who may read it


def user() -> int | None:
    """This user's id, where files have one (POSIX)."""
    geteuid = getattr(os, "geteuid", None)
    return geteuid() if geteuid is not None else None


def owned(st: os.stat_result) -> bool:
    """Whether this user owns the file (always, where files have no owner id)."""
    uid = user()
    return uid is None or st.st_uid == uid


def private(st: os.stat_result) -> bool:
    """Whether only this user may read the file (where modes say so)."""
    return owned(st) and not (PRIVATE_MODES and st.st_mode & 0o077)
