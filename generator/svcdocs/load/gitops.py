"""GitOps pointers: the documents that tell a cluster what to deploy from where.

- Argo CD `Application`: `spec.source` or `spec.sources[]`, each a path in a
  repository (a folder of manifests, a kustomization or a chart) or a chart
  from a chart repository (`chart`, `targetRevision`, `helm.valueFiles`).
- Argo CD `ApplicationSet`: its template, once for each element of a `list`
  generator and each folder a `git` directories generator matches.
- Flux `Kustomization`: `spec.path` in its `sourceRef`.
- Flux `HelmRelease`: a chart, its version and values, from a `HelmRepository`
  (or an OCI one) or from a folder of a `GitRepository`.
- Flux `GitRepository`, `HelmRepository`, `OCIRepository`: where those come from.
- Flux `ArtifactGenerator`: the `ExternalArtifact`s it builds, and from which
  folder of which source each is copied.

Only these fields are read, from composed nodes (nothing is constructed; inline
Helm values are kept as YAML text, to pass to helm and never to show). Whether a
pointer leads into this repository, and which environment it names, is
decided by `load.environments`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from typing import Callable

from yaml import MappingNode

from svcdocs.load import bounded, composed
from svcdocs.load.helm import argo, flux
from svcdocs.load.helm.chart import HelmChart
from svcdocs.load.helm.flux import FluxSource
from svcdocs.load.helm.substitute import PostBuild, post_build_of
from svcdocs.load.placement import Locator
from svcdocs.load.sources import Source

MARKERS = (b"argoproj.io", b"toolkit.fluxcd.io", b"extensions.fluxcd.io")
ARGO_GROUP = "argoproj.io"
FLUX_KUSTOMIZE_GROUP = "kustomize.toolkit.fluxcd.io"
FLUX_HELM_GROUP = "helm.toolkit.fluxcd.io"
FLUX_SOURCE_GROUP = "source.toolkit.fluxcd.io"
FLUX_SOURCE_KINDS = flux.SOURCE_KINDS
FLUX_EXTENSIONS_GROUP = "source.extensions.fluxcd.io"
GITOPS_GROUPS = frozenset({ARGO_GROUP, FLUX_KUSTOMIZE_GROUP, FLUX_HELM_GROUP, FLUX_SOURCE_GROUP, FLUX_EXTENSIONS_GROUP})
IN_CLUSTER = "in-cluster"  # Argo CD's name for the cluster it runs in
_LOCAL_SERVER = "https://kubernetes.default.svc"
# Kinds that only configure the GitOps tool: an environment holding nothing else
# deploys nothing svcdocs documents (its pointers are listed on their own).
CONFIG_KINDS = frozenset({"Application", "ApplicationSet", "AppProject", "GitRepository", "HelmRepository",
                          "OCIRepository", "Bucket", "HelmChart"})
MAX_COMBINATIONS = 10_000  # Applications one matrix generator makes
_PLACEHOLDER = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
_INDEX = re.compile(r"index\s+(\.[\w.]+)\s+(\d+)")
_NOT_NAME = re.compile(r"[^a-z0-9-]+")


@dataclass(frozen=True, slots=True)
class Pointer:
    """One Application source, generated Application, Flux Kustomization or HelmRelease."""

    kind: str  # Application | ApplicationSet | Kustomization | HelmRelease
    namespace: str
    name: str
    file: str
    line: int
    repo_url: str = ""  # Argo CD's repoURL
    revision: str = ""  # targetRevision, or a Flux source's branch or tag when known
    path: str = ""  # as written ("" for a chart from a chart repository)
    source: tuple[str, str, str] = ("", "", "")  # Flux sourceRef: kind, namespace, name
    chart: HelmChart | None = None  # what helm would render
    recurse: bool = True  # Argo CD reads a plain folder's subfolders only with directory.recurse
    values_from: int = 0  # Flux valuesFrom entries: ConfigMaps and Secrets in the cluster
    note: str = ""  # why it cannot be followed (a template not expanded, a generator not supported)
    generated: str = ""  # the Application an ApplicationSet made
    destination: str = ""  # the namespace objects that name none go to (Argo CD destination, Flux targetNamespace)
    cluster: str = ""  # an Argo CD Application's destination cluster (its name, in-cluster, or the server's host)
    post_build: PostBuild | None = None  # a Flux Kustomization's postBuild substitution
    target: str = ""  # filled in by discovery: the path it leads to in this repository
    environment: str = ""  # filled in by discovery: the environment it names
    status: str = ""  # filled in by discovery: why it names none

    @property
    def title(self) -> str:
        kind = {"Kustomization": "Flux Kustomization"}.get(self.kind, self.kind)
        title = f"{kind} {self.namespace}/{self.name}" if self.namespace else f"{kind} {self.name}"
        return f"{title} ({self.generated})" if self.generated else title

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.kind, self.namespace, self.name, self.path)


@dataclass(frozen=True, slots=True)
class Artifact:
    """An ExternalArtifact an ArtifactGenerator builds: the whole folders it
    copies, each from one source into a folder of the artifact."""

    generator: str  # `namespace/name` of the ArtifactGenerator
    copies: tuple[tuple[tuple[str, str, str], str, str], ...] = ()  # (source kind/namespace/name, folder, into)
    partial: bool = False  # some copies are files or patterns, not whole folders


@dataclass
class Scan:
    pointers: list[Pointer] = field(default_factory=list)
    sources: dict[tuple[str, str, str], FluxSource] = field(default_factory=dict)
    artifacts: dict[tuple[str, str], Artifact] = field(default_factory=dict)  # (namespace, name) -> how it is built
    deploys: bool = True  # it holds more than GitOps configuration (or svcdocs did not look)


def scan(source: Source, directories: Callable[[str], list[str]]) -> Scan:
    """The pointers and Flux sources in one source. `directories(pattern)` lists
    the repository's folders that match a glob, for git directory generators."""
    found = Scan()
    locate = Locator(source)  # a render's pointers are said at their source files
    kinds = []
    for node, offset in composed.mappings(source, MARKERS):
        kind = composed.scalar(composed.value(node, "kind")) or ""
        group = (composed.scalar(composed.value(node, "apiVersion")) or "").rpartition("/")[0]
        kinds.append(group in GITOPS_GROUPS or group.endswith(".fluxcd.io"))
        doc = _Doc(node, offset, locate)
        if group == ARGO_GROUP and kind == "Application":
            found.pointers += _application(doc)
        elif group == ARGO_GROUP and kind == "ApplicationSet":
            found.pointers += _application_set(doc, directories)
        elif group == FLUX_KUSTOMIZE_GROUP and kind == "Kustomization":
            found.pointers.append(_flux_kustomization(doc))
        elif group == FLUX_HELM_GROUP and kind == "HelmRelease":
            found.pointers.append(_helm_release(doc))
        elif group == FLUX_SOURCE_GROUP and kind in FLUX_SOURCE_KINDS:
            found.sources[(kind, doc.namespace, doc.name)] = flux.source_of(kind, doc.namespace, doc.name, node)
        elif group == FLUX_EXTENSIONS_GROUP and kind == "ArtifactGenerator":
            found.artifacts.update(_artifacts(doc))
    found.deploys = not kinds or not all(kinds)
    return found


