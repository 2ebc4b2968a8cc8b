"""Rendering a kustomization or a Helm chart, safe on a pull request's content.

A pull request can add a `kustomization.yaml` to any folder. Before kustomize
runs, every kustomization it would read is read here, and an entry of
`resources`, `components`, `bases` (or `generators`, `transformers`,
`validators`) that names anything but a file or folder inside the repository
(a URL, `git::`, `file://`, `github.com/...`, a path that climbs out, a name
kustomize would go and fetch) is a load problem, unless the user passed
`--allow-remote`; so is a `helmCharts` list, unless the user asked for Helm
(and, for a chart repository, allowed remote fetches). kustomize then runs
without plugins, exec or container functions and without Helm unless asked
(svcdocs passes none of the flags that enable them), with git limited to the
protocols the user allowed, and with `--` before the path.

Helm runs only when the user asks (`--render helm`, or `render: [helm]` in the
config), never because a pull request added a `Chart.yaml`; a chart holding a
link that leads outside it is refused, since Helm would read what it points at.

`render_kustomization` is the one place a kustomization folder becomes bytes.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import yaml

from svcdocs.errors import SvcdocsError
from svcdocs.load.kustomizations import is_remote
from svcdocs.load.origin import render_with_origins
from svcdocs.load.problems import Problem
from svcdocs.load.sources import CHARTS, KUSTOMIZATIONS, LoadOptions, Source, display_path, inside
from svcdocs.load.yamldocs import Document, parse

RENDER_TIMEOUT_S = 300
MAX_ERROR_CHARS = 4000
ENTRY_FIELDS = ("resources", "components", "bases", "generators", "transformers", "validators")
MAX_SHOWN_ENTRY = 200
# Protocols git may use for kustomize's remote bases, when they are allowed at all.
REMOTE_GIT_PROTOCOLS = "https:ssh:file"


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


def kustomization_file(folder: str) -> str | None:
    return next((os.path.join(folder, k) for k in KUSTOMIZATIONS if os.path.isfile(os.path.join(folder, k))), None)


# --- Before kustomize runs ------------------------------------------------------------

def check_kustomization(folder: str, root: str, allow_remote: bool, helm: bool = False) -> list[Problem]:
    """Problems with every kustomization that rendering `folder` would read:
    entries that leave `root` (the repository) or name something to fetch,
    and `helmCharts` unless the user asked for Helm (from a chart repository,
    and allowed remote fetches)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    pending = [folder]
    while pending:
        current = pending.pop()
        real = os.path.realpath(current)
        if real in seen:
            continue
        seen.add(real)
        path = kustomization_file(current)
        if path is None:
            continue
        parsed = parse(Source(label=display_path(path), path=path), kustomizations=True)
        problems += parsed.problems + links_outside(current, root, "the repository")
        for document in parsed.documents:
            for line, field, entry in _entries(document):
                if field == "helmCharts":
                    if not helm:
                        problems.append(Problem(parsed.file, line, "helmCharts: svcdocs lets kustomize run helm "
                                                "only with --render helm"))
                    elif entry and not allow_remote:
                        problems.append(Problem(parsed.file, line, f"helmCharts from {_shown(entry)}: svcdocs "
                                                "fetches charts only with --allow-remote"))
                    continue
                reason, below = _entry_problem(current, root, entry, allow_remote)
                if reason:
                    problems.append(Problem(parsed.file, line, f"{field} entry {_shown(entry)}: {reason}"))
                elif below:
                    pending.append(below)
    return list(dict.fromkeys(problems))  # a link below two kustomizations is one problem


def _entries(document: Document) -> list[tuple[int, str, str]]:
    """(line, field, entry) of every entry that names something to read."""
    found = []
    for key, value in document.node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        if key.value == "helmCharts" and isinstance(value, yaml.SequenceNode):
            for chart in value.value:  # entry: the chart repository it is fetched from, if any
                repo = next((v.value for k, v in chart.value if isinstance(k, yaml.ScalarNode) and k.value == "repo"
                             and isinstance(v, yaml.ScalarNode)), "") if isinstance(chart, yaml.MappingNode) else ""
                found.append((document.line_of(chart), "helmCharts", repo.strip()))
        elif key.value in ENTRY_FIELDS and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                if isinstance(item, yaml.ScalarNode) and "\n" not in item.value.strip():
                    found.append((document.line_of(item), key.value, item.value.strip()))
    return found


