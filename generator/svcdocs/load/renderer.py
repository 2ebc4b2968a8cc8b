"""Rendering a kustomization or a Helm chart, safe on a pull request's content.

A pull request can add a `kustomization.yaml` to any folder. Before kustomize
runs, every kustomization it would read, and every file, folder or address
they name in any field, is checked by load/kustomize_check.py (the one
checker, for a PATH and for discovery alike): a remote location, a path that
leaves the repository (through a link too) or git's own files are load
problems, unless the user passed `--allow-remote` (git's files never); so is
Helm (`helmCharts`), unless the user asked for it (and, for a chart
repository, allowed remote fetches). In a git work tree, kustomize then
renders a private copy of the tracked files the checker let through
(load/staged.py); it runs without plugins, exec or container functions and
without Helm unless asked (svcdocs passes none of the flags that enable
them), with git limited to the protocols the user allowed, without
`--allow-remote` behind a proxy that goes nowhere, and with `--` before the
path.

Helm runs only when the user asks (`--render helm`, or `render: [helm]` in a
config named with --config), never because a pull request added a
`Chart.yaml`; a chart holding a link that leads outside it is refused, since
Helm would read what it points at.

`render_kustomization` is the one place a kustomization folder becomes bytes.
"""

from __future__ import annotations

import os
import shutil
from contextlib import nullcontext
from dataclasses import replace

from svcdocs.errors import SvcdocsError
from svcdocs.load.kustomize_check import Checked, check, links_outside
from svcdocs.load.listed import listed_source
from svcdocs.load.origin import render_with_origins
from svcdocs.load.problems import Problem
from svcdocs.load.sources import CHARTS, KUSTOMIZATIONS, LoadOptions, Source
from svcdocs.load.staged import staged, untracked
from svcdocs.load.tools import run_tool

# Protocols git may use for kustomize's remote bases, when they are allowed at all.
REMOTE_GIT_PROTOCOLS = "https:ssh:file"
# Without --allow-remote, kustomize's proxy: a port of this machine where nothing listens.
NOWHERE = "http://127.0.0.1:9"
PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def renders(folder: str, options: LoadOptions) -> tuple[str, str | None]:
    """How a folder PATH is read: `kustomize`, `helm` or `files`, and a note
    for the user when a chart is read as plain files."""
    return mode_of(folder, {n for n in KUSTOMIZATIONS + CHARTS if os.path.isfile(os.path.join(folder, n))}, options)


def mode_of(folder: str, names: set[str], options: LoadOptions) -> tuple[str, str | None]:
    """`renders` for a folder whose file names are `names`."""
    if "kustomize" in options.render and names & set(KUSTOMIZATIONS):
        return "kustomize", None
    if names & set(CHARTS):
        if "helm" in options.render:
            return "helm", None
        return "files", (f"{folder} holds a Helm chart; it is read as plain files (svcdocs runs helm only when "
                         "asked: --render helm, or render: [helm] in .svcdocs.yaml)")
    return "files", None


def render_folder(folder: str, mode: str, root: str, options: LoadOptions) -> Source:
    """The rendered folder as one source, or a source of the problems that stopped the render."""
    if mode == "kustomize":
        label = f"{folder} (kustomize)"
        problems = check_kustomization(folder, root, options.allow_remote, options.helm)
        if problems:
            return Source(label=label, problems=tuple(problems))
        return kustomize_source(folder, label, options, root)
    label = f"{folder} (helm template)"
    problems = check_chart(folder)
    if problems:
        return Source(label=label, problems=tuple(problems))
    return Source(label=label, data=render_chart(folder))


# --- Before kustomize runs ------------------------------------------------------------

def check_kustomization(folder: str, root: str, allow_remote: bool, helm: bool = False) -> list[Problem]:
    """Problems with every kustomization that rendering `folder` would read
    and every file, folder or address they name (load/kustomize_check.py):
    what leaves `root` (the repository) or names something to fetch, git's
    own files, Helm unless the user asked for it, and files git does not track."""
    return checked_kustomization(folder, root, allow_remote, helm).problems


def checked_kustomization(folder: str, root: str, allow_remote: bool, helm: bool = False) -> Checked:
    found = check(folder, root, allow_remote, helm)
    if not allow_remote:  # with it, kustomize reads the checkout itself (and beyond)
        found.problems += untracked(found, root)
    return found


# --- Running the renderers ----------------------------------------------------------

def kustomize_source(folder: str, label: str, options: LoadOptions, root: str, listed: bool = True) -> Source:
    """A checked kustomization folder rendered through load/origin.py, so that
    each object is placed in the file it comes from (a file inside `root`,
    the repository): in a git work tree, from a private copy of the tracked
    files the checker let through (load/staged.py), unless the user allowed
    remote fetches; with --render helm, `helmCharts` inflated from svcdocs's
    chart cache (load/helm/kustomize.py). A kustomization that only lists
    files is read as those files, without kustomize (load/listed.py), unless
    the caller has tried that already (`listed=False`)."""
    found = listed_source(folder, label, root) if listed else None
    if found is not None:  # only files, listed: what kustomize would render is those files as they are
        return found
    checked = check(folder, root, options.allow_remote, options.helm)
    with staged(checked, root) if not options.allow_remote else nullcontext() as stage:
        if stage is None:
            return _kustomize_source(folder, label, options, root)
        inner = os.path.join(stage, os.path.relpath(os.path.realpath(folder), root))
        try:
            source = _kustomize_source(inner, label, options, stage)
        except SvcdocsError as e:
            raise SvcdocsError(str(e).replace(inner, folder).replace(stage, root)) from None
    return replace(source, origins=replace(source.origins, folder=folder))


def _kustomize_source(folder: str, label: str, options: LoadOptions, root: str) -> Source:
    if options.helm:  # helmCharts: inflated from svcdocs's chart cache, in a copy of the repository
        from svcdocs.load.helm.kustomize import helm_charts_source
        found = helm_charts_source(folder, label, options, root, lambda path, helm_command: render_kustomization(
            path, options.allow_remote, True, helm_command))
        if found is not None:
            return found
    data, origins = render_with_origins(
        folder, lambda path: render_kustomization(path, options.allow_remote, options.helm), root)
    return Source(label=label, data=data, size=len(data), origins=origins)


def render_kustomization(folder: str, allow_remote: bool = False, helm: bool = False,
                         helm_command: str | None = None) -> bytes:
    """The output of `kubectl kustomize` (or `kustomize build`) for `folder`,
    whose kustomizations have been checked. Nothing enables plugins, exec or
    container functions; Helm only when the user asked (`--render helm`);
    git may use only the allowed protocols."""
    flags = ["--enable-helm"] if helm else []
    flags += [f"--helm-command={helm_command}"] if helm_command else []
    if shutil.which("kubectl"):
        argv = ["kubectl", "kustomize", *flags, "--", os.path.abspath(folder)]
    elif shutil.which("kustomize"):
        argv = ["kustomize", "build", *flags, "--", os.path.abspath(folder)]
    else:
        raise SvcdocsError(
            f"{folder} holds a kustomization, but neither kubectl nor kustomize is on PATH; "
            f"install one, or render it yourself: kustomize build {folder} | svcdocs <command> -"
        )
    return run_tool(argv, folder, kustomize_env(allow_remote))


def kustomize_env(allow_remote: bool) -> dict[str, str]:
    """kustomize's environment: git limited to the allowed protocols (none
    without --allow-remote), and without it a proxy that goes nowhere for
    kustomize, git and helm, so that a fetch the checks missed fails (Go
    sends no request to a loopback address through a proxy: the checks
    alone stand there)."""
    env = dict(os.environ, GIT_ALLOW_PROTOCOL=REMOTE_GIT_PROTOCOLS if allow_remote else "", GIT_TERMINAL_PROMPT="0")
    if allow_remote:
        return env
    env.update({name: NOWHERE for name in PROXIES}, NO_PROXY="", no_proxy="")
    count = env.get("GIT_CONFIG_COUNT", "0")
    count = int(count) if count.isdigit() else 0
    env.update({"GIT_CONFIG_COUNT": str(count + 1), f"GIT_CONFIG_KEY_{count}": "http.proxy",
                f"GIT_CONFIG_VALUE_{count}": NOWHERE})
    return env


def check_chart(folder: str) -> list[Problem]:
    """A link in the chart that leads outside it: helm would read its target."""
    return links_outside(folder, os.path.realpath(folder), "the chart")


def render_chart(folder: str) -> bytes:
    if not shutil.which("helm"):
        raise SvcdocsError(
            f"{folder} holds a Helm chart, but helm is not on PATH; "
            f"install helm, or render it yourself: helm template {folder} | svcdocs <command> -"
        )
    return run_tool(["helm", "template", "--", os.path.abspath(folder)], folder)