class _Doc:
    def __init__(self, node: MappingNode, offset: int, locate: Locator):
        self.node = node
        self.offset = offset
        self.locate = locate
        self.file, self.line = locate(node, offset)
        meta = composed.value(node, "metadata")
        self.name = composed.scalar(composed.value(meta, "name")) or ""
        self.namespace = composed.scalar(composed.value(meta, "namespace")) or ""
        self.spec = composed.value(node, "spec")


# --- Argo CD ---------------------------------------------------------------------------

def _application(doc: _Doc) -> list[Pointer]:
    destination = composed.scalar(composed.path(doc.spec, "destination", "namespace")) or ""
    cluster = _cluster(composed.value(doc.spec, "destination"), lambda text: text)
    refs = argo.refs_of(doc.spec)
    hydrated = _hydrated(doc, destination, cluster)
    if hydrated is not None:
        return [hydrated]
    return [replace(_argo_source(doc, source, doc.name, destination, lambda text: text, refs), cluster=cluster)
            for source in _argo_sources(doc.spec)]


def _hydrated(doc: _Doc, namespace: str, cluster: str) -> Pointer | None:
    """An Application of Argo CD's source hydrator deploys what the hydrator
    committed to another branch (`syncSource.targetBranch`), rendered from its
    `drySource`: listed with both, not followed (svcdocs reads one revision)."""
    hydrator = composed.value(doc.spec, "sourceHydrator")
    if hydrator is None or composed.value(doc.spec, "source") is not None:
        return None
    dry = composed.value(hydrator, "drySource")
    branch = composed.scalar(composed.path(hydrator, "syncSource", "targetBranch")) or "its sync branch"
    path = composed.scalar(composed.value(dry, "path")) or "."
    return Pointer(
        kind=doc_kind(doc), namespace=doc.namespace, name=doc.name, file=doc.file, line=doc.line,
        repo_url=composed.scalar(composed.value(dry, "repoURL")) or "", path=path, destination=namespace,
        cluster=cluster,
        note=f"deploys what Argo CD's source hydrator commits to branch {branch} from {path}; svcdocs does not "
             "run the hydrator, so it is not read")


def _cluster(destination, fill: Callable[[str], str]) -> str:
    """An Application's destination cluster: its name; else `in-cluster` for
    the cluster Argo CD runs in; else the server's host."""
    name = fill(composed.scalar(composed.value(destination, "name")) or "")
    server = fill(composed.scalar(composed.value(destination, "server")) or "").rstrip("/")
    if name:
        return name
    if not server or server == _LOCAL_SERVER:
        return IN_CLUSTER
    return re.sub(r"^[a-z][a-z0-9+.-]*://", "", server).split("/", 1)[0]


def _argo_sources(spec) -> list:
    single = composed.value(spec, "source")
    if single is not None:
        return [single] if isinstance(single, MappingNode) else []
    # A source with only `ref` lends its repository to the others' `$ref/...` values files.
    return [s for s in composed.items(composed.value(spec, "sources"))
            if composed.value(s, "path") is not None or composed.value(s, "chart") is not None]


class Unexpanded(Exception):
    """A template placeholder svcdocs cannot fill in."""


def _argo_source(doc: _Doc, source, app: str, namespace: str, fill: Callable[[str], str],
                 refs: tuple[tuple[str, str], ...] = ()) -> Pointer:
    def text(node) -> str:
        value = composed.scalar(node)
        return fill(value) if value is not None else ""

    repo_url = text(composed.value(source, "repoURL"))
    revision = text(composed.value(source, "targetRevision"))
    path = text(composed.value(source, "path"))
    title = f"{doc_kind(doc)} {doc.namespace + '/' if doc.namespace else ''}{app}"
    chart = argo.chart_of(source, fill, app, namespace, refs, title)
    recurse = composed.scalar(composed.path(source, "directory", "recurse")) in ("true", "True")
    plugin = composed.value(source, "plugin")
    note = ""
    if plugin is not None:
        name = text(composed.value(plugin, "name")) or "of the Application"
        note = f"rendered by the config management plugin {name}, which svcdocs does not run"
    return Pointer(
        kind=doc_kind(doc), namespace=doc.namespace, name=app, file=doc.file, line=doc.line, repo_url=repo_url,
        revision=revision, path=path, chart=chart, recurse=recurse, note=note, destination=namespace,
    )


def doc_kind(doc: _Doc) -> str:
    return composed.scalar(composed.value(doc.node, "kind")) or ""


def _application_set(doc: _Doc, directories: Callable[[str], list[str]]) -> list[Pointer]:
    template = composed.value(doc.spec, "template")
    go = composed.scalar(composed.value(doc.spec, "goTemplate")) in ("true", "True")
    pointers: list[Pointer] = []
    for generator in composed.items(composed.value(doc.spec, "generators")):
        params, note = _generator_params(generator, go, directories)
        if note:
            pointers.append(Pointer(kind="ApplicationSet", namespace=doc.namespace, name=doc.name, file=doc.file,
                                    line=doc.locate(doc.node, doc.offset, generator)[1], note=note))
            continue
        for values in params:
            fill = _filler(values, go)
            try:
                app = fill(composed.scalar(composed.path(template, "metadata", "name")) or doc.name)
                namespace = fill(composed.scalar(composed.path(template, "spec", "destination", "namespace")) or "")
                cluster = _cluster(composed.path(template, "spec", "destination"), fill)
                refs = argo.refs_of(composed.value(template, "spec"))
                for source in _argo_sources(composed.value(template, "spec")):
                    pointers.append(replace(_argo_source(doc, source, app, namespace, fill, refs), name=doc.name,
                                            generated=app, cluster=cluster))
            except Unexpanded as e:
                pointers.append(Pointer(kind="ApplicationSet", namespace=doc.namespace, name=doc.name,
                                        file=doc.file, line=doc.line,
                                        note=f"template placeholder {{{{{e}}}}} not expanded"))
                break
    return pointers


def _generator_params(generator, go: bool, directories: Callable[[str], list[str]]) -> tuple[list[dict], str]:
    """The parameter sets of one generator, or a note saying why there are none."""
    kinds = [composed.scalar(k) for k, _ in generator.value] if isinstance(generator, MappingNode) else []
    if "list" in kinds:
        elements = composed.items(composed.path(generator, "list", "elements"))
        try:
            return [bounded.plain_values(e) for e in elements if isinstance(e, MappingNode)], ""
        except bounded.TooLarge as e:
            return [], f"list generator elements not expanded: {e} (a limit against hostile input)"
    if "matrix" in kinds:
        return _matrix_params(composed.value(generator, "matrix"), go, directories)
    if "git" in kinds:
        git = composed.value(generator, "git")
        if composed.value(git, "directories") is None:
            return [], "git files generators are not expanded (only git directories)"
        prefix = composed.scalar(composed.value(git, "pathParamPrefix")) or ""
        return [_directory_params(d, prefix, go) for d in _git_directories(git, directories)], ""
    return [], (f"{', '.join(k for k in kinds if k) or 'this'} generator is not expanded "
                "(only list, git directories and a matrix of those)")


def _matrix_params(matrix, go: bool, directories: Callable[[str], list[str]]) -> tuple[list[dict], str]:
    """A matrix generator's parameter sets: each of its first generator's
    merged with each of its second's (Argo CD allows exactly two)."""
    children = composed.items(composed.value(matrix, "generators"))
    if len(children) != 2:
        return [], "a matrix generator needs exactly two generators"
    (first, note), (second, other) = (_generator_params(child, go, directories) for child in children)
    if note or other:
        return [], f"matrix generator not expanded: {note or other}"
    combined = [_merged(a, b) for a in first for b in second]
    if len(combined) > MAX_COMBINATIONS:
        return [], f"matrix generator not expanded: more than {MAX_COMBINATIONS:,} combinations (a limit against hostile input)"
    return combined, ""


def _merged(first: dict, second: dict) -> dict:
    """Two parameter sets as one (nested mappings merged, the second wins)."""
    merged = dict(first)
    for key, value in second.items():
        merged[key] = _merged(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) \
            else value
    return merged


def _git_directories(git, directories: Callable[[str], list[str]]) -> list[str]:
    included: dict[str, None] = {}
    excluded: set[str] = set()
    for entry in composed.items(composed.value(git, "directories")):
        pattern = composed.scalar(composed.value(entry, "path"))
        if not pattern:
            continue
        matched = directories(pattern)
        if composed.scalar(composed.value(entry, "exclude")) in ("true", "True"):
            excluded.update(matched)
        else:
            included.update(dict.fromkeys(matched))
    return [d for d in included if d not in excluded]


def _directory_params(folder: str, prefix: str, go: bool) -> dict:
    segments = folder.split("/")
    basename = segments[-1]
    normalized = _NOT_NAME.sub("-", basename.lower())
    path = {"path": folder, "basename": basename, "basenameNormalized": normalized,
            "filename": "", "filenameNormalized": "", "segments": segments}
    if go:
        return {prefix: {"path": path}} if prefix else {"path": path}
    key = f"{prefix}.path" if prefix else "path"
    flat = {key: folder, f"{key}.basename": basename, f"{key}.basenameNormalized": normalized}
    flat.update({f"{key}[{i}]": s for i, s in enumerate(segments)})
    return flat


def _filler(values: dict, go: bool) -> Callable[[str], str]:
    flat = _flatten(values) if not go else {}

    def lookup(expression: str) -> str:
        if go:
            index = _INDEX.fullmatch(expression)
            if index:
                found = _dotted(values, index.group(1))
                if isinstance(found, list) and int(index.group(2)) < len(found):
                    return str(found[int(index.group(2))])
                raise Unexpanded(expression)
            found = _dotted(values, expression) if expression.startswith(".") else None
            if isinstance(found, str):
                return found
            raise Unexpanded(expression)
        if expression in flat:
            return flat[expression]
        raise Unexpanded(expression)

    return lambda text: _PLACEHOLDER.sub(lambda m: lookup(m.group(1)), text)


