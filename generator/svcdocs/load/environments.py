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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import BinaryIO, Iterable

from svcdocs.errors import SvcdocsError
from svcdocs.load import bounded, gitops
from svcdocs.load.gitops import Artifact, FluxSource, Pointer, Scan
from svcdocs.load.kustomizations import (
    Kustomization, kustomization_file, read_kustomization,
)
from svcdocs.load.listed import listed_source
from svcdocs.load.renderer import check_kustomization
from svcdocs.load.helm.chart import deployable
from svcdocs.load.helm.discovery import Chained, HelmDiscovery
from svcdocs.load.helm.substitute import Unset
from svcdocs.load.helm.values import DataIndex
from svcdocs.load.discovery_renders import HelmChart, NotRendered, kustomize_command, render_kustomization
from svcdocs.load.assemble import Assembly, _Draft, _Job
from svcdocs.load.deployed import PLAIN, App, Environment, Environments
from svcdocs.load.discover import discover, refuse_link_outside
from svcdocs.load.repository import Repository, repository_of
from svcdocs.load.tree import Tree, shown_path, walk
from svcdocs.load.sources import (
    KUSTOMIZATIONS, MANIFEST_SUFFIXES, STDIN, TOOL_CONFIG_FILES, Discovered, LoadOptions, Rendering, Source,
)

CHART_FILES = ("Chart.yaml",)
_GLOB = re.compile(r"[*?\[]")
# kubectl's log prefix on an error: `E1130 14:48:59.677519  6531 run.go:72] "command failed" err=`
_KLOG = re.compile(r'[EWIF]\d{4} [\d:.]+\s+\d+ [\w.-]+:\d+\] (?:"command failed" err=)?')
MAX_ROUNDS = 20  # pointers found in what pointers led to, and so on (app of apps of apps)


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
    by_name = _by_name(options.named)
    if by_name:  # environments as svcdocs names them (`--env prod`): found, then chosen
        return _chosen(discover_environments(paths, stdin, replace(options, named=())), by_name)
    if options.named:  # the repository of the PATH, as when discovery walks it
        return _Discovery(options.render, repository_of(paths[0] if os.path.isdir(paths[0]) else ".")).named(options.named)
    for path in paths:
        if path != STDIN:
            refuse_link_outside(path)
    walked = [p for p in paths if p != STDIN and os.path.isdir(p) and not _rendered_folder(p)]
    if len(walked) != len(paths) or "kustomize" not in options.render.render:
        return as_environments(discover(paths, stdin, options.render))
    discoveries = [_Discovery(options.render, repository_of(p)) for p in walked]
    trees = [d.walk(p) for d, p in zip(discoveries, walked)]
    if not any(t.roots or t.charts for t in trees) and not any(d.has_pointers(t.plain) for d, t in zip(discoveries, trees)):
        # what `discover` reads for these folders: the same walk (tests/test_environments.py checks it)
        return as_environments(Discovered(tuple(s for t in trees for s in t.plain), sum(t.skipped for t in trees),
                                     tuple(u for t in trees for u in t.unread),
                                     tuple(Rendering(p, "files") for p in walked)))
    found = [d.automatic(t, prefix=shown_path(p) if len(walked) > 1 else "") for d, t, p in zip(discoveries, trees, walked)]
    return Environments(
        environments=tuple(e for f in found for e in f.environments),
        pointers=tuple(sorted((p for f in found for p in f.pointers), key=Pointer.sort_key)),
        not_rendered=tuple(n for f in found for n in f.not_rendered),
        unread=tuple(u for t in trees for u in t.unread),
        found_by=" ".join(f.found_by for f in found if f.found_by),
        env_pattern=" ".join(f.env_pattern for f in found if f.env_pattern),
    )