def _entry_problem(folder: str, root: str, entry: str, allow_remote: bool) -> tuple[str | None, str | None]:
    """(why the entry is refused, or None; a local folder to check next, or None)."""
    if not entry:
        return "empty", None
    local = os.path.join(folder, entry)
    if is_remote(entry) or not os.path.lexists(local):
        if allow_remote:
            return None, None
        what = "a remote or file:// location" if is_remote(entry) else "nothing in the repository"
        return (f"names {what}, which kustomize would fetch; svcdocs renders only what is in the repository "
                "(pass --allow-remote to let kustomize fetch it)"), None
    target = os.path.realpath(local)
    if not inside(root, target) and not allow_remote:
        return f"leads outside the repository ({root}); svcdocs renders only what is in it", None
    return None, (target if os.path.isdir(target) else None)


def _shown(entry: str) -> str:
    return repr(entry if len(entry) <= MAX_SHOWN_ENTRY else entry[:MAX_SHOWN_ENTRY] + "…")


# --- Running the renderers ----------------------------------------------------------

def kustomize_source(folder: str, label: str, options: LoadOptions, root: str) -> Source:
    """A checked kustomization folder rendered through load/origin.py, so that
    each object is placed in the file it comes from (a file inside `root`,
    the repository)."""
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
    env = dict(os.environ, GIT_ALLOW_PROTOCOL=REMOTE_GIT_PROTOCOLS if allow_remote else "",
               GIT_TERMINAL_PROMPT="0")
    return _run(argv, folder, env)


def check_chart(folder: str) -> list[Problem]:
    """A link in the chart that leads outside it: helm would read its target."""
    return links_outside(folder, os.path.realpath(folder), "the chart")


def links_outside(folder: str, root: str, what: str) -> list[Problem]:
    """A problem for each link below `folder` that leads outside `root` (a
    renderer would read what it points at: a patch, a generator's file, a
    chart's template), found without following links to folders."""
    problems = []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink() and not inside(root, os.path.realpath(entry.path)):
                problems.append(Problem(display_path(entry.path), 1, f"a symbolic link to outside {what}; svcdocs "
                                        "does not render it (the renderer would read what it points at)"))
            elif entry.is_dir(follow_symlinks=False) and entry.name != ".git":
                pending.append(entry.path)
    return problems


def render_chart(folder: str) -> bytes:
    if not shutil.which("helm"):
        raise SvcdocsError(
            f"{folder} holds a Helm chart, but helm is not on PATH; "
            f"install helm, or render it yourself: helm template {folder} | svcdocs <command> -"
        )
    return _run(["helm", "template", "--", os.path.abspath(folder)], folder, dict(os.environ))


def run_tool(argv: list[str], folder: str, env: dict[str, str] | None = None) -> bytes:
    """Run a renderer: its output, or SvcdocsError with its whole error on one line."""
    return _run(argv, folder, dict(os.environ) if env is None else env)


def _run(argv: list[str], folder: str, env: dict[str, str]) -> bytes:
    shown = " ".join(argv[:2] + [folder])
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=RENDER_TIMEOUT_S, check=False, env=env,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise SvcdocsError(f"{folder}: `{shown}` did not finish in {RENDER_TIMEOUT_S} s") from None
    except OSError as e:
        raise SvcdocsError(f"{folder}: could not run {argv[0]}: {e.strerror}") from None
    if proc.returncode != 0:
        raise SvcdocsError(f"{folder}: `{shown}` failed: {error_text(proc.stderr, proc.returncode)}")
    return proc.stdout


def error_text(stderr: bytes, returncode: int) -> str:
    """A tool's whole error on one line (its lines joined), cut at MAX_ERROR_CHARS."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    text = " ".join(line for line in lines if line and line != ">") or f"exit status {returncode}"
    return text if len(text) <= MAX_ERROR_CHARS else text[:MAX_ERROR_CHARS - 1] + "…"
