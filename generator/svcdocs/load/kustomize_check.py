"""Before kustomize runs: every kustomization it would read, and every file,
folder or address they name, checked.

A pull request can add a `kustomization.yaml` to any folder, and every field
that names a file is a way to make kustomize read or fetch: kustomize fetches
any `http(s)://` file (a generator's `files`, a patch, a replacement: the
body then lands in the review), clones `git::` and `github.com/...` bases,
and reads what a link points at. So, for the folder rendered and each
kustomization it includes, every entry of

- `resources`, `bases`, `components` (files, or folders read in turn),
- `crds`, `configurations`, `openapi.path`, `patchesStrategicMerge`,
  `patchesJson6902[].path`, `patches[].path`, `replacements[].path`,
- `configMapGenerator` and `secretGenerator` `files` (`[key=]path`), `envs`
  and `env`,
- `helmCharts[].valuesFile` and `additionalValuesFiles`, `helmGlobals`'s
  `chartHome` and `configHome`,
- `generators`, `transformers` and `validators` (a folder read in turn, or a
  plugin's configuration, in a file or inline, whose `path`, `paths`,
  `files`, `envs`, `env`, `replacements[].path`, `valuesFile`,
  `additionalValuesFiles`, `chartHome` and `configHome` are checked the same)

is a problem when it names a remote location (unless `--allow-remote`), a
path that leaves the repository, through a link or not (unless
`--allow-remote`), or git's own files (`.git/`, never); and Helm
(`helmCharts`, a `HelmChartInflationGenerator`) is a problem unless the user
asked for helm, and from a chart repository unless remote fetches are
allowed. A link below a kustomization's folder that leads out of the
repository is a problem too. What passes is every local file kustomize may
read (`Checked.files`), which rendering needs to know.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field

import yaml
from yaml import ScalarNode, SequenceNode

from svcdocs.load import composed
from svcdocs.load.kustomizations import is_remote
from svcdocs.load.problems import Problem, Unread
from svcdocs.load.sources import KUSTOMIZATIONS, Source, display_path, inside
from svcdocs.load.walk import Walked
from svcdocs.load.yamldocs import Document, parse

MAX_SHOWN_ENTRY = 200
INCLUDES = ("resources", "bases", "components")
PLUGINS = ("generators", "transformers", "validators")
FILE_LISTS = ("crds", "configurations")
GENERATORS = ("configMapGenerator", "secretGenerator")
HELM_KINDS = ("HelmChartInflationGenerator",)
NEVER_READ = ".git"  # git's own files: a checkout's credentials


@dataclass
class Checked:
    """What `check` found: the problems, and (real paths) the local files
    kustomize may read, the kustomization folders, and the folders it may
    read whole (Helm's chart homes)."""

    problems: list[Problem] = field(default_factory=list)
    files: set[str] = field(default_factory=set)
    folders: set[str] = field(default_factory=set)
    trees: set[str] = field(default_factory=set)


def kustomization_file(folder: str) -> str | None:
    return next((os.path.join(folder, k) for k in KUSTOMIZATIONS if os.path.isfile(os.path.join(folder, k))), None)


def check(folder: str, root: str, allow_remote: bool, helm: bool = False, links: bool = True) -> Checked:
    """Every kustomization that rendering `folder` would read, checked
    against `root` (the repository's real path); without `links`, the links
    below each folder are not looked for (when only the files named matter)."""
    found = Checked()
    pending = [folder]
    while pending:
        current = pending.pop()
        real = os.path.realpath(current)
        if real in found.folders:
            continue
        found.folders.add(real)
        path = kustomization_file(current)
        if path is None:
            continue
        found.files.add(real_below(real, os.path.basename(path)))
        parsed = parse(Source(label=display_path(path), path=path), kustomizations=True)
        found.problems += parsed.problems + (links_outside(current, root, "the repository") if links else [])
        checker = _Checker(current, real, root, allow_remote, helm, found)
        for document in parsed.documents:
            pending += checker.kustomization(document)
    found.problems = list(dict.fromkeys(found.problems))  # a link below two kustomizations is one problem
    return found


class _Checker:
    """The entries of one kustomization (its folder is where they start)."""

    def __init__(self, folder: str, real: str, root: str, allow_remote: bool, helm: bool, found: Checked):
        self.folder, self.root, self.allow_remote, self.helm, self.found = folder, root, allow_remote, helm, found
        self.real = real  # the folder's real path

    def kustomization(self, doc: Document) -> list[str]:
        """Check one kustomization document; the folders it includes."""
        node = doc.node
        below: list[str] = []
        for name in INCLUDES:
            for item, text in _scalars(composed.value(node, name)):
                below += self._include(doc, item, name, text)
        for name in FILE_LISTS:
            for item, text in _scalars(composed.value(node, name)):
                self._file(doc, item, name, text)
        for item, text in _scalars(composed.value(node, "patchesStrategicMerge")):
            if _is_path(text):  # else an inline patch
                self._file(doc, item, "patchesStrategicMerge", text)
        for name in ("patches", "patchesJson6902", "replacements"):
            for entry in composed.items(composed.value(node, name)):
                self._path_of(doc, entry, f"{name}[].path", "path")
        self._path_of(doc, composed.value(node, "openapi"), "openapi.path", "path")
        for name in GENERATORS:
            for entry in composed.items(composed.value(node, name)):
                self._generator_files(doc, entry, name)
        for entry in composed.items(composed.value(node, "helmCharts")):
            self._helm_chart(doc, entry, "helmCharts", composed.scalar(composed.value(entry, "repo")) or "")
            for key in ("valuesFile", "additionalValuesFiles"):
                for item, text in _scalars(composed.value(entry, key), single=True):
                    self._file(doc, item, f"helmCharts[].{key}", text)
        for entry in composed.items(composed.value(node, "helmChartInflationGenerator")):
            self._helm_chart(doc, entry, "helmChartInflationGenerator",
                             composed.scalar(composed.value(entry, "chartRepoUrl")) or "")
            for key in ("values", "chartHome"):
                for item, text in _scalars(composed.value(entry, key), single=True):
                    self._file(doc, item, f"helmChartInflationGenerator[].{key}", text, folder=key == "chartHome")
        globals_ = composed.value(node, "helmGlobals")
        for key in ("chartHome", "configHome"):
            for item, text in _scalars(composed.value(globals_, key), single=True):
                self._file(doc, item, f"helmGlobals.{key}", text, folder=True)
        charts = real_below(self.real, "charts")  # the chart home when none is named
        if composed.items(composed.value(node, "helmCharts")) and inside(self.root, charts):
            self.found.trees.add(charts)
            self.found.problems += links_outside(charts, self.root, "the repository")
        for name in PLUGINS:
            for item in composed.items(composed.value(node, name)):
                below += self._plugin(doc, item, name)
        return below

    # --- one entry ---------------------------------------------------------------------

    def _include(self, doc: Document, item: yaml.Node, name: str, text: str) -> list[str]:
        """A resource, base or component: a file, or a folder read in turn."""
        real = self._entry(doc, item, name, text)
        if real is not None and os.path.isdir(real):
            return [real]
        if real is not None:
            self.found.files.add(real)
        return []

    def _entry(self, doc: Document, item: yaml.Node, name: str, text: str) -> str | None:
        """The real path of an entry that names a file or a folder (kustomize
        fetches one it does not find), or None: refused (said), or remote and
        allowed."""
        reason, real = self._local(text, remote_if_missing=True)
        if reason:
            self._problem(doc, item, name, text, reason)
        return real

    def _file(self, doc: Document, item: yaml.Node, name: str, text: str, folder: bool = False) -> None:
        reason, real = self._local(text)
        if reason:
            self._problem(doc, item, name, text, reason)
        elif real is not None and not folder:
            self.found.files.add(real)
        elif real is not None:
            self.found.trees.add(real)
            self.found.problems += links_outside(real, self.root, "the repository")

    def _path_of(self, doc: Document, entry: yaml.Node | None, name: str, key: str) -> None:
        for item, text in _scalars(composed.value(entry, key), single=True):
            self._file(doc, item, name, text)

    def _generator_files(self, doc: Document, entry: yaml.Node, name: str) -> None:
        """A ConfigMap or Secret generator's `files` (`[key=]path`), `envs` and `env`."""
        for item, text in _scalars(composed.value(entry, "files")):
            self._file(doc, item, f"{name}[].files", text.partition("=")[2] if "=" in text else text)
        for key in ("envs", "env"):
            for item, text in _scalars(composed.value(entry, key), single=True):
                self._file(doc, item, f"{name}[].{key}", text)

    def _helm_chart(self, doc: Document, entry: yaml.Node, name: str, repository: str) -> None:
        if not self.helm:
            self.found.problems.append(Problem(doc.file, doc.line_of(entry), f"{name}: svcdocs lets kustomize run "
                                               "helm only with --render helm"))
        elif repository.strip() and not self.allow_remote:
            self.found.problems.append(Problem(doc.file, doc.line_of(entry), f"{name} from {_shown(repository)}: "
                                               "svcdocs fetches charts only with --allow-remote"))

    def _plugin(self, doc: Document, item: yaml.Node, name: str) -> list[str]:
        """A generator, transformer or validator: a folder (a kustomization),
        a file of plugin configuration, or the configuration inline."""
        text = composed.scalar(item)
        if text is None:
            return []
        if not _is_path(text):  # inline configuration: its lines count from the entry's
            inline = parse(Source(label=doc.file, data=text.encode()), kustomizations=True)
            for config in inline.documents:
                self._plugin_config(Document(doc.file, config.node, doc.line_of(item) - 1))
            return []
        real = self._entry(doc, item, name, text.strip())
        if real is None or os.path.isdir(real):
            return [real] if real is not None else []
        self.found.files.add(real)
        config = parse(Source(label=display_path(os.path.join(self.folder, text.strip())), path=real),
                       kustomizations=True)
        self.found.problems += config.problems
        for document in config.documents:
            self._plugin_config(document)
        return []

    def _plugin_config(self, doc: Document) -> None:
        """A plugin's configuration (PatchTransformer, ReplacementTransformer,
        ConfigMapGenerator, HelmChartInflationGenerator, ...): the fields of
        the built-in plugins that name files, whatever the kind."""
        node = doc.node
        kind = composed.scalar(composed.value(node, "kind")) or ""
        if kind in HELM_KINDS:
            self._helm_chart(doc, node, kind, composed.scalar(composed.value(node, "repo")) or "")
        for key in ("path", "paths", "files", "envs", "env", "valuesFile", "additionalValuesFiles"):
            for item, text in _scalars(composed.value(node, key), single=True):
                self._file(doc, item, f"{kind or 'plugin'} {key}", text.partition("=")[2] if key == "files"
                           and "=" in text else text)
        for key in ("chartHome", "configHome"):
            for item, text in _scalars(composed.value(node, key), single=True):
                self._file(doc, item, f"{kind or 'plugin'} {key}", text, folder=True)
        for entry in composed.items(composed.value(node, "replacements")):
            self._path_of(doc, entry, f"{kind or 'plugin'} replacements[].path", "path")

    # --- where a value leads ---------------------------------------------------------------

    def _local(self, text: str, remote_if_missing: bool = False) -> tuple[str | None, str | None]:
        """(why the value is refused, or None; the real local path, or None
        for an allowed remote). `remote_if_missing`: kustomize fetches a
        resource it does not find."""
        if not text:
            return "empty", None
        if NEVER_READ in text.replace("\\", "/").split("/"):
            return "names git's own files (.git), which svcdocs never lets kustomize read", None
        local = os.path.join(self.folder, text)
        if is_remote(text) or (remote_if_missing and not os.path.lexists(local)):
            if self.allow_remote:
                return None, None
            if not is_remote(text):  # a local path that is not there: kustomize fails on it, nothing to fetch
                return f"{display_path(os.path.normpath(local))} does not exist; add it or remove the entry", None
            return ("names a remote or file:// location, which kustomize would fetch; svcdocs renders only what is "
                    "in the repository (pass --allow-remote to let kustomize fetch it)"), None
        real = real_below(self.real, text)
        if not inside(self.root, real) and not self.allow_remote:
            return f"leads outside the repository ({self.root}); svcdocs renders only what is in it", None
        return None, real

    def _problem(self, doc: Document, item: yaml.Node, name: str, text: str, reason: str) -> None:
        self.found.problems.append(Problem(doc.file, doc.line_of(item), f"{name} entry {_shown(text)}: {reason}"))


def real_below(folder_real: str, relative: str) -> str:
    """`os.path.realpath(os.path.join(folder_real, relative))` for a folder
    whose path is real already: only the parts of `relative` are looked at,
    one `lstat` each, not every folder from `/` down (a repository of a
    hundred apps checks thousands of entries). Anything unusual (an absolute
    path, `..`, a link on the way) goes to `os.path.realpath` itself."""
    if os.path.isabs(relative) or ".." in relative.split("/"):
        return os.path.realpath(os.path.join(folder_real, relative))
    parts = [part for part in relative.split("/") if part not in ("", ".")]
    path = folder_real
    for i, part in enumerate(parts):
        path = os.path.join(path, part)
        try:
            mode = os.lstat(path).st_mode
        except OSError:  # not there: realpath leaves the rest as it is written
            return os.path.join(path, *parts[i + 1:])
        if stat.S_ISLNK(mode):
            return os.path.realpath(os.path.join(folder_real, relative))
    return path


def unlisted(walked: Walked) -> list[Unread]:
    """Files of a walk that lie below a kustomization, which no kustomization
    of the walk names, and which hold a manifest: `kubectl apply -R -f` would
    apply them, and what svcdocs reads of the folder is what the
    kustomization renders. (Files of a chart inside are the chart's.)"""
    owner: dict[str, str] = {}  # folder -> its nearest kustomization file, "" for none or a chart's
    listed: set[str] = set()
    trees: set[str] = set()
    for folder, names in walked.folders:
        folder = os.path.normpath(folder)
        inherited = owner.get(os.path.dirname(folder), "")
        own = next((k for k in KUSTOMIZATIONS if k in names), None)
        if own is not None:
            owner[folder] = os.path.join(folder, own)
            named = check(folder, os.sep, allow_remote=True, helm=True, links=False)
            listed |= named.files
            trees |= named.trees
        else:
            owner[folder] = "" if "Chart.yaml" in names else inherited
    found = []
    for source in walked.sources:
        beside = owner.get(os.path.dirname(os.path.normpath(source.label)) or os.curdir, "")
        real = os.path.realpath(source.path)
        if beside and real not in listed and not any(inside(tree, real) for tree in trees) and _holds_manifest(source):
            found.append(Unread(source.label, f"below {display_path(beside)}, which does not list it: svcdocs reads "
                                "what the kustomization renders, and `kubectl apply -R -f` would apply this file too"))
    return found


def _holds_manifest(source: Source) -> bool:
    """Whether a file holds a document with a kind other than kustomize's own."""
    return any(composed.scalar(composed.value(node, "kind")) not in (None, "Kustomization", "Component")
               for node, _ in composed.mappings(source))


def _scalars(node: yaml.Node | None, single: bool = False) -> list[tuple[yaml.Node, str]]:
    """(node, text) of each scalar item of a sequence; with `single`, of a
    scalar value too (`env: file`, `path: file`)."""
    if single and isinstance(node, ScalarNode):
        nodes = [node]
    elif isinstance(node, SequenceNode):
        nodes = node.value
    else:
        nodes = []
    return [(n, text) for n in nodes if (text := composed.scalar(n)) is not None]


def _is_path(text: str) -> bool:
    """An entry that names a file, not inline YAML (a patch, a plugin's configuration)."""
    stripped = text.strip()
    return bool(stripped) and "\n" not in stripped and not (": " in stripped or stripped.endswith(":"))


def _shown(entry: str) -> str:
    return repr(entry if len(entry) <= MAX_SHOWN_ENTRY else entry[:MAX_SHOWN_ENTRY] + "…")


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
