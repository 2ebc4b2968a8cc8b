"""The chart cache: charts fetched from chart repositories and registries,
under svcdocs's cache folder (never the repository), one folder per chart at
an exact version (or digest), so that a second build, and a review that
renders BASE and HEAD, fetch each chart once.

`charts/<key>/chart.tgz` is the chart as helm pulled it, `charts/<key>/chart.json`
what it is (name, version, digest, where from). `resolved/<key>.json` remembers
which exact version a constraint (`>=1.0.0`, `6.x`, an OCI `semver`) last
resolved to, for `--offline`. `helm/` is helm's own home while svcdocs runs
it (its config, its repository indexes, no plugins): the user's helm setup is
neither read nor changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from svcdocs.state.cache import open_cache, private_folder

MAX_CHART_BYTES = 64 * 1024 * 1024  # a packaged chart larger than this is not kept (nor rendered)


def key_of(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def charts_root() -> Path:
    return private_folder(open_cache() / "charts")


def chart_folder(key: str) -> Path:
    return charts_root() / key


def cached(key: str) -> tuple[Path, dict] | None:
    """The cached chart of `key` and what it is, or None."""
    folder = chart_folder(key)
    archive, meta = folder / "chart.tgz", folder / "chart.json"
    try:
        if not (archive.is_file() and not archive.is_symlink() and meta.is_file() and not meta.is_symlink()):
            return None
        return archive, json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def keep(key: str, archive: Path, meta: dict) -> Path:
    """Move a pulled chart into the cache (atomically); its path there."""
    folder = private_folder(chart_folder(key))
    _write(folder / "chart.json", json.dumps(meta, sort_keys=True).encode())
    target = folder / "chart.tgz"
    os.replace(archive, target)
    return target


def resolution(key: str) -> dict | None:
    path = charts_root() / "resolved" / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() and not path.is_symlink() else None
    except (OSError, ValueError):
        return None


def remember(key: str, found: dict) -> None:
    folder = private_folder(charts_root() / "resolved")
    _write(folder / f"{key}.json", json.dumps(found, sort_keys=True).encode())


def helm_home() -> dict[str, str]:
    """helm's environment while svcdocs runs it: every folder helm reads or
    writes is svcdocs's own, and there are no plugins."""
    home = private_folder(open_cache() / "helm")
    folders = {name: private_folder(home / name) for name in ("config", "cache", "data", "plugins", "tmp")}
    return {
        "HELM_CONFIG_HOME": str(folders["config"]),
        "HELM_CACHE_HOME": str(folders["cache"]),
        "HELM_DATA_HOME": str(folders["data"]),
        "HELM_PLUGINS": str(folders["plugins"]),
        "HELM_REPOSITORY_CONFIG": str(folders["config"] / "repositories.yaml"),
        "HELM_REPOSITORY_CACHE": str(private_folder(folders["cache"] / "repository")),
        "HELM_REGISTRY_CONFIG": str(folders["config"] / "registry.json"),
        "TMPDIR": str(folders["tmp"]),
    }


def _write(path: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise
