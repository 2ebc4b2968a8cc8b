"""The Helm part of discovering environments, behind a few calls from
`load.environments`: rendering a release with what its environment holds
(its ConfigMaps and Secrets, for `valuesFrom`), substituting a Flux
Kustomization's variables into what it deploys, and keeping what each
render was, for the inventory.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Callable, Iterable

from svcdocs.load import composed
from svcdocs.load.helm.chart import HelmChart
from svcdocs.load.helm.flux import FluxSource, chart_for
from svcdocs.load.helm.inventory import Release, release_of
from svcdocs.load.helm.render import Context
from svcdocs.load.helm.substitute import PostBuild, Unset, Variables, substitute_source, variables
from svcdocs.load.helm.values import DataIndex, object_data
from svcdocs.load.discovery_renders import render_helm
from svcdocs.load.sources import LoadOptions, Source

DATA_MARKERS = (b"ConfigMap", b"Secret")


class Chained(DataIndex):
    """An environment's own ConfigMaps and Secrets first, then the repository's."""

    def __init__(self, first: DataIndex, then: DataIndex):
        super().__init__()
        self.first, self.then = first, then

    def get(self, kind: str, namespace: str, name: str):
        found = self.first.get(kind, namespace, name)
        return found if found[0] else self.then.get(kind, namespace, name)


class HelmDiscovery:
    def __init__(self, options: LoadOptions, top: str, same: Callable[[str], bool],
                 resolve: Callable[[str], str | None]):
        self.options = options
        self.top = top
        self.same = same
        self.resolve = resolve
        self.data: dict[str, DataIndex] = {}  # per source key
        self.releases: dict[tuple[str, HelmChart], Release] = {}  # per render: its label and chart
        self.substituted: dict[tuple, tuple[Source, tuple[Unset, ...], tuple[str, ...]]] = {}
        self.lock = threading.Lock()

    # --- ConfigMaps and Secrets ---------------------------------------------------------

    def index(self, sources: Iterable[Source]) -> DataIndex:
        found = DataIndex()
        for source in sources:
            for key, data in self._data_of(source).objects.items():
                found.objects.setdefault(key, data)
        return found

    def _data_of(self, source: Source) -> DataIndex:
        key = source.path or source.label
        with self.lock:
            known = self.data.get(key)
        if known is not None:
            return known
        found = DataIndex()
        for node, _ in composed.mappings(source, DATA_MARKERS):
            kind = composed.scalar(composed.value(node, "kind")) or ""
            if kind not in ("ConfigMap", "Secret"):
                continue
            meta = composed.value(node, "metadata")
            found.add(kind, composed.scalar(composed.value(meta, "namespace")) or "",
                      composed.scalar(composed.value(meta, "name")) or "", object_data(kind, node))
        with self.lock:
            self.data[key] = found
        return found

    # --- Rendering ------------------------------------------------------------------------

    def render(self, chart: HelmChart, label: str, index: DataIndex, file: str = "", line: int = 0) -> Source:
        """Render one release (SvcdocsError when it cannot), and keep what it was."""
        context = Context(self.options, self.top, index, self.same, self.resolve)
        source, rendered = render_helm(chart, context, label)
        status = "rendered"
        if rendered.computed.missing:
            status = "rendered without " + "; ".join(rendered.computed.missing)
        with self.lock:
            self.releases[(label, chart)] = release_of(chart, rendered.computed, rendered.name, rendered.version,
                                                       file, line, status)
        return source

    def not_rendered(self, chart: HelmChart, label: str, reason: str, file: str = "", line: int = 0) -> None:
        with self.lock:
            self.releases.setdefault((label, chart), release_of(chart, None, "", "", file, line,
                                                                f"not rendered: {reason}"))

    def release(self, label: str, chart: HelmChart) -> Release | None:
        return self.releases.get((label, chart))

    # --- Flux ------------------------------------------------------------------------------

    def chart(self, chart: HelmChart, source: tuple[str, str, str], sources: dict[tuple[str, str, str], FluxSource],
              here: Callable[[str], str | None]) -> tuple[HelmChart | None, str]:
        """The chart a HelmRelease renders, its source looked up by kind and
        name (in its namespace, else the only one of that name)."""
        def lookup(kind: str, namespace: str, name: str) -> FluxSource | None:
            found = sources.get((kind, namespace, name))
            if found is None:
                named = [s for (k, _, n), s in sources.items() if k == kind and n == name]
                found = named[0] if len(named) == 1 else None
            return found
        return chart_for(chart, source, lookup, here, self.same)

    @staticmethod
    def in_namespace(pointer, namespace: str):
        """A HelmRelease that names no namespace, in the one its Flux
        Kustomization's targetNamespace gives it: its release, its valuesFrom
        and its chart source (unless that names its own) are there."""
        kind, source_namespace, name = pointer.source
        chart = replace(pointer.chart, namespace=pointer.chart.namespace or namespace, home=namespace)
        return replace(pointer, namespace=namespace, chart=chart, source=(kind, source_namespace or namespace, name))

    def substitute(self, source: Source, post_build: PostBuild, index: DataIndex,
                   generation: int) -> tuple[Source, tuple[Unset, ...], tuple[str, ...]]:
        """The source with the Kustomization's variables substituted; the
        variables used without a value, and the substituteFrom not found."""
        key = (source.path or source.label, post_build, generation)
        with self.lock:
            known = self.substituted.get(key)
        if known is not None:
            return known
        found: Variables = variables(post_build, index)
        result = (substitute_source(source, found), tuple(found.unset), tuple(found.missing))
        with self.lock:
            self.substituted[key] = result
        return result