def _flatten(values: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        elif isinstance(value, str):
            flat[name] = value
    return flat


def _dotted(values: dict, expression: str):
    found = values
    for part in expression.strip(".").split("."):
        if not isinstance(found, dict) or part not in found:
            return None
        found = found[part]
    return found


def repository_directories(root: str) -> Callable[[str], list[str]]:
    """Folders of the repository at `root` matching a git generator's glob
    (`*` within one folder name, `**` across folders), as paths from `root`;
    none outside it, none through a link."""
    def matching(pattern: str) -> list[str]:
        found = bounded.glob(pattern.strip("/"), root, inside=os.path.realpath(root))  # never through a link
        return sorted(p.replace(os.sep, "/") for p in found if os.path.isdir(os.path.join(root, p)))
    return matching


# --- Flux ------------------------------------------------------------------------------

def _source_ref(doc: _Doc, node) -> tuple[str, str, str]:
    return (composed.scalar(composed.value(node, "kind")) or "",
            composed.scalar(composed.value(node, "namespace")) or doc.namespace,
            composed.scalar(composed.value(node, "name")) or "")


def _flux_kustomization(doc: _Doc) -> Pointer:
    title = f"Flux Kustomization {doc.namespace + '/' if doc.namespace else ''}{doc.name}"
    post_build = post_build_of(doc.spec, title, doc.namespace)
    return Pointer(
        kind="Kustomization", namespace=doc.namespace, name=doc.name, file=doc.file, line=doc.line,
        path=composed.scalar(composed.value(doc.spec, "path")) or "./",
        source=_source_ref(doc, composed.value(doc.spec, "sourceRef")),
        destination=composed.scalar(composed.value(doc.spec, "targetNamespace")) or "",
        post_build=post_build or None,
    )


def _helm_release(doc: _Doc) -> Pointer:
    title = f"HelmRelease {doc.namespace + '/' if doc.namespace else ''}{doc.name}"
    found = flux.release_of(doc.name, doc.namespace, doc.spec, title)
    return Pointer(
        kind="HelmRelease", namespace=doc.namespace, name=doc.name, file=doc.file, line=doc.line,
        source=found.source, chart=found.chart, values_from=found.values_from,
    )


def _artifacts(doc: _Doc) -> dict[tuple[str, str], Artifact]:
    """The ExternalArtifacts an ArtifactGenerator builds (in its namespace)."""
    aliases = {}
    for entry in composed.items(composed.value(doc.spec, "sources")):
        alias = composed.scalar(composed.value(entry, "alias")) or ""
        aliases[alias] = _source_ref(doc, entry)
    built: dict[tuple[str, str], Artifact] = {}
    for artifact in composed.items(composed.value(doc.spec, "artifacts")):
        name = composed.scalar(composed.value(artifact, "name")) or ""
        copies, partial = [], False
        for copy in composed.items(composed.value(artifact, "copy")):
            source = composed.scalar(composed.value(copy, "from")) or ""
            folder, into = _copied_folder(source, composed.scalar(composed.value(copy, "to")) or "")
            alias = source.removeprefix("@").split("/", 1)[0]
            if folder is None or alias not in aliases:
                partial = True
            else:
                copies.append((aliases[alias], folder, into))
        if name:
            built[(doc.namespace, name)] = Artifact(f"{doc.namespace}/{doc.name}" if doc.namespace else doc.name,
                                                    tuple(copies), partial)
    return built


def _copied_folder(source: str, target: str) -> tuple[str | None, str]:
    """`@repo/deploy/**` -> `@artifact/apps/`: ("deploy", "apps"); None when
    the copy is not a whole folder into a folder."""
    match = re.fullmatch(r"@[\w-]+/(.*?)/?(\*\*)?", source)
    into = re.fullmatch(r"@artifact/?(.*?)/?", target)
    if not match or not into or not match.group(2) or "*" in match.group(1):
        return None, ""
    return match.group(1) or ".", into.group(1)
