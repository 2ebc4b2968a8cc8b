"""Environments: what a real repository deploys, one environment at a time.

Walking a folder, discovery finds every kustomization root (a folder holding
`kustomization.yaml`, `kustomization.yml` or `Kustomization`) and every Helm
chart (a folder holding `Chart.yaml`), and reads each kustomization to know
what it includes. Then:

- each **entry kustomization** (a root that no other root of the folder
  includes as a resource or a component) is an environment, named by its path
  (`overlays/prod`) and rendered once; the bases it reaches are read only
  through it, never as plain files;
- the **plain manifests** outside every root are one more environment, read as
  they always were;
- a chart is rendered with `helm template` when helm is on PATH and the user
  asked for it (`--render helm`), and is otherwise listed as not rendered, with
  the pipe that works instead;
- **GitOps pointers** (Argo CD Applications and ApplicationSets, Flux
  Kustomizations) that lead into the repository name the environment at their
  path, which becomes one if it was not one already; Flux HelmReleases (and
  Argo CD sources from chart repositories) are listed, and rendered into their
  environment under the same conditions as charts.

`--env NAME=PATH` (repeatable, with globs) or `environments:` in the config
name the environments instead: exactly those are read.

Rendering is safe on untrusted input: before a kustomization is rendered, it
and every kustomization it reaches are read, and a remote resource (a URL,
`git::`, `github.com/...`) is refused unless the user passes `--allow-remote`,
as is a path that leaves the repository. Renders run in parallel (one per
core), each with a timeout. What could not be read is said: every
`NotRendered` carries its reason. A folder with no kustomization, no chart and
no pointer into itself is read exactly as before, as one set of sources.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import BinaryIO, Iterable

from svcdocs.errors import SvcdocsError
from svcdocs.load import bounded, gitops, targets
from svcdocs.load.gitops import Artifact, FluxSource, Pointer, Scan
from svcdocs.load.kustomizations import (
    Kustomization, escapes, kustomization_file, read_kustomization,
)
from svcdocs.load.problems import Unread
from svcdocs.load.kustomize_check import unlisted
from svcdocs.load.render import check_kustomization
from svcdocs.load.helm.chart import deployable
from svcdocs.load.helm.discovery import Chained, HelmDiscovery
from svcdocs.load.helm.inventory import Release
from svcdocs.load.helm.substitute import PostBuild, Unset
from svcdocs.load.helm.values import DataIndex
from svcdocs.load.exclude import Excludes
from svcdocs.load.rendering import HelmChart, NotRendered, kustomize_command, render_kustomization
from svcdocs.load.walk import walk as walk_folder
from svcdocs.load.discover import discover, refuse_link_outside
from svcdocs.load.sources import (
    KUSTOMIZATIONS, MANIFEST_SUFFIXES, STDIN, TOOL_CONFIG_FILES, Discovered, LoadOptions, Rendering, Source,
    display_path,
)

PLAIN = "plain manifests"
CHART_FILES = ("Chart.yaml",)
_GLOB = re.compile(r"[*?\[]")
# kubectl's log prefix on an error: `E1130 14:48:59.677519  6531 run.go:72] "command failed" err=`
_KLOG = re.compile(r'[EWIF]\d{4} [\d:.]+\s+\d+ [\w.-]+:\d+\] (?:"command failed" err=)?')
MAX_ROUNDS = 20  # pointers found in what pointers led to, and so on (app of apps of apps)


@dataclass(frozen=True, slots=True)
class App:
    """One deployable unit inside an environment: an Argo CD Application, a
    Flux Kustomization or HelmRelease, an entry kustomization, a chart, or a
    top-level plain folder that nothing ties to another. Its objects are those
    of its sources (by `Source.label`)."""

    name: str  # Application / Kustomization / HelmRelease name; else the folder, relative to the PATH
    kind: str  # Application | Kustomization | HelmRelease | kustomization | chart | folder
    path: str  # what it is read from, repository-relative ("" when from outside the repository)
    sources: tuple[str, ...] = ()  # the labels of the sources it deploys
    source: str = ""  # where it comes from when not this repository: a chart repository, an OCI URL
    chart: str = ""  # chart name, when it is a chart
    version: str = ""  # chart version, when known
    namespace: str = ""  # where its objects that name none go ("" when not set)
    declared: tuple[str, int] = ("", 0)  # the file and line of its Application / Kustomization / HelmRelease


@dataclass(frozen=True, slots=True)
class Environment:
    """One environment: its name, where it is read from, and its sources."""

    name: str
    path: str  # what it is read from, as shown: overlays/prod, apps/*, a folder
    origin: str  # kustomization | chart | folder | files | plain | named
    sources: tuple[Source, ...]
    skipped_files: int = 0
    pointed_by: tuple[str, ...] = ()  # the GitOps pointers that name it
    name_prefix: str = ""  # the entry kustomization's own namePrefix, nameSuffix
    name_suffix: str = ""
    namespace: str = ""  # where objects that name none go, when the pointers that name it agree ("": --namespace)
    release_namespaces: tuple[tuple[str, str], ...] = ()  # (label, namespace): a HelmRelease's objects go to its own
    releases: tuple[Release, ...] = ()  # its Helm releases (load.helm.inventory)
    unset: tuple[Unset, ...] = ()  # Flux variables used without a value
    apps: tuple[App, ...] = ()  # what is deployed apart inside it (by name)
    deployed_apart: bool = False  # its apps are deployed apart (nothing applies them together)
    source_namespaces: tuple[str, ...] = ()  # for each source, where its objects that name none go ("": namespace)

    def namespaces(self, default: str) -> list[str]:
        """For each source, where its objects that name no namespace go (a
        folder two Applications deploy is two sources, one per namespace)."""
        if self.source_namespaces:
            return [n or self.namespace or default for n in self.source_namespaces]
        return [self.namespace_of(s, default) for s in self.sources]

    def apps_of_sources(self) -> dict[str, str]:
        """Each source's label to its app's name, when the apps are deployed
        apart ({} when they are deployed together: one deploy set)."""
        if not self.deployed_apart:
            return {}
        return {label: app.name for app in self.apps for label in app.sources}

    def namespace_of(self, source: Source, default: str) -> str:
        """Where the objects of `source` that name no namespace go."""
        return dict(self.release_namespaces).get(source.label) or self.namespace or default


@dataclass(frozen=True, slots=True)
class Environments:
    environments: tuple[Environment, ...]
    pointers: tuple[Pointer, ...] = ()
    not_rendered: tuple[NotRendered, ...] = ()
    discovered: bool = True  # False: the PATHs were read as before (no kustomization, chart or pointer)
    unread: tuple[Unread, ...] = ()  # files kubectl would apply that svcdocs did not read
    renderings: tuple[Rendering, ...] = ()  # read as before: how each PATH was read
    notes: tuple[str, ...] = ()  # read as before: for the user, one line each
    found_by: str = ""  # how the environments were found, one sentence ("one per Flux cluster folder: ...")
    env_pattern: str = ""  # the --env option that would group them, when there are many ("--env 'clusters/*'")


@dataclass(frozen=True, slots=True)
class EnvironmentOptions:
    named: tuple[tuple[str, str], ...] = ()  # (NAME or "", PATH or glob): --env, or the config's environments
    render: LoadOptions | None = None  # None: the config's renderers


def parse_env(spec: str) -> tuple[str, str]:
    """`prod=overlays/prod` -> ("prod", "overlays/prod"); `apps/*` -> ("", "apps/*")."""
    name, sep, path = spec.partition("=")
    if not sep:
        return "", spec.strip()
    if not name.strip() or not path.strip():
        raise SvcdocsError(f"--env {spec!r}: give NAME=PATH or PATH")
    return name.strip(), path.strip()


def discover_environments(paths: Iterable[str], stdin: BinaryIO | None = None,
                          options: EnvironmentOptions = EnvironmentOptions()) -> Environments:
    """The environments of PATHs (default `.`)."""
    paths = tuple(paths) or (".",)
    if options.render is None:
        options = replace(options, render=LoadOptions())
    if options.named:
        return _Discovery(options.render, _repository(".")).named(options.named)
    for path in paths:
        if path != STDIN:
            refuse_link_outside(path)
    walked = [p for p in paths if p != STDIN and os.path.isdir(p) and not _rendered_folder(p)]
    if len(walked) != len(paths) or "kustomize" not in options.render.render:
        return as_environments(discover(paths, stdin, options.render))
    discoveries = [_Discovery(options.render, _repository(p)) for p in walked]
    trees = [d.walk(p) for d, p in zip(discoveries, walked)]
    if not any(t.roots or t.charts for t in trees) and not any(d.has_pointers(t.plain) for d, t in zip(discoveries, trees)):
        # what `discover` reads for these folders: the same walk (tests/test_environments.py checks it)
        return as_environments(Discovered(tuple(s for t in trees for s in t.plain), sum(t.skipped for t in trees),
                                     tuple(u for t in trees for u in t.unread),
                                     tuple(Rendering(p, "files") for p in walked)))
    found = [d.automatic(t, prefix=_display(p) if len(walked) > 1 else "") for d, t, p in zip(discoveries, trees, walked)]
    return Environments(
        environments=tuple(e for f in found for e in f.environments),
        pointers=tuple(sorted((p for f in found for p in f.pointers), key=Pointer.sort_key)),
        not_rendered=tuple(n for f in found for n in f.not_rendered),
        unread=tuple(u for t in trees for u in t.unread),
        found_by=" ".join(f.found_by for f in found if f.found_by),
        env_pattern=" ".join(f.env_pattern for f in found if f.env_pattern),
    )


def as_environments(found: Discovered) -> Environments:
    """PATHs read as before: one environment of their sources."""
    return Environments((Environment("", "", "files", found.sources, found.skipped_files),), discovered=False,
                        unread=found.unread, renderings=found.renderings, notes=found.notes)


def _rendered_folder(path: str) -> bool:
    return any(os.path.isfile(os.path.join(path, name)) for name in KUSTOMIZATIONS + CHART_FILES)


def _display(path: str) -> str:
    shown = display_path(os.path.normpath(path)).replace(os.sep, "/")
    return shown


# --- The repository ---------------------------------------------------------------------

@dataclass
class _Repository:
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


def _repository(root: str) -> _Repository:
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
    return _Repository(root, top, identities)


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


# --- Walking ----------------------------------------------------------------------------

@dataclass
class _Tree:
    folder: str  # as given
    plain: list[Source] = field(default_factory=list)  # files outside every root and chart, in walk order
    skipped: int = 0
    unread: list[Unread] = field(default_factory=list)  # files kubectl would apply that svcdocs does not read
    roots: dict[str, Kustomization] = field(default_factory=dict)  # real path -> its kustomization
    charts: list[str] = field(default_factory=list)  # chart folders, as walked

    def entries(self) -> list[Kustomization]:
        """Roots that no other root of the tree includes; components never are."""
        included = {os.path.realpath(r.target) for k in self.roots.values() for r in k.includes}
        return [k for real, k in self.roots.items() if real not in included and k.kind != "Component"]

    def unused_components(self) -> list[Kustomization]:
        included = {os.path.realpath(r.target) for k in self.roots.values() for r in k.includes}
        return [k for real, k in self.roots.items() if real not in included and k.kind == "Component"]


def walk(folder: str, exclude: Excludes = Excludes()) -> _Tree:
    """The folder walk of `load.walk` (every file `kubectl apply -R` would read,
    in its order, the files not read named), which also finds kustomization
    roots and charts; what lies inside one is its own."""
    tree = _Tree(folder)
    walked = walk_folder(folder, exclude)
    tree.skipped, tree.unread = walked.skipped, walked.unread
    owner: dict[str, str] = {}  # folder -> "kustomization" | "chart" | "" (plain); parents come first
    for current, names in walked.folders:
        current = os.path.normpath(current)
        inherited = owner.get(_parent(current), "") if current != os.path.normpath(folder) else ""
        names = set(names)
        if inherited == "chart":
            owner[current] = "chart"
        elif any(k in names for k in KUSTOMIZATIONS):
            owner[current] = "kustomization"
            tree.roots[os.path.realpath(current)] = read_kustomization(current, _display(current))
        elif "Chart.yaml" in names:
            owner[current] = "chart"
            if inherited != "kustomization":  # a chart inside a kustomization is its helmCharts' own
                tree.charts.append(current)
        else:
            owner[current] = inherited
    tree.plain = [s for s in walked.sources if not owner.get(_parent(s.label), "")]
    tree.unread += unlisted(walked)  # files below a kustomization that it does not list
    return tree


def _parent(path: str) -> str:
    return os.path.normpath(os.path.dirname(os.path.normpath(path)) or ".")


# --- Discovery --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Job:
    """One render: a kustomization folder or one Helm release."""

    label: str  # the rendered source's label
    folder: str = ""  # a kustomization folder, as shown
    chart: HelmChart | None = None
    release: bool = False  # a HelmRelease's: its objects go to its namespace


@dataclass
class _Draft:
    name: str
    path: str
    origin: str
    files: list[Source] = field(default_factory=list)
    skipped: int = 0
    jobs: list[_Job] = field(default_factory=list)
    pointed_by: list[str] = field(default_factory=list)
    destinations: set[str] = field(default_factory=set)
    claims: set[str] = field(default_factory=set)  # real paths of plain files it takes from the plain environment
    prefix: str = ""
    suffix: str = ""
    post_build: PostBuild | None = None  # the Flux Kustomization's variables, substituted into what it deploys
    releases: list[tuple[str, HelmChart]] = field(default_factory=list)  # its HelmReleases' renders, done or not
    rel: str = ""  # its path from the walked folder ("" for a chart from a chart repository)
    apps: list[App] = field(default_factory=list)  # the pointers that lead to it, as apps
    original: _Draft | None = None  # the draft it reads again, into another Application's namespace


class _Discovery:
    def __init__(self, options: LoadOptions, repository: _Repository):
        self.options = options
        self.repo = repository
        self.drafts: dict[tuple, _Draft] = {}
        self.not_rendered: list[NotRendered] = []
        self.refused: dict[_Job, NotRendered] = {}  # jobs discovery refused before rendering
        self.rendered: dict[_Job, Source | NotRendered] = {}
        self.scans: dict[str, Scan] = {}  # by file path or job label
        self.kustomizations: dict[str, Kustomization] = {}
        self.job_draft: dict[_Job, list[_Draft]] = {}
        self.job_declared: dict[_Job, tuple[str, int]] = {}  # a release's HelmRelease or Application: file, line
        self.every_data: tuple[tuple, DataIndex] = ((), DataIndex())  # (generation, every draft's ConfigMaps, Secrets)
        self.helm = HelmDiscovery(options, repository.top, repository.same, self._here)
        self.led_to: dict[Pointer, _Draft] = {}  # each pointer followed, to the draft it leads to
        self.owner: dict[str, _Draft] = {}  # each source's label, to the one draft that deploys it
        self.folder = repository.root  # the walked folder, where apps' paths start
        self.read: set[int] = set()

    # --- what a folder holds ---------------------------------------------------------

    def has_pointers(self, files: list[Source]) -> bool:
        """Whether any plain file holds a GitOps pointer (into this repository
        or not, a HelmRelease too: each is listed with where it leads)."""
        return any(self._scan_file(s).pointers for s in files)

    def walk(self, folder: str) -> _Tree:
        tree = walk(folder, self.options.exclude)
        self.kustomizations.update(tree.roots)
        return tree

    def automatic(self, tree: _Tree, prefix: str = "") -> Environments:
        """Entry kustomizations, charts and the plain manifests; then pointers;
        then what is deployed together (load/targets.py)."""
        self.folder = tree.folder
        def named(path: str) -> str:
            relative = os.path.relpath(path, tree.folder).replace(os.sep, "/")
            return f"{prefix}/{relative}" if prefix else relative

        for k in tree.entries():
            self._draft(("kustomization", os.path.realpath(k.folder)), named(k.folder), _display(k.folder),
                        "kustomization", jobs=[self._kustomization_job(k.folder)], kustomization=k)
        for chart in filter(deployable, tree.charts):
            job = self._chart_job(HelmChart(chart=_display(chart), release=_release(chart)))
            self._draft(("chart", os.path.realpath(chart), job.chart), named(chart), _display(chart), "chart",
                        jobs=[job])
        for component in tree.unused_components():
            self.not_rendered.append(NotRendered(
                _display(component.folder), "component", component.file, 1,
                "a kustomize Component that no kustomization here includes, so nothing here deploys it; "
                "add it to a kustomization's components to read it"))
        plain = self._draft(("plain", os.path.realpath(tree.folder)), f"{prefix}: {PLAIN}" if prefix else PLAIN,
                            _display(tree.folder), "plain", files=tree.plain, skipped=tree.skipped)
        self._follow_pointers(automatic=True)
        taken = {c for d in self.drafts.values() if d is not plain for c in d.claims}
        plain.files = [s for s in plain.files if os.path.realpath(s.path) not in taken]
        return self._finish(grouped=True, prefix=prefix)

    def named(self, specs: tuple[tuple[str, str], ...]) -> Environments:
        """Exactly the environments the user named."""
        for name, pattern in specs:
            matches = _expand(pattern)
            if name:
                draft = self._draft(("named", name), name, pattern, "named")
                for path in matches:
                    self._add_parts(draft, path)
            else:
                for path in matches:
                    shown = _display(path)
                    draft = self._draft(("named", shown), shown, shown, "named")
                    self._add_parts(draft, path)
        self._follow_pointers(automatic=False)
        return self._finish()

    def _draft(self, key: tuple, name: str, path: str, origin: str, files: Iterable[Source] = (), skipped: int = 0,
               jobs: Iterable[_Job] = (), kustomization: Kustomization | None = None) -> _Draft:
        draft = self.drafts.get(key)
        if draft is None:
            draft = self.drafts[key] = _Draft(name, path, origin, list(files), skipped)
            draft.rel = self._rel(key[1]) if len(key) > 1 and isinstance(key[1], str) and key[0] != "named" else ""
            if kustomization is not None:
                draft.prefix, draft.suffix = kustomization.name_prefix, kustomization.name_suffix
            for job in jobs:
                self._add_job(draft, job)
        return draft

    def _rel(self, real: str) -> str:
        """A real path from the walked folder, with `/` between folders."""
        return os.path.relpath(real, os.path.realpath(self.folder)).replace(os.sep, "/")

    def _add_job(self, draft: _Draft, job: _Job) -> None:
        draft.jobs.append(job)
        self.job_draft.setdefault(job, []).append(draft)

    def _add_parts(self, draft: _Draft, path: str, recurse: bool = True) -> None:
        """What one path holds: a file, a kustomization, a chart, or a folder of
        plain files and the entry kustomizations and charts below it."""
        shown = _display(path)
        if os.path.isfile(path):
            draft.files.append(Source(label=shown, path=path, size=os.path.getsize(path)))
            draft.claims.add(os.path.realpath(path))
        elif kustomization_file(path):
            k = self.kustomizations.get(os.path.realpath(path)) or read_kustomization(path, shown)
            if len(draft.jobs) == 0 and not draft.files:
                draft.prefix, draft.suffix = k.name_prefix, k.name_suffix
            self._add_job(draft, self._kustomization_job(shown))
        elif os.path.isfile(os.path.join(path, "Chart.yaml")):
            self._add_job(draft, self._chart_job(HelmChart(chart=shown, release=_release(path))))
        elif not recurse:
            for name in sorted(os.listdir(path)):
                file = os.path.join(path, name)
                if name.endswith(MANIFEST_SUFFIXES) and not name.startswith(".") and os.path.isfile(file):
                    if name in TOOL_CONFIG_FILES:
                        draft.skipped += 1
                    else:
                        self._add_parts(draft, file)
        else:
            tree = self.walk(path)
            for source in tree.plain:
                draft.files.append(source)
                draft.claims.add(os.path.realpath(source.path))
            draft.skipped += tree.skipped
            for k in tree.entries():
                self._add_job(draft, self._kustomization_job(_display(k.folder)))
            for chart in filter(deployable, tree.charts):
                self._add_job(draft, self._chart_job(HelmChart(chart=_display(chart), release=_release(chart))))

    # --- jobs ------------------------------------------------------------------------------

    def _kustomization_job(self, folder: str) -> _Job:
        job = _Job(label=f"{_display(folder)} (kustomize)", folder=_display(folder))
        refusal = self._refusal(folder)
        if refusal is not None:
            self.refused[job] = refusal
        return job

    def _chart_job(self, chart: HelmChart) -> _Job:
        return _Job(label=f"{chart.chart} (helm template)", chart=chart)

    def _refusal(self, folder: str) -> NotRendered | None:
        """Why a kustomization must not be rendered: what the one kustomization
        checker (load/kustomize_check.py) finds in it or in anything it includes."""
        problems = check_kustomization(folder, self.repo.top, self.options.allow_remote, self.options.helm)
        if not problems:
            return None
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return NotRendered(_display(folder), "kustomization", problems[0].file, problems[0].line,
                           problems[0].reason + more, kustomize_command(_display(folder)))

    def _render_pending(self) -> list[_Job]:
        jobs = [job for job, drafts in self.job_draft.items() if drafts and job not in self.rendered]
        for job in jobs:
            if job in self.refused:
                self.rendered[job] = self.refused[job]
        todo = [job for job in jobs if job not in self.rendered]
        if todo:
            workers = max(1, min(len(todo), os.cpu_count() or 1))
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for job, result in zip(todo, pool.map(self._render, todo)):
                    self.rendered[job] = result
        return jobs

    def _render(self, job: _Job) -> Source | NotRendered:
        try:
            if job.chart is not None:
                drafts = self.job_draft.get(job) or []
                index = self.helm.index(self._plain_sources(drafts[0])) if drafts else self.helm.index(())
                return self.helm.render(job.chart, job.label, self._data(index), *self._declared(job))
            rendered = render_kustomization(job.folder, self.options, self.repo.top)
        except SvcdocsError as e:
            return self._failed(job, str(e))
        # its size counts when the model decides to parse on every core
        return replace(rendered, label=job.label, size=len(rendered.data or b""))

    def _failed(self, job: _Job, reason: str) -> NotRendered:
        reason = _KLOG.sub("", reason)
        if job.chart is not None:
            chart = job.chart
            where = os.path.join(chart.chart, "Chart.yaml") if not chart.repository else chart.chart
            self.helm.not_rendered(chart, job.label, reason.removeprefix(f"{chart.chart}: "), *self._declared(job))
            return NotRendered(chart.chart if not chart.repository else f"chart {chart.chart}", "chart", where, 1,
                               reason.removeprefix(f"{chart.chart}: "), chart.command())
        file = _display(kustomization_file(job.folder) or job.folder)
        if not (shutil.which("kubectl") or shutil.which("kustomize")):
            return NotRendered(job.folder, "kustomization", file, 1, "neither kubectl nor kustomize is on PATH",
                               kustomize_command(job.folder))
        return NotRendered(job.folder, "kustomization", file, 1, reason.removeprefix(f"{job.folder}: "))

    # --- pointers ----------------------------------------------------------------------

    def _scan_file(self, source: Source) -> Scan:
        key = source.path or (source.label if source.data is None else (source.label, hash(source.data)))
        found = self.scans.get(key)
        if found is None:
            found = self.scans[key] = gitops.scan(source, self._directories)
        return found

    def _directories(self, pattern: str) -> list[str]:
        """A git directories generator's matches, from where pointers' paths start."""
        for start in dict.fromkeys((self.repo.root, self.repo.top)):
            found = gitops.repository_directories(start)(pattern)
            if found:
                return found
        return []

    def _scans_of(self, draft: _Draft) -> list[Scan]:
        return [self._scan_file(s) for s in self._sources_of(draft)]

    def _plain_sources(self, draft: _Draft, releases: bool = True) -> list[Source]:
        """What a draft reads, before any substitution (with its HelmReleases' renders, or not)."""
        return list(draft.files) + [r for job in draft.jobs if isinstance(r := self.rendered.get(job), Source)
                                    and (releases or not job.release)]

    def _sources_of(self, draft: _Draft, unset: list[Unset] | None = None) -> list[Source]:
        """What a draft reads, with its Flux Kustomization's variables
        substituted into what the Kustomization deploys (not into what its
        HelmReleases render: Flux substitutes the HelmRelease, helm the chart)."""
        if draft.post_build is None:
            return self._owned(draft, self._plain_sources(draft))
        own = self._owned(draft, self._plain_sources(draft, releases=False))
        index = self._data(self.helm.index(own))
        substituted = []
        for source in own:
            new, missing_vars, _ = self.helm.substitute(source, draft.post_build, index, len(self.rendered))
            substituted.append(new)
            if unset is not None:
                unset.extend(missing_vars)
        return substituted + [r for job in draft.jobs if job.release and isinstance(r := self.rendered.get(job), Source)]

    def _data(self, own: DataIndex) -> DataIndex:
        """An environment's ConfigMaps and Secrets first, then those of every
        environment found (indexed again only when something was added)."""
        generation = (len(self.rendered), len(self.drafts), sum(len(d.files) for d in self.drafts.values()))
        if self.every_data[0] != generation:
            every = [s for d in self.drafts.values() for s in self._plain_sources(d)]
            self.every_data = (generation, self.helm.index(every))
        return Chained(own, self.every_data[1])

    def _declared(self, job: _Job) -> tuple[str, int]:
        return self.job_declared.get(job, ("", 0))

    def _here(self, path: str) -> str | None:
        found = self.repo.resolve(path)
        return _display(found) if found is not None else None

    def _flux_sources(self) -> dict[tuple[str, str, str], FluxSource]:
        index: dict[tuple[str, str, str], FluxSource] = {}
        for found in self.scans.values():
            index.update(found.sources)
        return index

    def _artifact(self, pointer: Pointer) -> Artifact | None:
        """The ExternalArtifact a Flux Kustomization reads: of those so named,
        the one declared nearest to it (each cluster folder has its own)."""
        _, namespace, name = pointer.source
        found = [(os.path.commonpath([os.path.abspath(key if isinstance(key, str) else key[0]),
                                      os.path.abspath(pointer.file)]), artifact)
                 for key, scan in self.scans.items() for artifact in [scan.artifacts.get((namespace, name))]
                 if artifact is not None]
        return max(found, key=lambda f: len(f[0]))[1] if found else None

    def _ours(self, source: tuple[str, str, str]) -> bool:
        """Whether a Flux source is this repository (a GitRepository whose URL
        is unknown here counts: whether the path exists decides)."""
        if source[0] != "GitRepository":
            return False
        found = self._flux_sources().get(source)
        return found is None or self.repo.same(found.url)

    def _in_artifact(self, pointer: Pointer) -> str | None:
        """The path in this repository of a Flux Kustomization's path in an
        ExternalArtifact that an ArtifactGenerator copies from folders here
        (the copy into the deepest folder holding the path)."""
        artifact = self._artifact(pointer)
        if artifact is None:
            return None
        path = re.sub(r"^(\./)+", "", pointer.path.strip().lstrip("/")).rstrip("/")
        path = "" if path == "." else path
        holding = [(into, folder, source) for source, folder, into in artifact.copies
                   if not into or path == into or path.startswith(into + "/")]
        if not holding:
            return None
        into, folder, source = max(holding, key=lambda h: len(h[0]))
        if not self._ours(source):
            return None
        below = path[len(into):].lstrip("/")
        return self.repo.resolve(f"{folder}/{below}" if below else folder)

    def _target(self, pointer: Pointer) -> str | None:
        """Where a pointer leads in this repository, or None."""
        if pointer.note or pointer.kind == "HelmRelease" or (pointer.chart and pointer.chart.repository):
            return None
        if pointer.kind == "Kustomization":
            if pointer.source[0] == "ExternalArtifact":
                return self._in_artifact(pointer)
            if not self._ours(pointer.source):
                return None
        elif not self.repo.same(pointer.repo_url):
            return None
        return self.repo.resolve(pointer.path)

    def _follow_pointers(self, automatic: bool) -> None:
        followed: set[Pointer] = set()
        self.pointers: list[Pointer] = []
        for _ in range(MAX_ROUNDS):
            self._render_pending()
            new = [p for d in list(self.drafts.values()) for s in self._scans_of(d) for p in s.pointers
                   if p.kind != "HelmRelease" and p not in followed]
            if not new:
                break
            before = len(self.job_draft) + len(self.drafts)
            for pointer in dict.fromkeys(new):
                followed.add(pointer)
                self.pointers.append(self._follow(pointer, automatic))
            if len(self.job_draft) + len(self.drafts) == before:
                break
        self._render_pending()

    def _follow(self, pointer: Pointer, automatic: bool) -> Pointer:
        """Attach a pointer to the environment at its target, making one if needed."""
        if pointer.note:
            return replace(pointer, status=pointer.note)
        chart = pointer.chart
        if chart is not None and chart.repository:
            key = ("helm", chart)
            draft = self.drafts.get(key)
            if draft is None and not automatic:
                return replace(pointer, status="no environment named here renders it")
            if draft is None:
                job = _Job(label=f"{pointer.title} (helm template)", chart=chart)
                self.job_declared[job] = (pointer.file, pointer.line)
                draft = self._draft(key, pointer.title, f"chart {chart.chart} from {chart.repository}", "chart",
                                    jobs=[job])
            self._led_to(pointer, draft)
            return replace(pointer, environment=draft.name)
        target = self._target(pointer)
        if target is None:
            return replace(pointer, status=self._why_not(pointer))
        shown = self.repo.shown(target)
        if chart is not None or os.path.isfile(os.path.join(target, "Chart.yaml")):
            chart = replace(chart or HelmChart(chart="", release=pointer.name, namespace=""), chart=_display(target))
            key: tuple = ("chart", os.path.realpath(target), chart)
        elif kustomization_file(target):
            key = ("kustomization", os.path.realpath(target))
        else:
            key = ("folder" if pointer.recurse else "flat", os.path.realpath(target))
        draft = self.drafts.get(key) or self._matching_named(target) or self._chart_met_walking(key)
        original = None
        if automatic and draft is not None and self._elsewhere(pointer, draft):
            original, key = draft, key + (pointer.destination,)
            draft = self.drafts.get(key)
        if draft is None and automatic:
            name = shown if all(d.name != shown for d in self.drafts.values()) else f"{shown} ({pointer.title})"
            draft = self._draft(key, name, shown, "folder" if key[0] in ("folder", "flat") else key[0])
            draft.original = original
            if original is not None:
                draft.rel, draft.prefix, draft.suffix = original.rel, original.prefix, original.suffix
            if key[0] == "chart":
                self._add_job(draft, self._chart_job(chart))
            else:
                self._add_parts(draft, target, recurse=key[0] != "flat")
        if draft is None:
            return replace(pointer, target=shown, status="no environment named here reads it")
        if pointer.post_build is not None and draft.post_build is None:
            draft.post_build = pointer.post_build
        self._led_to(pointer, draft)
        return replace(pointer, target=shown, environment=draft.name)

    @staticmethod
    def _elsewhere(pointer: Pointer, draft: _Draft) -> bool:
        """Whether an Argo CD Application deploys a folder another one already
        deploys, into another namespace: the folder is read once more, there."""
        return (pointer.kind in ("Application", "ApplicationSet") and bool(draft.pointed_by)
                and pointer.destination not in draft.destinations)

    def _led_to(self, pointer: Pointer, draft: _Draft) -> None:
        """A pointer leads to a draft: each one that does is an app of it."""
        self.led_to[pointer] = draft
        draft.pointed_by.append(pointer.title)
        draft.destinations.add(pointer.destination)
        chart = pointer.chart if pointer.chart is not None and pointer.chart.repository else None
        app = App(pointer.generated or pointer.name, "Application" if pointer.generated else pointer.kind,
                  draft.rel, source=chart.repository if chart else "", chart=chart.chart if chart else "",
                  version=chart.version if chart else "", namespace=pointer.destination,
                  declared=(pointer.file, pointer.line))
        if all((a.kind, a.name) != (app.kind, app.name) for a in draft.apps):
            draft.apps.append(app)

    def _chart_met_walking(self, key: tuple) -> _Draft | None:
        """A chart found while walking, that no pointer has named yet: the first
        pointer to it says how it is deployed (release, values, namespace)."""
        if key[0] != "chart":
            return None
        for found, draft in list(self.drafts.items()):
            if found[:2] == key[:2] and not draft.pointed_by:
                for job in draft.jobs:
                    self.job_draft[job].remove(draft)
                draft.jobs = []
                self._add_job(draft, self._chart_job(key[2]))
                del self.drafts[found]
                self.drafts[key] = draft
                return draft
        return None

    def _matching_named(self, target: str) -> _Draft | None:
        real = os.path.realpath(target)
        for key, draft in self.drafts.items():
            if key[0] == "named" and os.path.realpath(draft.path) == real:
                return draft
        return None

    def _why_not(self, pointer: Pointer) -> str:
        if pointer.kind == "Kustomization" and pointer.source[0] == "ExternalArtifact":
            return self._why_not_artifact(pointer)
        if pointer.kind == "Kustomization":
            kind, namespace, name = pointer.source
            if kind != "GitRepository":
                return f"its source is {kind or 'not named'} {name}, not this repository".replace("  ", " ")
            found = self._flux_sources().get((kind, namespace, name))
            if found is not None and not self.repo.same(found.url):
                return f"GitRepository {namespace}/{name} is {found.url}, another repository"
        elif not self.repo.same(pointer.repo_url):
            return f"{pointer.repo_url} is another repository"
        return f"{pointer.path or '.'} is not a path in this repository"

    def _why_not_artifact(self, pointer: Pointer) -> str:
        name = pointer.source[2]
        artifact = self._artifact(pointer)
        if artifact is None:
            return f"its source is ExternalArtifact {name}, which no ArtifactGenerator in this repository builds"
        built = f"ExternalArtifact {name} is built by ArtifactGenerator {artifact.generator}"
        theirs = sorted({f"{kind} {ns}/{source}" for (kind, ns, source), _, _ in artifact.copies
                         if not self._ours((kind, ns, source))})
        if theirs:
            return f"{built} from {', '.join(theirs)}, not this repository"
        if not artifact.copies:
            return f"{built} from files or patterns; svcdocs follows artifacts copied from whole folders"
        return f"{built}, which holds no folder {pointer.path or '.'} copied from this repository"

    # --- HelmReleases ------------------------------------------------------------------------

    def _helm_releases(self) -> None:
        """Each HelmRelease is rendered into the environment it is in, or listed
        as not rendered; all of them at once."""
        index = self._flux_sources()
        waiting: list[tuple[_Draft, Pointer, _Job]] = []
        for draft in list(self.drafts.values()):
            for found in self._scans_of(draft):
                for pointer in found.pointers:
                    if pointer.kind != "HelmRelease":
                        continue
                    pointer = replace(pointer, environment=draft.name)
                    destinations = {d for d in draft.destinations if d}
                    if not pointer.namespace and len(destinations) == 1:  # where its Flux Kustomization puts it
                        pointer = self.helm.in_namespace(pointer, next(iter(destinations)))
                    chart, reason = self._release_chart(pointer, index)
                    label = f"{draft.path}: {pointer.title} (helm template)"
                    if chart is None:
                        self.not_rendered.append(NotRendered(pointer.title, "helm-release", pointer.file,
                                                             pointer.line, reason, "", draft.name))
                        self.pointers.append(replace(pointer, status=reason))
                        self.helm.not_rendered(pointer.chart, label, reason, pointer.file, pointer.line)
                        draft.releases.append((label, pointer.chart))
                        continue
                    job = _Job(label=label, chart=chart, release=True)
                    self.job_declared[job] = (pointer.file, pointer.line)
                    self._add_job(draft, job)
                    waiting.append((draft, replace(pointer, chart=chart), job))
        self._render_pending()
        for draft, pointer, job in waiting:
            result = self.rendered[job]
            draft.releases.append((job.label, job.chart))
            if isinstance(result, NotRendered):
                draft.jobs.remove(job)
                self.not_rendered.append(NotRendered(pointer.title, "helm-release", pointer.file, pointer.line,
                                                     result.reason, pointer.chart.command(), draft.name))
                self.pointers.append(replace(pointer, status=f"not rendered: {result.reason}"))
            else:
                found = self.helm.release(job.label, job.chart)
                self.pointers.append(replace(pointer, status=found.status if found else "rendered"))

    def _release_chart(self, pointer: Pointer, index: dict) -> tuple[HelmChart | None, str]:
        """What `helm template` renders for a HelmRelease, or why nothing can."""
        if pointer.note:
            return None, pointer.note
        return self.helm.chart(pointer.chart, pointer.source, index, self._here)

    # --- the result ---------------------------------------------------------------------

    def _own(self) -> None:
        """Each source to the one draft that deploys it, when several read it
        (a folder a pointer leads to holds an entry kustomization that is its
        own): a draft a pointer leads to before one found walking, then the
        deeper folder (its own pointer's namespace applies), then the first."""
        ranks: dict[str, tuple] = {}
        for order, draft in enumerate(self.drafts.values()):
            if draft.original is not None:  # reads what its original owns, into its own namespace
                continue
            rank = (not draft.pointed_by, -_depth(draft.rel), order)
            for source in self._plain_sources(draft, releases=False):
                if source.label not in ranks or rank < ranks[source.label]:
                    ranks[source.label] = rank
                    self.owner[source.label] = draft

    def _owned(self, draft: _Draft, sources: list[Source]) -> list[Source]:
        if not self.owner:
            return sources
        owner = draft.original or draft
        return [s for s in sources if self.owner.get(s.label, owner) is owner]

    def _finish(self, grouped: bool = False, prefix: str = "") -> Environments:
        if grouped:
            self._own()
        self._helm_releases()
        pieces = [piece for draft in self.drafts.values() for piece in self._pieces(draft, split=grouped)]
        self.read = {id(p.draft) for p in pieces if p.sources}  # the drafts that are in an environment
        if grouped:
            environments, where, found_by, env_pattern = self._grouped(pieces, prefix)
        else:
            environments = [self._environment(p.draft.name, p.draft.path, p.draft.origin, [p]) for p in pieces]
            where, found_by, env_pattern = {}, "", ""
        environments = sorted((e for e in environments if e.sources), key=_order)
        order = {e.name: i for i, e in enumerate(environments)}
        where = {draft: sorted(names, key=lambda n: order.get(n, len(order))) for draft, names in where.items()}
        self._where_pointers_are(where, environments)
        holding = {}  # each source's label, to the environments that read it
        for environment in environments:
            for source in environment.sources:
                holding.setdefault(source.label, []).append(environment.name)
        not_rendered = sorted({replace(n, environment=env) for n in self.not_rendered
                               for env in where.get(n.environment, [n.environment])},
                              key=lambda n: (n.environment, n.file, n.line, n.what, n.reason))
        pointers = {replace(p, environment=", ".join(_where_pointer(p, where, holding))) for p in self.pointers}
        return Environments(tuple(environments), tuple(sorted(pointers, key=Pointer.sort_key)),
                            tuple(not_rendered), found_by=found_by, env_pattern=env_pattern)

    def _where_pointers_are(self, where: dict[str, list[str]], environments: list[Environment]) -> None:
        """A draft that is in no environment is said where the pointer to it is."""
        for pointer, draft in self.led_to.items():
            if not where.get(draft.name):
                where[draft.name] = [e.name for e in environments if any(s.label == pointer.file for s in e.sources)]

    def _pieces(self, draft: _Draft, split: bool) -> list[_Piece]:
        """What a draft deploys, as pieces: one, or (its plain files, when
        grouping) one per folder; each job not rendered is said."""
        unset: list[Unset] = []
        sources = self._sources_of(draft, unset)
        for job in draft.jobs:
            result = self.rendered[job]
            if not isinstance(result, Source):
                self.not_rendered.append(replace(result, environment=draft.name))
        namespace = next(iter(draft.destinations)) if len(draft.destinations) == 1 else ""
        if not split or draft.origin != "plain":
            read = sources or not self._plain_sources(draft)  # nothing read at all: said in its environment
            return [_Piece(draft, draft.rel, sources, unset, namespace)] if read else []
        folder_of = _plain_folders([os.path.relpath(s.path, self.folder).replace(os.sep, "/")
                                    for s in draft.files])
        home = {s.label: folder_of[i] for i, s in enumerate(draft.files)}
        for job in draft.jobs:  # a HelmRelease goes with the file that declares it
            home.setdefault(job.label, home.get(self._declared(job)[0], ""))
        pieces: dict[str, _Piece] = {}
        for source in sources:
            folder = home.get(source.label, "")
            piece = pieces.setdefault(folder, _Piece(draft, folder, [], [], namespace))
            piece.sources.append(source)
        for u in unset:
            next((p for p in pieces.values() if any(s.label == u.file for s in p.sources)),
                 next(iter(pieces.values()))).unset.append(u)
        return [pieces[f] for f in sorted(pieces)]

    def _grouped(self, pieces: list[_Piece], prefix: str) -> tuple[list[Environment], dict[str, list[str]], str, str]:
        """Pieces grouped into deployment targets (load/targets.py)."""
        index = {id(p.draft): i for i, p in enumerate(pieces) if p.draft.origin != "plain"}
        units = []
        for piece in pieces:
            edges, homes = {}, set()
            for source in piece.sources:
                for pointer in self._scan_file(self._unsubstituted(piece.draft, source)).pointers:
                    draft = self.led_to.get(pointer)
                    if draft is not None and id(draft) in index:
                        edges.setdefault(targets.Edge(index[id(draft)], pointer.cluster))
                        if source.path and source.origins is None:
                            homes.add(self._rel(os.path.realpath(os.path.dirname(source.path))))
            origin = "plain" if piece.draft.origin == "plain" else piece.draft.origin
            home = os.path.commonpath(sorted(homes)) if homes else ""
            units.append(targets.Unit(piece.rel or piece.draft.name, origin, tuple(edges), home))
        plain = f"{prefix}: {PLAIN}" if prefix else PLAIN
        found = targets.group(units, plain)
        environments, where = [], {}
        for target in found:
            members = [pieces[i] for i in target.members]
            name = f"{prefix}/{target.name}" if prefix and target.how != "plain" else target.name
            for piece in members:
                where.setdefault(piece.draft.name, [])
                if name not in where[piece.draft.name]:
                    where[piece.draft.name].append(name)
            if target.how in ("own", "plain"):
                path, origin = members[0].draft.path, ("plain" if target.how == "plain" else members[0].draft.origin)
            else:
                path, origin = self._shown_rel(target.path), {"layout": "kustomization"}.get(target.how, target.how)
            environments.append(self._environment(name, path, origin, members, apart=target.apart))
        shown = [t for t, e in zip(found, environments) if e.sources]
        if len(shown) <= targets.MANY:
            return environments, where, "", ""
        return (environments, where, targets.found_by(shown),
                targets.env_pattern([t.path for t in shown if t.how != "plain"]))

    def _unsubstituted(self, draft: _Draft, source: Source) -> Source:
        """The source as read, before a Flux Kustomization's variables (pointers are scanned in it)."""
        if draft.post_build is None:
            return source
        return next((s for s in self._plain_sources(draft) if s.label == source.label), source)

    def _shown_rel(self, rel: str) -> str:
        """A path from the walked folder, as the user would write it."""
        folder = _display(self.folder)
        if folder in ("", ".") or not rel:
            return rel
        return ", ".join(f"{folder.rstrip('/')}/{r}" for r in rel.split(", "))

    def _environment(self, name: str, path: str, origin: str, members: list[_Piece], apart: bool = False) -> Environment:
        """One environment of its pieces, each source once in each namespace
        it is deployed into (a folder two Applications deploy, twice)."""
        sources: dict[tuple[str, str], Source] = {}
        for piece in members:
            for source in piece.sources:
                sources.setdefault((source.label, piece.namespace), source)
        labels = {label for label, _ in sources}
        drafts = list({id(p.draft): p.draft for p in members}.values())
        jobs = [j for d in drafts for j in d.jobs if j.label in labels]
        released = {j.label: j.chart.namespace for j in jobs if j.chart is not None and j.release and j.chart.namespace}
        placed = [released.get(label, namespace) for label, namespace in sources]
        common = set(placed)
        namespace = common.pop() if len(common) == 1 else ""
        by_label = {label: placed[i] for i, (label, _) in reversed(list(enumerate(sources))) if placed[i]}
        renders = list(dict.fromkeys([r for d in drafts for r in d.releases if r[0] in labels or not d.jobs]
                                     + [(j.label, j.chart) for j in jobs if j.chart]))
        releases = tuple(r for label, chart in renders if (r := self.helm.release(label, chart)) is not None)
        prefixes = {(d.prefix, d.suffix) for d in drafts if d.origin != "plain"}
        prefix, suffix = prefixes.pop() if len(prefixes) == 1 else ("", "")
        unset = {u for p in members for u in p.unset}
        return Environment(
            name, path, origin, tuple(sources.values()), sum(d.skipped for d in drafts),
            tuple(sorted({t for d in drafts for t in d.pointed_by})), prefix, suffix, namespace,
            tuple(sorted(by_label.items())) if not namespace else (), releases,
            tuple(sorted(unset, key=lambda u: (u.file, u.line, u.name))),
            tuple(self._apps(members, labels)), apart, tuple(placed) if not namespace else (),
        )

    def _apps(self, members: list[_Piece], labels: set[str]) -> list[App]:
        """The apps of an environment: the pointers that lead to each piece
        (or its folder), each HelmRelease, and each pointer svcdocs does not
        follow (another repository, a plugin): an app all the same."""
        apps: dict[tuple[str, str, str], App] = {}
        for piece in members:
            releases = {j.label: j for j in piece.draft.jobs if j.release and j.label in labels}
            own = tuple(s.label for s in piece.sources if s.label not in releases)
            named = piece.draft.apps if piece.draft.origin != "plain" else []
            if own and not named and not self._deploys(piece):
                continue  # a folder of GitOps configuration alone: its pointers are the apps
            if own:
                for app in named or [App(piece.rel or PLAIN, _APP_KINDS.get(piece.draft.origin, "folder"), piece.rel)]:
                    app = replace(app, path=piece.rel, sources=own, namespace=app.namespace or piece.namespace)
                    apps.setdefault((app.kind, app.name, app.path), app)
            for label, job in releases.items():
                found = self.helm.release(label, job.chart)
                app = App(job.chart.release or label, "HelmRelease", piece.rel, (label,), job.chart.repository,
                          job.chart.chart.rsplit("/", 1)[-1], found.version if found else job.chart.version,
                          job.chart.namespace, self._declared(job))
                apps.setdefault((app.kind, app.name, label), app)
        for piece in members:  # HelmReleases not rendered are apps all the same
            for label, chart in piece.draft.releases:
                if label not in labels and chart is not None and piece is self._first_piece(members, piece.draft):
                    app = App(chart.release or label, "HelmRelease", piece.rel, (), chart.repository,
                              chart.chart.rsplit("/", 1)[-1], chart.version, chart.namespace)
                    apps.setdefault((app.kind, app.name, label), app)
        for piece in members:
            for source in piece.sources:
                for pointer in self._scan_file(self._unsubstituted(piece.draft, source)).pointers:
                    draft = self.led_to.get(pointer)
                    if pointer.kind == "HelmRelease" or (draft is not None and id(draft) in self.read):
                        continue
                    kind = "Application" if pointer.generated else pointer.kind
                    app = App(pointer.generated or pointer.name, kind, "", namespace=pointer.destination,
                              declared=(pointer.file, pointer.line))
                    if all((a.kind, a.name) != (kind, app.name) for a in apps.values()):
                        apps[(kind, app.name, "")] = app
        return list(apps.values())

    def _deploys(self, piece: _Piece) -> bool:
        """Whether a piece holds more than GitOps configuration (Applications,
        Flux Kustomizations, their sources)."""
        return any(self._scan_file(self._unsubstituted(piece.draft, s)).deploys for s in piece.sources)

    @staticmethod
    def _first_piece(members: list[_Piece], draft: _Draft) -> _Piece:
        return next(p for p in members if p.draft is draft)


_APP_KINDS = {"kustomization": "kustomization", "chart": "chart", "folder": "folder", "flat": "folder"}


@dataclass
class _Piece:
    """What one draft deploys into an environment (a plain draft is one piece per folder)."""

    draft: _Draft
    rel: str  # its folder from the walked one
    sources: list[Source]
    unset: list[Unset]
    namespace: str  # where its objects that name none go ("" when its pointers do not say one)


def _where_pointer(pointer: Pointer, where: dict[str, list[str]], holding: dict[str, list[str]]) -> list[str]:
    """The environments a pointer deploys into: those of what it leads to
    that read the file it is in (a folder two clusters share is in both; the
    pointer of one cluster, in one)."""
    found = where.get(pointer.environment, [pointer.environment] if pointer.environment else [])
    return [e for e in found if e in holding.get(pointer.file, ())] or found


def _depth(rel: str) -> int:
    return 0 if rel in ("", ".") else rel.count("/") + 1


def _plain_folders(files: list[str]) -> list[str]:
    """For each plain file (from the walked folder), the folder of its app: the
    shallowest folder on its path that holds a plain file itself ("" for the
    files at the top)."""
    holding = {os.path.dirname(f) for f in files}
    found = []
    for f in files:
        parts = os.path.dirname(f).split("/") if os.path.dirname(f) else []
        found.append(next(("/".join(parts[:k]) for k in range(1, len(parts) + 1)
                           if "/".join(parts[:k]) in holding), ""))
    return found


def _order(environment: Environment) -> tuple:
    """By path, with the stages of one folder in the order a change goes through them."""
    return (environment.origin == "plain", targets.stage_order(environment.name))


def _release(chart_folder: str) -> str:
    """The release name `helm template` is given for a chart met while walking."""
    name = re.sub(r"[^a-z0-9-]+", "-", os.path.basename(os.path.realpath(chart_folder)).lower()).strip("-")
    return name or "release"


def _expand(pattern: str) -> list[str]:
    """The paths an --env PATH names: itself, or what its glob matches (sorted)."""
    if not _GLOB.search(pattern):
        if not os.path.exists(pattern):
            raise SvcdocsError(f"--env {pattern}: no such file or folder")
        return [pattern]
    found = sorted(p for p in bounded.glob(pattern) if not os.path.basename(p).startswith(".")
                   and (os.path.isdir(p) or p.endswith(MANIFEST_SUFFIXES)))
    if not found:
        raise SvcdocsError(f"--env {pattern}: matches no file or folder")
    return found
