"""File paths as code hosts want them: relative to the repository root.

Findings keep paths as the user gave them (relative to the working directory);
GitHub annotations and SARIF need them relative to the repository's root.
"""

from __future__ import annotations

import os
import subprocess


def source_root() -> str:
    """The root of the git repository around the working directory, else the
    working directory itself."""
    try:
        found = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True,
                               timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        found = None
    if found is not None and found.returncode == 0 and found.stdout.strip():
        return os.path.realpath(found.stdout.strip())
    return os.path.realpath(os.getcwd())


def relative_to(root: str, file: str) -> str | None:
    """`file` relative to `root` with forward slashes, or None when it lies
    outside (or is no file at all, like `<stdin>`)."""
    if file.startswith("<"):
        return None
    path = os.path.relpath(os.path.realpath(file), root)
    if path == os.pardir or path.startswith(os.pardir + os.sep):
        return None
    return path.replace(os.sep, "/")
