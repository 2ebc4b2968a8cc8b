"""Writing a file the user named (`-o FILE`): never through a link.

The text goes to a temporary file beside the target, which then replaces it
with one rename: a link at the target is refused (a pull request can commit
`review.md` as a link to any file), a reader never sees half a file, and a
write that fails (a full disk) leaves the old file as it was.
"""

from __future__ import annotations

import os
import stat
import tempfile

from svcdocs.errors import SvcdocsError


def write_output(path: str, text: str) -> None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISLNK(st.st_mode):
        raise SvcdocsError(f"{path}: is a symbolic link; svcdocs does not write through links "
                           "(remove it, or write to another file)")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise SvcdocsError(f"{path}: exists and is not a regular file")
    folder, name = os.path.split(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".svcdocs-tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            os.fchmod(f.fileno(), stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