def _by_name(named: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """The names of `--env NAME...` when each is no path nor glob but may be
    the name svcdocs gives an environment it finds (`prod`, `in-cluster`)."""
    if not named or any(name or _GLOB.search(path) or os.path.lexists(path) for name, path in named):
        return ()
    return tuple(path for _, path in named)


def _chosen(found: Environments, names: tuple[str, ...]) -> Environments:
    """The environments of `found` that `names` name, with what belongs to them."""
    known = [e.name for e in found.environments]
    for name in names:
        if name not in known:
            listed = ", ".join(n for n in known if n) or "one, unnamed"
            raise SvcdocsError(f"--env {name}: no such file or folder, nor an environment found here "
                               f"(the environments: {listed})")
    keep = set(names)
    return replace(found, environments=tuple(e for e in found.environments if e.name in keep),
                   pointers=tuple(p for p in found.pointers if not p.environment or p.environment in keep),
                   not_rendered=tuple(n for n in found.not_rendered if not n.environment or n.environment in keep),
                   found_by="", env_pattern="")


def as_environments(found: Discovered) -> Environments:
    """PATHs read as before: one environment of their sources."""
    return Environments((Environment("", "", "files", found.sources, found.skipped_files),), discovered=False,
                        unread=found.unread, renderings=found.renderings, notes=found.notes)


def _rendered_folder(path: str) -> bool:
    return any(os.path.isfile(os.path.join(path, name)) for name in KUSTOMIZATIONS + CHART_FILES)


# --- Discovery --------------------------------------------------------------------------

class _Discovery(Assembly):
    def __init__(self, options: LoadOptions, repository: Repository):
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

    def walk(self, folder: str) -> Tree:
        tree = walk(folder, self.options.exclude)
        self.kustomizations.update(tree.roots)
        return tree

    def automatic(self, tree: Tree, prefix: str = "") -> Environments:
        """Entry kustomizations, charts and the plain manifests; then pointers;
        then what is deployed together (load/targets.py)."""
        self.folder = tree.folder
        def named(path: str) -> str:
            relative = os.path.relpath(path, tree.folder).replace(os.sep, "/")
            return f"{prefix}/{relative}" if prefix else relative

        for k in tree.entries():
            self._draft(("kustomization", os.path.realpath(k.folder)), named(k.folder), shown_path(k.folder),
                        "kustomization", jobs=[self._kustomization_job(k.folder)], kustomization=k)
        for chart in filter(deployable, tree.charts):
            job = self._chart_job(HelmChart(chart=shown_path(chart), release=_release(chart)))
            self._draft(("chart", os.path.realpath(chart), job.chart), named(chart), shown_path(chart), "chart",
                        jobs=[job])
        for component in tree.unused_components():
            self.not_rendered.append(NotRendered(
                shown_path(component.folder), "component", component.file, 1,
                "a kustomize Component that no kustomization here includes, so nothing here deploys it; "
                "add it to a kustomization's components to read it"))
        plain = self._draft(("plain", os.path.realpath(tree.folder)), f"{prefix}: {PLAIN}" if prefix else PLAIN,
                            shown_path(tree.folder), "plain", files=tree.plain, skipped=tree.skipped)
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
                    shown = shown_path(path)
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
        shown = shown_path(path)
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
                self._add_job(draft, self._kustomization_job(shown_path(k.folder)))
            for chart in filter(deployable, tree.charts):
                self._add_job(draft, self._chart_job(HelmChart(chart=shown_path(chart), release=_release(chart))))

    # --- jobs ------------------------------------------------------------------------------

    def _kustomization_job(self, folder: str) -> _Job:
        job = _Job(label=f"{shown_path(folder)} (kustomize)", folder=shown_path(folder))
        refusal = self._refusal(folder)
        if refusal is not None:
            self.refused[job] = refusal
        return job

    def _chart_job(self, chart: HelmChart) -> _Job:
        """A chart's render, labelled apart from another render of the same
        chart (two Applications, each with its release and values)."""
        label = f"{chart.chart} (helm template)"
        taken = {j.label for j, drafts in self.job_draft.items() if drafts and j.chart is not None and j.chart != chart}
        if label in taken:
            label = f"{chart.chart} (helm template, release {chart.release or 'release'})"
        for n in range(2, 1000):
            if label not in taken:
                break
            label = f"{chart.chart} (helm template, release {chart.release or 'release'} #{n})"
        return _Job(label=label, chart=chart)

    def _refusal(self, folder: str) -> NotRendered | None:
        """Why a kustomization must not be rendered: what the one kustomization
        checker (load/kustomize_check.py) finds in it or in anything it includes."""
        problems = check_kustomization(folder, self.repo.top, self.options.allow_remote, self.options.helm)
        if not problems:
            return None
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return NotRendered(shown_path(folder), "kustomization", problems[0].file, problems[0].line,
                           problems[0].reason + more, kustomize_command(shown_path(folder)))

    def _render_pending(self) -> list[_Job]:
        jobs = [job for job, drafts in self.job_draft.items() if drafts and job not in self.rendered]
        for job in jobs:
            if job in self.refused:
                self.rendered[job] = self.refused[job]
        for job in jobs:  # checked already (`_refusal`): one that only lists files is read here, no pool needed
            if job.chart is None and job not in self.rendered:
                listed = listed_source(job.folder, f"{job.folder} (kustomize)", self.repo.top)
                if listed is not None:
                    self.rendered[job] = replace(listed, label=job.label, size=len(listed.data or b""))
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
            rendered = render_kustomization(job.folder, self.options, self.repo.top, listed=False)  # tried already
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
        file = shown_path(kustomization_file(job.folder) or job.folder)
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
        return shown_path(found) if found is not None else None

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
            chart = replace(chart or HelmChart(chart="", release=pointer.name, namespace=""), chart=shown_path(target))
            key: tuple = ("chart", os.path.realpath(target), chart)
        elif kustomization_file(target):
            key = ("kustomization", os.path.realpath(target))
        else:
            key = ("folder" if pointer.recurse else "flat", os.path.realpath(target))
        draft = self.drafts.get(key) or self._matching_named(target) or self._chart_met_walking(key)
        original = None
        if automatic and draft is not None and self._elsewhere(pointer, draft):
            original, key = draft, key + (pointer.destination, pointer.cluster)
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
        deploys, into another namespace or cluster: the folder is read once
        more, there."""
        return (pointer.kind in ("Application", "ApplicationSet") and bool(draft.pointed_by)
                and (pointer.destination not in draft.destinations
                     or any(a.kind in ("Application", "ApplicationSet") and a.cluster != pointer.cluster
                            for a in draft.apps)))

    def _led_to(self, pointer: Pointer, draft: _Draft) -> None:
        """A pointer leads to a draft: each one that does is an app of it."""
        self.led_to[pointer] = draft
        draft.pointed_by.append(pointer.title)
        draft.destinations.add(pointer.destination)
        chart = pointer.chart if pointer.chart is not None and pointer.chart.repository else None
        app = App(pointer.generated or pointer.name, "Application" if pointer.generated else pointer.kind,
                  draft.rel, source=chart.repository if chart else "", chart=chart.chart if chart else "",
                  version=chart.version if chart else "", namespace=pointer.destination,
                  declared=(pointer.file, pointer.line), cluster=pointer.cluster)
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
