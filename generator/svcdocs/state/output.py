"""Writing a file the user named (`-o FILE`): never through a link.

The text goes to a temporary file beside the target, which then replaces it
with one rename: a link at the target is refused (a pull request can commit
`review.md` as a link to any file), a reader never sees half a file, and a
write that fails (a full disk) leaves the old file as it was. A link in the
folders above it is refused too, where a checkout could have put one: below
the git work tree that holds the working directory (or below the working
directory); a committed `reports/` could lead anywhere.
"""

from __future__ import annotations

import os
import stat
import tempfile

from svcdocs.errors import SvcdocsError


def write_output(path: str, text: str) -> None:
    refuse_links_above(path)
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


def refuse_links_above(path: str | os.PathLike) -> None:
    """SvcdocsError when a folder on the way to `path`, inside the work tree
    holding the working directory, is a symbolic link."""
    target = os.path.abspath(path)
    top = _work_tree(os.getcwd())
    if not target.startswith(top.rstrip(os.sep) + os.sep):
        return  # the machine's folders ($RUNNER_TEMP, /tmp): not the checkout's to plant
    current = top
    for part in os.path.relpath(os.path.dirname(target), top).split(os.sep):
        if part == os.curdir:
            continue
        current = os.path.join(current, part)
        try:
            if stat.S_ISLNK(os.lstat(current).st_mode):
                raise SvcdocsError(f"{path}: {os.path.relpath(current)} on the way to it is a symbolic link; "
                                   "svcdocs does not write through links (write to another folder)")
        except FileNotFoundError:
            return  # made when it is written, as a real folder


def _work_tree(cwd: str) -> str:
    """The folder holding `.git` at or above `cwd`, or `cwd` itself."""
    folder = cwd
    while not os.path.lexists(os.path.join(folder, ".git")):
        parent = os.path.dirname(folder)
        if parent == folder:
            return cwd
        folder = parent
    return folder


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
