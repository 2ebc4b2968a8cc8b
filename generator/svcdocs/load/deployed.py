"""What discovery finds, as the rest of svcdocs reads it: environments (what
is deployed together to one cluster) and the apps inside each (what is
deployed apart). Made by `load.environments`."""

from __future__ import annotations

from dataclasses import dataclass

from svcdocs.load.gitops import Pointer
from svcdocs.load.helm.inventory import Release
from svcdocs.load.helm.substitute import Unset
from svcdocs.load.problems import Unread
from svcdocs.load.discovery_renders import NotRendered
from svcdocs.load.sources import Rendering, Source

PLAIN = "plain manifests"


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
    cluster: str = ""  # an Argo CD Application's destination cluster


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
