"""`helm template` of one release, safe on a pull request's content.

The chart is first put together in a private temporary folder, so that helm
reads nothing else and writes nothing into the repository:

- a chart of the repository is copied from its folder, after checking that
  it lies inside the repository and holds no link that leads out (helm would
  read what a link points at); its dependencies that are not in its
  `charts/` folder are added there: `file://` ones from the repository (the
  same checks), others fetched into the chart cache (with `--allow-remote`);
- a chart from a chart repository or a registry comes from the chart cache
  (`load.helm.fetch`), unpacked member by member (regular files and folders
  only, no path that climbs out).

Values are computed as the controller computes them (`load.helm.values`)
and written there, mode 0600, with every values file resolved inside the
repository (or inside the chart): an absolute path, or one that leaves the
repository, is refused. helm then runs as `helm template --flag=value ...
-- RELEASE CHART`, with svcdocs's own helm home (no plugins, nothing of the
user's), no network (a proxy that goes nowhere), and a timeout; without the
values' JSON schema check, whose `$ref`s helm would fetch from anywhere.
"""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
import tempfile
from dataclasses import dataclass, replace
from typing import Callable

import yaml

from svcdocs.errors import SvcdocsError
from svcdocs.load.helm import names
from svcdocs.load.helm.chart import FOLDER, HelmChart
from svcdocs.load.helm.fetch import Fetched, fetch
from svcdocs.load.helm.origins import ChartOrigins, chart_origins
from svcdocs.load.helm.values import Computed, DataIndex, ValuesError, flat_keys, flux_values, merge, parse_values
from svcdocs.load.kustomize_check import links_outside
from svcdocs.load.tools import run_tool
from svcdocs.load.sources import LoadOptions, inside
from svcdocs.state.charts import MAX_CHART_BYTES, helm_home

MAX_DEPENDENCY_DEPTH = 5
MAX_VALUES_FILE = 8 * 1024 * 1024
NO_NETWORK = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "",
              "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "no_proxy": ""}


@dataclass(frozen=True)
class Context:
    """What a render may read, and how pointers' paths are found."""

    options: LoadOptions
    top: str  # the repository's top, real path: nothing outside it is read
    index: DataIndex = DataIndex()  # ConfigMaps and Secrets of the environment (valuesFrom)
    same: Callable[[str], bool] = lambda url: True  # whether a repository URL names this repository
    resolve: Callable[[str], str | None] = lambda path: None  # a path from the repository's top, as here


@dataclass(frozen=True)
class Rendered:
    data: bytes
    origins: ChartOrigins
    name: str  # the chart's name
    version: str  # the exact version rendered
    source: str  # where the chart came from: a folder, or a repository URL
    computed: Computed  # the values (for the inventory: their shape, never Secret values)


def render_release(chart: HelmChart, context: Context) -> Rendered:
    """Render one release; SvcdocsError (names.Refused too) saying why not."""
    try:
        return _render(chart, context)
    except (names.Refused, ValuesError) as e:
        raise SvcdocsError(str(e)) from None


def _render(chart: HelmChart, context: Context) -> Rendered:
    if not context.options.helm:
        raise SvcdocsError("helm runs only when you ask for it with --render helm")
    if not shutil.which("helm"):
        raise SvcdocsError("helm is not on PATH")
    release = names.release_name(chart.release)
    namespace = names.namespace(chart.namespace)
    with tempfile.TemporaryDirectory(prefix="svcdocs-helm-") as work:
        os.chmod(work, 0o700)
        chart_dir = os.path.join(work, "chart")
        if chart.kind == FOLDER:
            folder = _repository_chart(chart.chart, context)
            copy_confined(folder, chart_dir, context.top)
            name, version = _identity(chart_dir)
            label, source = f"{name}@{version}", chart.chart
        else:
            fetched = fetch(chart, context.options)
            unpack(fetched, chart_dir)
            folder, name, version, label, source = "", fetched.name, fetched.version, fetched.label, chart.repository
        _add_dependencies(chart_dir, folder, context, 0)
        computed, argv = _values(chart, chart_dir, folder, context, work)
        argv = ["helm", "template", "--skip-tests", "--skip-schema-validation",
                *([f"--namespace={namespace}"] if namespace else []), *argv,
                "--", release, chart_dir]
        env = dict(os.environ, **helm_home(), **NO_NETWORK)
        shown = chart.chart if chart.kind == FOLDER else chart.reference
        try:
            data = run_tool(argv, shown, env)
        except SvcdocsError as e:  # helm's own error, with the chart named as the user knows it
            raise SvcdocsError(_redacted(str(e).replace(chart_dir, shown).replace(work, ""), computed)) from None
        origins = chart_origins(data, name, folder, label, chart_dir)
    return Rendered(data, origins, name, version, source, computed)


def _redacted(text: str, computed: Computed) -> str:
    """helm's error without the values that came from a Secret (a chart's
    `fail` or `required` message can quote a value)."""
    secret = {str(v) for k, v in flat_keys(computed.values).items() if k in computed.secret_keys}
    for value in sorted((v for v in secret if len(v) >= 4), key=len, reverse=True):
        text = text.replace(value, "(a value from a Secret)")
    return text


