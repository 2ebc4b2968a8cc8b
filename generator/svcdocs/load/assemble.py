"""Environments assembled from what discovery found: each draft (an entry
kustomization, a chart, a folder a pointer leads to, the plain manifests) is
cut into pieces (the plain manifests, one per folder), the pieces are grouped
into deployment targets (`load.targets`), and each target becomes an
`Environment` whose pieces are its apps, each source once per namespace it
is deployed into. `Assembly` is the part of `load.environments`'s discovery
that does it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from svcdocs.load import targets
from svcdocs.load.deployed import PLAIN, App, Environment, Environments
from svcdocs.load.gitops import Pointer
from svcdocs.load.helm.chart import HelmChart
from svcdocs.load.helm.substitute import PostBuild, Unset
from svcdocs.load.sources import Source
from svcdocs.load.tree import shown_path


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


class Assembly:
    """The environments of a discovery's drafts (mixed into it)."""

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
        holding: dict[str, list[str]] = {}  # each source's label, to the environments that read it
        for environment in environments:
            for source in environment.sources:
                holding.setdefault(source.label, []).append(environment.name)
        self._where_pointers_are(where, holding)
        not_rendered = sorted({replace(n, environment=env) for n in self.not_rendered
                               for env in where.get(n.environment, [n.environment])},
                              key=lambda n: (n.environment, n.file, n.line, n.what, n.reason))
        pointers = {replace(p, environment=", ".join(_where_pointer(p, where, holding))) for p in self.pointers}
        return Environments(tuple(environments), tuple(sorted(pointers, key=Pointer.sort_key)),
                            tuple(not_rendered), found_by=found_by, env_pattern=env_pattern)

    def _where_pointers_are(self, where: dict[str, list[str]], holding: dict[str, list[str]]) -> None:
        """A draft that is in no environment is said where the pointer to it is."""
        for pointer, draft in self.led_to.items():
            if not where.get(draft.name):
                where[draft.name] = list(holding.get(pointer.file, ()))

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
            home = os.path.commonpath(sorted(homes)) if homes else ""
            units.append(targets.Unit(piece.rel or piece.draft.name, piece.draft.origin, tuple(edges), home))
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
            environments.append(self._environment(name, path, origin, members, target.apart, target.cluster))
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
        folder = shown_path(self.folder)
        if folder in ("", ".") or not rel:
            return rel
        return ", ".join(f"{folder.rstrip('/')}/{r}" for r in rel.split(", "))

    def _environment(self, name: str, path: str, origin: str, members: list[_Piece], apart: bool = False,
                     cluster: str = "") -> Environment:
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
            tuple(self._apps(members, labels, cluster)), apart, tuple(placed) if not namespace else (),
        )

    def _apps(self, members: list[_Piece], labels: set[str], cluster: str = "") -> list[App]:
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
                    key = (app.kind, app.name, "") if named else (app.kind, app.name, app.path)
                    if key in apps:  # one Application of several sources is one app
                        known = apps[key]
                        app = replace(known, sources=known.sources + tuple(s for s in own if s not in known.sources))
                    apps[key] = app
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
                    if cluster and pointer.cluster and pointer.cluster != cluster:
                        continue  # an Application to another cluster: that cluster's
                    kind = "Application" if pointer.generated else pointer.kind
                    app = App(pointer.generated or pointer.name, kind, draft.rel if draft is not None else "",
                              namespace=pointer.destination, declared=(pointer.file, pointer.line),
                              cluster=pointer.cluster)
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
