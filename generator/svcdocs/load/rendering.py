"""Rendering for discovery: the one seam between environments and the tools.

Every kustomization and chart that discovery renders goes through the two
functions here, which call the renderer of `load.render` (the one a PATH that
holds a kustomization or a chart is rendered with): every kustomization it
would read is checked first (`check_kustomization`), kustomize runs without exec
or container functions, helm only when the user asked for it (`--render
helm`), git only with the protocols allowed, and each render is stopped after
`RENDER_TIMEOUT_S`. Discovery reads every kustomization before this point too,
to say early and plainly which ones are refused.

A render that cannot happen or fails is not an error here: it becomes a
`NotRendered` with its reason and, where there is one, the pipe that works
instead, and the rest of the repository is still read.
"""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile
from dataclasses import dataclass

from svcdocs.errors import SvcdocsError
from svcdocs.load.render import check_kustomization, kustomize_source, run_tool
from svcdocs.load.sources import LoadOptions, Source


@dataclass(frozen=True, slots=True)
class NotRendered:
    """Input that was not read, and why: a kustomization that failed or was
    refused, a chart or a HelmRelease without helm, an unused component."""

    what: str  # overlays/prod, charts/web, HelmRelease podinfo/podinfo
    kind: str  # kustomization | chart | helm-release | component
    file: str  # where it is declared
    line: int
    reason: str
    instead: str = ""  # a command that works instead, when there is one
    environment: str = ""  # the environment it belongs to, "" for none

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}: {self.what} not rendered: {self.reason}"
        return text + (f"; instead: {self.instead}" if self.instead else "")


@dataclass(frozen=True, slots=True)
class HelmChart:
    """What `helm template` needs for one release."""

    chart: str  # a folder in the repository, or a chart's name in `repository`
    release: str
    version: str = ""
    repository: str = ""  # a chart repository's URL (https:// or oci://); "" for a folder
    namespace: str = ""
    values_files: tuple[str, ...] = ()  # relative to the chart's folder
    values: str = ""  # inline values as YAML text (passed to helm, never shown)
    parameters: tuple[tuple[str, str], ...] = ()  # --set name=value

    def argv(self, values_file: str | None = None, parameters: bool = True) -> list[str]:
        argv = ["helm", "template", self.release]
        if self.repository.startswith("oci://"):
            argv.append(f"{self.repository.rstrip('/')}/{self.chart}")
        else:
            argv.append(self.chart)
            if self.repository:
                argv += ["--repo", self.repository]
        if self.version:
            argv += ["--version", self.version]
        if self.namespace:
            argv += ["--namespace", self.namespace]
        for name in self.values_files:
            argv += ["--values", os.path.join(self.chart, name) if not self.repository else name]
        if values_file:
            argv += ["--values", values_file]
        for name, value in self.parameters if parameters else ():
            argv += ["--set", f"{name}={value}"]
        return argv

    def command(self, verb: str = "<command>") -> str:
        """The pipe that works instead. Inline values and parameters are never
        shown (they may hold secrets): a placeholder says where they go."""
        shown = " ".join(shlex.quote(a) for a in self.argv(parameters=False))
        shown += " --values VALUES.yaml" if self.values else ""
        shown += " --set ..." if self.parameters else ""
        return f"{shown} | svcdocs {verb} -"


def kustomize_command(folder: str, verb: str = "<command>") -> str:
    return f"kubectl kustomize {shlex.quote(folder)} | svcdocs {verb} -"


def render_kustomization(folder: str, options: LoadOptions, root: str) -> Source:
    """`kubectl kustomize FOLDER` (or `kustomize build`), placed in its source
    files; SvcdocsError when it cannot, or must not (what `check_kustomization`
    refuses below `root`, the repository)."""
    problems = check_kustomization(folder, root, options.allow_remote, options.helm)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise SvcdocsError(f"{problems[0]}{more}")
    return kustomize_source(folder, f"{folder} (kustomize)", options, root)


def render_chart(chart: HelmChart, options: LoadOptions) -> bytes:
    """`helm template` of one release; SvcdocsError when it cannot."""
    if not options.helm:
        raise SvcdocsError("helm runs only when you ask for it with --render helm")
    if not shutil.which("helm"):
        raise SvcdocsError("helm is not on PATH")
    if chart.repository and not options.allow_remote:
        raise SvcdocsError(f"the chart comes from {chart.repository}; svcdocs fetches charts only with --allow-remote")
    if not chart.values:
        return run_tool(chart.argv(), chart.chart)
    with tempfile.TemporaryDirectory(prefix="svcdocs-values-") as folder:
        values = os.path.join(folder, "values.yaml")
        with open(values, "w", encoding="utf-8") as f:
            f.write(chart.values)
        return run_tool(chart.argv(values), chart.chart)