# --- The chart ---------------------------------------------------------------------------

def _repository_chart(path: str, context: Context) -> str:
    names.chart_path(path)
    real = os.path.realpath(path)
    if not inside(context.top, real):
        raise SvcdocsError(f"chart {path} is outside the repository ({context.top}); svcdocs renders only "
                           "what is in it")
    if not os.path.isfile(os.path.join(path, "Chart.yaml")):
        raise SvcdocsError(f"{path} holds no Chart.yaml")
    links = links_outside(path, context.top, "the repository")
    if links:
        more = f" (and {len(links) - 1} more)" if len(links) > 1 else ""
        raise SvcdocsError(f"{links[0]}{more}")
    return path


def copy_confined(source: str, target: str, top: str, limit: int = MAX_CHART_BYTES) -> None:
    """Copy a folder: regular files, and the folders and files that links
    inside `top` lead to (each folder once); no `.git`, nothing else."""
    total = 0
    seen: set[str] = set()
    pending = [(source, target)]
    while pending:
        here, there = pending.pop()
        real = os.path.realpath(here)
        if real in seen or not inside(top, real):
            continue
        seen.add(real)
        os.makedirs(there, mode=0o700, exist_ok=True)
        with os.scandir(here) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.name == ".git" or not inside(top, os.path.realpath(entry.path)):
                    continue
                try:
                    st = os.stat(entry.path)
                except OSError:
                    continue
                if stat.S_ISDIR(st.st_mode):
                    pending.append((entry.path, os.path.join(there, entry.name)))
                elif stat.S_ISREG(st.st_mode):
                    total += st.st_size
                    if total > limit:
                        raise SvcdocsError(f"{source} is larger than {limit // 2**20} MiB; not rendered")
                    shutil.copyfile(entry.path, os.path.join(there, entry.name))


def unpack(fetched: Fetched, target: str) -> None:
    """A packaged chart into `target`: its one top folder's regular files and folders only."""
    total = 0
    try:
        with tarfile.open(fetched.archive, "r:gz") as tar:
            for member in tar:
                parts = member.name.replace("\\", "/").split("/")
                if len(parts) < 2 or parts[0] in ("", ".", "..") or any(p in ("", "..") for p in parts[1:]):
                    continue
                path = os.path.join(target, *parts[1:])
                if member.isdir():
                    os.makedirs(path, mode=0o700, exist_ok=True)
                elif member.isfile():
                    total += member.size
                    if total > MAX_CHART_BYTES:
                        raise SvcdocsError(f"{fetched.label}: the chart is larger than "
                                           f"{MAX_CHART_BYTES // 2**20} MiB unpacked; not rendered")
                    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
                    f = tar.extractfile(member)
                    if f is not None:
                        with f, open(path, "wb") as out:
                            shutil.copyfileobj(f, out)
    except (OSError, tarfile.TarError) as e:
        raise SvcdocsError(f"{fetched.label}: the chart archive cannot be read: {e}") from None
    if not os.path.isfile(os.path.join(target, "Chart.yaml")):
        raise SvcdocsError(f"{fetched.label}: the chart archive holds no Chart.yaml")


def _identity(chart_dir: str) -> tuple[str, str]:
    meta = _chart_yaml(chart_dir)
    return str(meta.get("name", os.path.basename(chart_dir))), str(meta.get("version", ""))


def _chart_yaml(chart_dir: str) -> dict:
    return _read_values(os.path.join(chart_dir, "Chart.yaml"), "Chart.yaml")


def _read_values(path: str, where: str) -> dict:
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_VALUES_FILE + 1)
    except OSError as e:
        raise SvcdocsError(f"{where}: cannot read: {e.strerror}") from None
    if len(raw) > MAX_VALUES_FILE:
        raise SvcdocsError(f"{where}: larger than {MAX_VALUES_FILE // 2**20} MiB")
    return parse_values(raw.decode("utf-8", "replace"), where)


def _add_dependencies(chart_dir: str, folder: str, context: Context, depth: int) -> None:
    """Put each dependency the chart lacks into its charts/ folder, as
    `helm dependency build` would: `file://` from the repository (relative to
    the chart's folder there), the others from the chart cache."""
    if depth > MAX_DEPENDENCY_DEPTH:
        raise SvcdocsError("chart dependencies nested more than five deep")
    meta = _chart_yaml(chart_dir)
    dependencies = meta.get("dependencies")
    if dependencies is None and os.path.isfile(os.path.join(chart_dir, "requirements.yaml")):
        dependencies = _read_values(os.path.join(chart_dir, "requirements.yaml"), "requirements.yaml").get(
            "dependencies")
    charts = os.path.join(chart_dir, "charts")
    present = set(os.listdir(charts)) if os.path.isdir(charts) else set()
    for dependency in dependencies if isinstance(dependencies, list) else []:
        if not isinstance(dependency, dict):
            continue
        name, version = str(dependency.get("name") or ""), str(dependency.get("version") or "")
        repository = str(dependency.get("repository") or "")
        if name in present or any(p.startswith(f"{name}-") and p.endswith(".tgz") for p in present):
            continue
        target = os.path.join(charts, name)
        if repository.startswith("file://"):
            if not folder:
                raise SvcdocsError(f"dependency {name} ({repository}) is not in the chart archive")
            path = os.path.normpath(os.path.join(folder, repository[len("file://"):]))
            copy_confined(_repository_chart(path, context), target, context.top)
            _add_dependencies(target, path, context, depth + 1)
        elif repository.startswith(("https://", "http://", "oci://")):
            try:
                fetched = fetch(HelmChart(chart=name, release="dependency", version=version, repository=repository),
                                context.options)
            except SvcdocsError as e:
                raise SvcdocsError(f"dependency {name}: {e}") from None
            unpack(fetched, target)
            _add_dependencies(target, "", context, depth + 1)
        else:
            raise SvcdocsError(f"dependency {names.shown(name)} comes from {names.shown(repository or 'nowhere')}; "
                               "svcdocs fetches dependencies only from a URL (vendor it in charts/ instead)")
        present.add(name)


