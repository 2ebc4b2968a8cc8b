"""The repository a folder is read in: where paths must stay, where GitOps
pointers' paths start, and which URLs name it (its git remotes)."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass

from svcdocs.load.kustomizations import escapes


@dataclass
class Repository:
    """Where paths must stay, where pointers' paths start, and what it is called."""

    root: str  # the walked folder (or the working directory for --env), as given
    top: str  # the git work tree holding it, or root itself; real path
    identities: frozenset[str] = frozenset()  # its remotes' URLs, normalized

    def same(self, url: str) -> bool:
        """Whether a repository URL names this repository. Without a URL or
        without known remotes, a pointer's path existing here decides."""
        if not url or not self.identities:
            return True
        name = _repo_url(url)
        return name in self.identities or name.rsplit("/", 1)[-1] in {i.rsplit("/", 1)[-1] for i in self.identities}

    def resolve(self, path: str) -> str | None:
        """A pointer's path (from the repository's top) as a path that exists
        here, tried from the walked folder first, then from the git top."""
        relative = path.strip().lstrip("/")
        relative = re.sub(r"^(\./)+", "", relative) or "."
        for start in (self.root, self.top):
            target = os.path.normpath(os.path.join(start, relative))
            if os.path.exists(target) and not escapes(target, self.top):
                return target
        return None

    def shown(self, path: str) -> str:
        """A path as the user would write it: from the walked folder."""
        relative = os.path.relpath(path, self.root).replace(os.sep, "/")
        return relative


def repository_of(root: str) -> Repository:
    real = os.path.realpath(root)
    top = real
    probe = real
    while True:
        if os.path.exists(os.path.join(probe, ".git")):
            top = probe
            break
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    identities = _remotes(top) if top == real else frozenset()
    return Repository(root, top, identities)


def _remotes(top: str) -> frozenset[str]:
    if not os.path.exists(os.path.join(top, ".git")):
        return frozenset()
    try:
        found = subprocess.run(["git", "-C", top, "config", "--get-regexp", r"^remote\..*\.url$"],
                               capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    urls = [line.split(None, 1)[1] for line in found.stdout.decode("utf-8", "replace").splitlines() if " " in line]
    return frozenset(_repo_url(u) for u in urls)


def _repo_url(url: str) -> str:
    """`https://github.com/Org/Repo.git`, `git@github.com:org/repo` -> `github.com/org/repo`."""
    url = url.strip().lower()
    url = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url)
    url = re.sub(r"^[^@/]+@", "", url)
    url = url.replace(":", "/", 1) if ":" in url.split("/", 1)[0] else url
    return url.rstrip("/").removesuffix(".git")
