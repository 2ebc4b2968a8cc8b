"""Paths the user leaves out (`exclude:` in the config, `--exclude`), and the
files of other tools that hold no manifest (counted quietly, never warned about).

A pattern is a glob, as in .gitignore: `*` and `?` match within a name, `**`
any number of folders; a pattern without `/` matches a name at any depth
(`mkdocs.yml`, `*.json`), one with `/` (or starting with `./` or `../`) a path
from the pattern's base folder (the config file's folder, or the working
directory for `--exclude`); a pattern that matches a folder leaves out
everything below it.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from functools import cache, cached_property

# Files of tools other than Kubernetes, by name, that `kubectl apply -R -f`
# would still read: their documents without a kind are skipped and counted,
# as kustomize's and Helm's are; a document with a kind is read as ever.
OTHER_TOOLS = frozenset({
    "mkdocs.yml", "mkdocs.yaml", "package.json", "package-lock.json", "npm-shrinkwrap.json", "composer.json",
    "composer.lock", "bower.json", "lerna.json", "nx.json", "turbo.json", "deno.json", "jsconfig.json",
    "renovate.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", "action.yml", "action.yaml", "codecov.yml",
    "codecov.yaml", "appveyor.yml", "azure-pipelines.yml", "bitbucket-pipelines.yml", "cloudbuild.yaml",
    "cloudbuild.yml", "buildspec.yml", "Taskfile.yml", "Taskfile.yaml", "environment.yml", "pubspec.yaml",
    "serverless.yml", "openapi.yaml", "openapi.json", "swagger.json", "swagger.yaml", "catalog-info.yaml",
    "devcontainer.json", "app.json", "firebase.json", "vercel.json", "project.json", "tslint.json",
})
OTHER_TOOL_PATTERNS = ("tsconfig*.json", "docker-compose*.yml", "docker-compose*.yaml", "compose.yml",
                       "compose.yaml", "compose.*.yml", "compose.*.yaml", "*.code-workspace.json")


@cache
def _other_tool_pattern() -> re.Pattern:
    return re.compile("|".join(fnmatch.translate(p) for p in OTHER_TOOL_PATTERNS))


def other_tool(name: str) -> bool:
    """Whether a file named NAME is a well-known file of another tool."""
    return name in OTHER_TOOLS or _other_tool_pattern().match(name) is not None


def _regex(pattern: str) -> str:
    """The glob as a regular expression over a `/`-separated relative path."""
    parts, i = [], 0
    pattern = pattern.strip("/")
    while i < len(pattern):
        if pattern.startswith("**/", i):
            parts.append("(?:[^/]+/)*")
            i += 3
        elif pattern.startswith("**", i):
            parts.append(".*")
            i += 2
        elif pattern[i] == "*":
            parts.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            parts.append("[^/]")
            i += 1
        else:
            parts.append(re.escape(pattern[i]))
            i += 1
    return "".join(parts)


def _rebased(base: str, glob: str) -> tuple[str, str]:
    """`../docs` from `repo/config` is `/docs` from `repo`: a path, anchored there."""
    glob, anchored = glob.replace(os.sep, "/"), False
    while glob.startswith(("./", "../")):
        if glob.startswith("../"):
            base = os.path.dirname(base)
        glob, anchored = glob.split("/", 1)[1], True
    return base, "/" + glob.lstrip("/") if anchored else glob


@dataclass(frozen=True)
class Excludes:
    """Globs, each with the folder it starts from (absolute)."""

    patterns: tuple[tuple[str, str], ...] = ()  # (base folder, glob)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def plus(self, base: str, globs: tuple[str, ...] | list[str]) -> Excludes:
        return Excludes(self.patterns + tuple(_rebased(os.path.abspath(base), g) for g in globs if g.strip("/")))

    @cached_property
    def _compiled(self) -> tuple[tuple[str, re.Pattern], ...]:
        """Per base folder, one regular expression; a path or any folder above it may match."""
        bases: dict[str, list[str]] = {}
        for base, glob in self.patterns:
            anchored = glob.startswith("/") or "/" in glob.strip("/")
            bases.setdefault(base, []).append(("" if anchored else "(?:[^/]+/)*") + _regex(glob))
        return tuple((base, re.compile(f"(?:{'|'.join(rs)})(?:/.*)?")) for base, rs in bases.items())

    def excluded(self, path: str) -> bool:
        """Whether PATH (as the user wrote it, or as the walk labels it) is left out."""
        if not self.patterns:
            return False
        absolute = os.path.abspath(path)
        for base, regex in self._compiled:
            relative = os.path.relpath(absolute, base).replace(os.sep, "/")
            if relative.startswith("../") or relative == "..":
                continue
            if regex.fullmatch(relative):
                return True
        return False