# --- Values -------------------------------------------------------------------------------

def _values(chart: HelmChart, chart_dir: str, folder: str, context: Context, work: str) -> tuple[Computed, list[str]]:
    """The values as the controller computes them, written for helm, and the flags that pass them."""
    where = chart.pointer or chart.chart
    if chart.controller == "flux":
        if chart.chart_values and chart.values_files:
            defaults: dict = {}
            for name in chart.values_files:
                defaults = merge(defaults, _read_values(_flux_values_file(name, chart, chart_dir, context), name))
            _write(os.path.join(chart_dir, "values.yaml"), defaults)
        computed = flux_values(chart.values, chart.values_from, chart.home or chart.namespace, context.index, where)
        path = os.path.join(work, "values.yaml")
        _write(path, computed.values)
        return computed, [f"--values={path}"]
    flags: list[str] = []
    shown: dict = {}
    for name in chart.values_files:
        path = _argo_values_file(name, chart, chart_dir, folder, context)
        flags.append(f"--values={path}")
        shown = merge(shown, _read_values(path, name))
    if chart.values:
        inline = parse_values(chart.values, f"{where}: helm values")
        path = os.path.join(work, "values.yaml")
        _write(path, inline)
        flags.append(f"--values={path}")
        shown = merge(shown, inline)
    flags += [f"--set={n}={v}" for n, v in chart.parameters]
    flags += [f"--set-string={n}={v}" for n, v in chart.string_parameters]
    for name, value in chart.file_parameters:
        flags.append(f"--set-file={name}={_argo_values_file(value, chart, chart_dir, folder, context)}")
    parameters = {n: v for n, v in chart.parameters + chart.string_parameters}
    return Computed(shown, merge(shown, {f"--set {k}": v for k, v in parameters.items()})), flags


def _flux_values_file(name: str, chart: HelmChart, chart_dir: str, context: Context) -> str:
    """Flux's chart valuesFiles: from the repository's top for a chart of the
    repository (a GitRepository), from the chart for a fetched one."""
    if chart.kind == FOLDER:
        return _confined(name, context.resolve, context.top, name)
    return _confined(name, lambda p: os.path.join(chart_dir, p), os.path.realpath(chart_dir), name)


def _argo_values_file(name: str, chart: HelmChart, chart_dir: str, folder: str, context: Context) -> str:
    """Argo CD's valueFiles: `$ref/path` from the top of the source named `ref`
    (this repository only), else relative to the chart."""
    if name.startswith("$"):
        ref, _, rest = name[1:].partition("/")
        url = dict(chart.refs).get(ref)
        if url is None:
            raise SvcdocsError(f"values file {names.shown(name)}: no source of the Application has ref {ref!r}")
        if not context.same(url):
            raise SvcdocsError(f"values file {names.shown(name)} is in {url}, another repository")
        return _confined(rest, context.resolve, context.top, name)
    if folder:
        return _confined(name, lambda p: os.path.join(folder, p), context.top, name)
    return _confined(name, lambda p: os.path.join(chart_dir, p), os.path.realpath(chart_dir), name)


def _confined(path: str, locate: Callable[[str], str | None], top: str, shown: str) -> str:
    """A values file's real path, when it is a regular file inside `top`;
    an absolute path, or one that leads outside, is refused."""
    if os.path.isabs(path) or path.startswith("~"):
        raise SvcdocsError(f"values file {names.shown(shown)} is an absolute path; svcdocs reads values files "
                           "only inside the repository")
    found = locate(path) or os.path.join(top, path)
    real = os.path.realpath(found)
    if not inside(top, real):
        raise SvcdocsError(f"values file {names.shown(shown)} leads outside the repository; svcdocs reads "
                           "values files only inside it")
    if not os.path.exists(real):
        raise SvcdocsError(f"values file {names.shown(shown)} is not in the repository")
    if not os.path.isfile(real):
        raise SvcdocsError(f"values file {names.shown(shown)} is not a file")
    return real


def _write(path: str, values: dict) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        yaml.safe_dump(values, f, sort_keys=False, allow_unicode=True)
