"""kustomize's `helmCharts:` under `--render helm`, without writing into the
repository and with svcdocs's chart cache.

kustomize pulls a chart of `helmCharts` into its chart home, a folder of the
repository, unless the chart is there already. So a kustomization whose
closure has `helmCharts` is rendered from a private copy of the repository
(regular files, and what links inside it lead to; no `.git`), into which each
chart from a chart repository or registry is unpacked from the chart cache
(`load.helm.fetch`, with `--allow-remote` or `--offline`) where kustomize
looks for it. kustomize then only runs `helm template`, through a small
adapter that answers its version check (kustomize before 5.7 asks `helm
version -c`, which helm v4 no longer has) and runs helm with svcdocs's own helm
home, no network and no values schema check (whose `$ref`s helm would
fetch). Chart names, release names, namespaces, versions and
repositories are checked first, as for any release (`load.helm.names`): kustomize
puts the release name before the chart, unguarded.
"""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile
from dataclasses import replace

from svcdocs.errors import SvcdocsError
from svcdocs.load import composed
from svcdocs.load.helm import names
from svcdocs.load.helm.chart import HelmChart
from svcdocs.load.helm.fetch import fetch
from svcdocs.load.helm.render import NO_NETWORK, unpack, copy_confined
from svcdocs.load.kustomizations import kustomization_file, read_kustomization
from svcdocs.load.origin import render_with_origins
from svcdocs.load.sources import LoadOptions, Source
from svcdocs.state.charts import helm_home

MAX_COPY_BYTES = 256 * 1024 * 1024
DEFAULT_CHART_HOME = "charts"


def helm_charts(folder: str) -> list[tuple[str, str, dict]]:
    """(kustomization folder, chart home, entry) of every `helmCharts` entry
    of the kustomizations rendering `folder` reads."""
    found = []
    seen: set[str] = set()
    pending = [folder]
    while pending:
        current = pending.pop()
        real = os.path.realpath(current)
        if real in seen or not kustomization_file(current):
            continue
        seen.add(real)
        file = kustomization_file(current)
        node = next(composed.mappings(Source(label=file, path=file)), (None, 0))[0]
        home = composed.scalar(composed.path(node, "helmGlobals", "chartHome")) or DEFAULT_CHART_HOME
        for chart in composed.items(composed.value(node, "helmCharts")):
            entry = {key: composed.scalar(composed.value(chart, key)) or "" for key in
                     ("name", "repo", "version", "releaseName", "namespace")}
            found.append((current, home, entry))
        pending += [r.target for r in read_kustomization(current, current).includes if os.path.isdir(r.target)]
    return found


def helm_charts_source(folder: str, label: str, options: LoadOptions, root: str, render) -> Source | None:
    """The kustomization rendered with its helmCharts inflated (see above);
    None when no kustomization it reads has any. `render(path, helm_command)`
    runs kustomize on a folder."""
    entries = helm_charts(folder)
    if not entries:
        return None
    for _, _, entry in entries:
        names.chart_name(entry["name"])
        if entry["releaseName"]:
            names.release_name(entry["releaseName"])
        names.namespace(entry["namespace"])
        names.version(entry["version"])
        if entry["repo"]:
            names.repository_url(entry["repo"])
    top = os.path.realpath(root)
    with tempfile.TemporaryDirectory(prefix="svcdocs-kustomize-helm-") as work:
        copy = os.path.join(work, "repository")
        copy_confined(top, copy, top, MAX_COPY_BYTES)
        for kustomization, home, entry in entries:
            if entry["repo"]:
                _place(entry, os.path.join(copy, os.path.relpath(os.path.realpath(kustomization), top)), home, options)
        shim = _shim(work)
        target = os.path.join(copy, os.path.relpath(os.path.realpath(folder), top))
        try:
            data, origins = render_with_origins(target, lambda path: render(path, shim), copy)
        except SvcdocsError as e:  # kustomize's error, with the folders named as the user knows them
            raise SvcdocsError(str(e).replace(target, folder).replace(copy, top).replace(work, "")) from None
    return Source(label=label, data=data, size=len(data), origins=replace(origins, folder=folder))


def _place(entry: dict, kustomization: str, home: str, options: LoadOptions) -> None:
    """Unpack a chart where kustomize looks for it: chartHome/name-version/name
    (chartHome/name without a version), unless the repository has it there."""
    base = home if os.path.isabs(home) else os.path.join(kustomization, home)
    if entry["version"]:
        base = os.path.join(base, f"{entry['name']}-{entry['version']}")
    target = os.path.join(base, entry["name"])
    if os.path.isdir(target):
        return
    chart = HelmChart(chart=entry["name"], release=entry["releaseName"] or entry["name"], version=entry["version"],
                      repository=entry["repo"])
    try:
        unpack(fetch(chart, options), target)
    except SvcdocsError as e:
        raise SvcdocsError(f"helmCharts {entry['name']}: {e}") from None


def _shim(work: str) -> str:
    """The helm kustomize runs: svcdocs's helm home, no network, and a
    version kustomize accepts (v3, which helm v4's CLI is compatible with
    for `template`)."""
    helm = shutil.which("helm")
    if helm is None:
        raise SvcdocsError("helm is not on PATH")
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in {**helm_home(), **NO_NETWORK}.items())
    path = os.path.join(work, "helm")
    with open(path, "w", encoding="utf-8") as f:
        f.write("#!/bin/sh\n"
                'if [ "$1" = version ]; then echo v3.99.0; exit 0; fi\n'
                'if [ "$1" = template ]; then shift; set -- template --skip-schema-validation "$@"; fi\n'
                f'exec env {env} {shlex.quote(helm)} "$@"\n')
    os.chmod(path, 0o700)
    return path
