"""File paths as code hosts and readers want them: relative to the repository root.

Findings keep paths as the user gave them (relative to the working directory,
the contract of `graph` and `check`); GitHub annotations, SARIF, the site and
the review show them relative to the root of the repository that holds the
PATHs, wherever svcdocs runs from, and never as this machine's absolute paths.
"""

from __future__ import annotations

import os
import re
import subprocess
from typing import Iterable

from svcdocs.load.sources import STDIN

# Where a forge shows a file of the default branch, by host: (pattern of the
# remote's path, the prefix a repository path is appended to).
FORGES = {
    "github.com": "https://github.com/{repo}/blob/HEAD/",
    "gitlab.com": "https://gitlab.com/{repo}/-/blob/HEAD/",
    "bitbucket.org": "https://bitbucket.org/{repo}/src/HEAD/",
    "codeberg.org": "https://codeberg.org/{repo}/src/branch/HEAD/",
}
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/]+@)?([^/:]+)(?::\d+)?[:/](.+?)(?:\.git)?/?$", re.IGNORECASE)
_REPO_PATH = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+")


def source_root(paths: Iterable[str] = (), *, own_folder: bool = False) -> str:
    """The root of the git repository that holds the first PATH (the working
    directory's for none, or stdin); else the working directory, or, with
    `own_folder`, the PATH's own folder when the working directory does not
    hold it (a page then names no folder above it)."""
    path = next((p for p in paths if p != STDIN), ".")
    folder = os.path.abspath(path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path)))
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top:
        return os.path.realpath(top)
    cwd = os.path.realpath(os.getcwd())
    real = os.path.realpath(folder)
    inside = real == cwd or real.startswith(cwd.rstrip(os.sep) + os.sep)
    return cwd if inside or not own_folder else real


def relative_to(root: str, file: str) -> str | None:
    """`file` relative to `root` with forward slashes, or None when it lies
    outside (or is no file at all, like `<stdin>`)."""
    if file.startswith("<"):
        return None
    path = os.path.relpath(os.path.realpath(file), root)
    if path == os.pardir or path.startswith(os.pardir + os.sep):
        return None
    return path.replace(os.sep, "/")


def shown(root: str, file: str) -> str:
    """A file as a page or a comment shows it: from the repository's root;
    one outside it as given, or by its name alone when given as an absolute
    path (this machine's folders are nobody's business)."""
    relative = relative_to(root, file)
    if relative is not None:
        return relative
    return os.path.basename(file) if os.path.isabs(file) else file


def without_machine_paths(text: str, root: str) -> str:
    """A message (a tool's error names the absolute paths it read) with the
    repository's root, and the working directory, taken out of every path."""
    for folder in dict.fromkeys((os.path.realpath(root), os.path.realpath(os.getcwd()), os.path.abspath(root))):
        if folder != os.sep:
            text = text.replace(folder.rstrip(os.sep) + os.sep, "").replace(folder, ".")
    return text


def forge_url(root: str) -> str | None:
    """The default `--repo-url`: where the `origin` remote's forge shows the
    default branch, for a forge whose URLs are known; else None."""
    url = _git(root, "config", "--get", "remote.origin.url")
    match = _REMOTE.match(url.strip()) if url else None
    if match is None:
        return None
    host, repo = match.group(1).lower(), match.group(2)
    if host not in FORGES or not _REPO_PATH.fullmatch(repo):
        return None
    return FORGES[host].format(repo=repo)


def _git(folder: str, *argv: str) -> str:
    try:
        found = subprocess.run(["git", "-C", folder, *argv], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return found.stdout.strip() if found.returncode == 0 else ""
