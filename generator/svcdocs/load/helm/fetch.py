"""Charts from chart repositories and OCI registries, fetched by helm once
and kept in svcdocs's chart cache (`state.charts`).

- A chart repository (a Flux HelmRepository, an Argo CD `repoURL`): helm
  reads its index (`helm repo add`, in svcdocs's own helm home) and resolves a
  version constraint as it always does (`helm search repo --version`), then
  pulls that exact version.
- An OCI registry (`oci://`: a HelmRepository of type oci, an OCIRepository,
  an Argo CD OCI source): `helm pull` of a tag, a constraint (helm lists the
  tags) or a digest.

A chart is kept by repository, chart and exact version (or digest); a
constraint's resolution is remembered too, so that `--offline` renders from
the cache alone and names each chart it lacks. Nothing is fetched without
`--allow-remote`. Every helm command gets its flags as `--flag=value` and the
chart after `--`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tarfile
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from svcdocs.errors import SvcdocsError
from svcdocs.load.helm import names
from svcdocs.load.helm.chart import HTTP, OCI, HelmChart
from svcdocs.load.helm.values import ValuesError, parse_values
from svcdocs.load.tools import run_tool
from svcdocs.load.sources import LoadOptions
from svcdocs.state import charts as cache

_EXACT = re.compile(r"v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?")
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
MAX_CHART_YAML = 1024 * 1024

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()
_memo: dict[tuple, "Fetched"] = {}
_indexes: set[tuple[str, str]] = set()  # (helm home, chart repository) whose index this run has read


@dataclass(frozen=True, slots=True)
class Fetched:
    """A chart in the cache."""

    archive: Path
    name: str
    version: str
    digest: str = ""
    source: str = ""  # where it was fetched from

    @property
    def label(self) -> str:
        """`podinfo@6.9.3`: how its templates are shown (`podinfo@6.9.3: templates/service.yaml`)."""
        return f"{self.name}@{self.version}"


def exact(version: str) -> bool:
    return bool(_EXACT.fullmatch(version))


def fetch(chart: HelmChart, options: LoadOptions) -> Fetched:
    """The chart of a release, from the cache or fetched into it; SvcdocsError
    saying why not (no consent, not cached offline, helm's own error)."""
    url = names.repository_url(chart.repository)
    if chart.kind == HTTP or chart.chart:
        names.chart_name(chart.chart)
    names.version(chart.version)
    if chart.digest and not _DIGEST.fullmatch(chart.digest):
        raise names.Refused(f"digest {names.shown(chart.digest)} is not a sha256 digest")
    if not options.allow_remote and not options.offline:
        raise SvcdocsError(f"the chart comes from {url}; svcdocs fetches charts only with --allow-remote "
                           "(or renders them from its cache with --offline)")
    wanted = (str(cache.charts_root()), chart.kind, url, chart.chart, chart.version, chart.digest, chart.insecure,
              options.offline)
    with _lock(repr(wanted)):
        found = _memo.get(wanted)
        if found is None:
            found = _memo[wanted] = _fetch(chart, url, options.offline)
    return found


def _lock(key: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def _fetch(chart: HelmChart, url: str, offline: bool) -> Fetched:
    what = f"{chart.chart} from {url}" if chart.kind == HTTP else chart.reference
    if chart.digest:
        pinned = cache.key_of(chart.kind, url, chart.chart, "@" + chart.digest)
        return _from_cache(pinned) or _pull(chart, url, chart.digest, pinned, offline, what)
    version = chart.version
    oci_tag = chart.kind == OCI and version and not re.search(r"[\s<>=~^*|,xX]", version)
    if not (exact(version) or oci_tag):
        version = _resolve(chart, url, offline, what)
    key = cache.key_of(chart.kind, url, chart.chart, version)
    return _from_cache(key) or _pull(chart, url, version, key, offline, what)


def _from_cache(key: str) -> Fetched | None:
    found = cache.cached(key)
    if found is None:
        return None
    archive, meta = found
    return Fetched(archive, str(meta.get("name", "")), str(meta.get("version", "")), str(meta.get("digest", "")),
                   str(meta.get("source", "")))


def _resolve(chart: HelmChart, url: str, offline: bool, what: str) -> str:
    """The exact version a constraint resolves to, as helm resolves it."""
    constraint = chart.version or "*"
    key = cache.key_of("resolve", chart.kind, url, chart.chart, constraint)
    if offline:
        found = cache.resolution(key)
        if found is None:
            raise SvcdocsError(f"--offline: {what} {constraint} was never resolved here, so it is not in the "
                               "cache (run once with --allow-remote)")
        return str(found["version"])
    if chart.kind == HTTP:
        version = _search(chart, url, constraint)
    else:  # OCI: helm lists the tags while it pulls; the pulled chart is kept under its exact version
        pulled = _pull_now(chart, url, chart.version, what)
        exact_key = cache.key_of(chart.kind, url, chart.chart, pulled.version)
        if cache.cached(exact_key) is None:
            cache.keep(exact_key, pulled.archive, _meta(pulled))
        shutil.rmtree(pulled.archive.parent, ignore_errors=True)
        version = pulled.version
    cache.remember(key, {"version": version})
    return version


def _search(chart: HelmChart, url: str, constraint: str) -> str:
    env = _environment()
    alias = _repository_alias(url, env)
    out = _helm(["helm", "search", "repo", f"--version={constraint}", "--output=json", "--", f"{alias}/{chart.chart}"],
                env, f"chart repository {url}")
    try:
        found = [r for r in json.loads(out or b"[]") if isinstance(r, dict) and r.get("name") == f"{alias}/{chart.chart}"]
    except ValueError:
        found = []
    if not found:
        raise SvcdocsError(f"chart {chart.chart} {constraint} is not in {url}")
    return str(found[0].get("version", ""))


def _pull(chart: HelmChart, url: str, version: str, key: str, offline: bool, what: str) -> Fetched:
    if offline:
        shown = f"@{chart.digest}" if chart.digest else f" {version}"
        raise SvcdocsError(f"--offline: {what}{shown} is not in the cache (run once with --allow-remote)")
    pulled = _pull_now(chart, url, version if not chart.digest else "", what)
    try:
        if cache.cached(key) is None:  # another svcdocs may have kept it meanwhile
            cache.keep(key, pulled.archive, _meta(pulled))
    finally:
        shutil.rmtree(pulled.archive.parent, ignore_errors=True)
    return _from_cache(key)


def _pull_now(chart: HelmChart, url: str, version: str, what: str) -> Fetched:
    """`helm pull` into a temporary folder: the archive, and what it is."""
    env = _environment()
    argv = ["helm", "pull"]
    if chart.kind == HTTP:
        reference = f"{_repository_alias(url, env)}/{chart.chart}"
    else:
        reference = chart.reference + (f"@{chart.digest}" if chart.digest else "")
        if chart.insecure:
            argv.append("--plain-http")
    if version:
        argv.append(f"--version={version}")
    folder = tempfile.mkdtemp(prefix="svcdocs-pull-", dir=env["TMPDIR"])  # the caller removes it
    try:
        _helm(argv + [f"--destination={folder}", "--", reference], env, what)
        archives = [Path(folder) / n for n in os.listdir(folder) if n.endswith(".tgz")]
        if len(archives) != 1:
            raise SvcdocsError(f"{what}: helm pull gave no chart archive")
        if archives[0].stat().st_size > cache.MAX_CHART_BYTES:
            raise SvcdocsError(f"{what}: the chart is larger than {cache.MAX_CHART_BYTES // 2**20} MiB; "
                               "not rendered")
        name, pulled_version = chart_identity(archives[0])
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Fetched(archives[0], name, pulled_version, chart.digest, url)


def _repository_alias(url: str, env: dict[str, str]) -> str:
    """The name of a chart repository in svcdocs's helm home, its index read
    once a run (`helm repo add` fetches it)."""
    alias = "svcdocs-" + cache.key_of(url)[:16]
    with _lock("index " + alias):
        if (env["HELM_REPOSITORY_CONFIG"], alias) not in _indexes:
            _helm(["helm", "repo", "add", "--force-update", "--", alias, url], env, f"chart repository {url}")
            _indexes.add((env["HELM_REPOSITORY_CONFIG"], alias))
    return alias


def _meta(found: Fetched) -> dict:
    return {"name": found.name, "version": found.version, "digest": found.digest, "source": found.source}


def chart_identity(archive: Path) -> tuple[str, str]:
    """The name and version in a packaged chart's Chart.yaml."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                parts = member.name.split("/")
                if len(parts) == 2 and parts[1] == "Chart.yaml" and member.isfile() and member.size <= MAX_CHART_YAML:
                    f = tar.extractfile(member)
                    meta = parse_values(f.read().decode("utf-8", "replace") if f else "", "Chart.yaml")
                    return str(meta.get("name", "")), str(meta.get("version", ""))
    except (OSError, tarfile.TarError, ValuesError):
        pass
    raise SvcdocsError(f"{archive.name}: not a packaged Helm chart")


def _environment() -> dict[str, str]:
    return dict(os.environ, **cache.helm_home())


def _helm(argv: list[str], env: dict[str, str], what: str) -> bytes:
    return run_tool(argv, what, env)
