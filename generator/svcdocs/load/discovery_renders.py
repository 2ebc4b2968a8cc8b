"""Rendering for discovery: the one seam between environments and the tools.

Every kustomization and chart that discovery renders goes through the two
functions here, which call the renderer of `load.renderer` (the one a PATH that
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

import shlex
from dataclasses import dataclass

from svcdocs.errors import SvcdocsError
from svcdocs.load.helm.chart import HelmChart
from svcdocs.load.helm.render import Context, Rendered, render_release
from svcdocs.load.renderer import check_kustomization, kustomize_source
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


def kustomize_command(folder: str, verb: str = "<command>") -> str:
    return f"kubectl kustomize {shlex.quote(folder)} | svcdocs {verb} -"


def render_kustomization(folder: str, options: LoadOptions, root: str, listed: bool = True) -> Source:
    """`kubectl kustomize FOLDER` (or `kustomize build`), placed in its source
    files; SvcdocsError when it cannot, or must not (what `check_kustomization`
    refuses below `root`, the repository). `listed=False`: the caller has
    already tried reading it as the files it lists (load/listed.py)."""
    problems = check_kustomization(folder, root, options.allow_remote, options.helm)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise SvcdocsError(f"{problems[0]}{more}")
    return kustomize_source(folder, f"{folder} (kustomize)", options, root, listed)


def render_helm(chart: HelmChart, context: Context, label: str) -> tuple[Source, Rendered]:
    """`helm template` of one release (`load.helm.render`), as a source whose
    objects are placed at their templates; SvcdocsError when it cannot."""
    rendered = render_release(chart, context)
    return Source(label=label, data=rendered.data, size=len(rendered.data), origins=rendered.origins), rendered
