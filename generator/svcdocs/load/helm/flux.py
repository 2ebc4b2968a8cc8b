"""Flux's Helm objects, read from composed nodes (nothing is constructed).

- `HelmRelease`: its chart (`spec.chart.spec` with a `sourceRef`, or
  `spec.chartRef` to an OCIRepository or a HelmChart), release name (Flux's
  default: `[targetNamespace-]name`, shortened past 53 characters), namespace,
  `values` and `valuesFrom`.
- The sources a chart comes from: `HelmRepository` (HTTP, or `type: oci`),
  `OCIRepository` (`ref.tag`, `ref.semver`, `ref.digest`), `HelmChart` (a
  chart of a HelmRepository or a GitRepository, with its `valuesFiles`), and
  `GitRepository` (this repository, when its URL is one of its remotes).

`chart_for` joins a HelmRelease to its source: the `HelmChart` helm renders,
or why there is none.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from yaml import MappingNode

from svcdocs.load import composed
from svcdocs.load.helm.chart import HelmChart
from svcdocs.load.helm.names import flux_release_name
from svcdocs.load.helm.values import ValuesFrom

SOURCE_KINDS = ("GitRepository", "HelmRepository", "OCIRepository", "HelmChart", "Bucket")


@dataclass(frozen=True, slots=True)
class FluxSource:
    kind: str
    namespace: str
    name: str
    url: str
    oci: bool = False
    version: str = ""  # OCIRepository ref.tag or ref.semver; HelmChart spec.version
    digest: str = ""  # OCIRepository ref.digest
    insecure: bool = False  # plain HTTP (spec.insecure)
    chart: str = ""  # HelmChart spec.chart
    source: tuple[str, str, str] = ("", "", "")  # HelmChart spec.sourceRef: kind, namespace, name
    values_files: tuple[str, ...] = ()  # HelmChart spec.valuesFiles


def source_of(kind: str, namespace: str, name: str, node: MappingNode) -> FluxSource:
    spec = composed.value(node, "spec")
    url = composed.scalar(composed.value(spec, "url")) or ""
    oci = url.startswith("oci://") or composed.scalar(composed.value(spec, "type")) == "oci"
    insecure = composed.scalar(composed.value(spec, "insecure")) in ("true", "True")
    if kind == "OCIRepository":
        ref = composed.value(spec, "ref")
        version = (composed.scalar(composed.value(ref, "semver")) or composed.scalar(composed.value(ref, "tag"))
                   or ("" if composed.value(ref, "digest") is not None else "latest"))
        return FluxSource(kind, namespace, name, url, True, version,
                          composed.scalar(composed.value(ref, "digest")) or "", insecure)
    if kind == "HelmChart":
        return FluxSource(kind, namespace, name, "", False, composed.scalar(composed.value(spec, "version")) or "",
                          chart=composed.scalar(composed.value(spec, "chart")) or "",
                          source=_ref(namespace, composed.value(spec, "sourceRef")),
                          values_files=_values_files(spec))
    return FluxSource(kind, namespace, name, url, oci, insecure=insecure)


def _ref(namespace: str, node) -> tuple[str, str, str]:
    return (composed.scalar(composed.value(node, "kind")) or "",
            composed.scalar(composed.value(node, "namespace")) or namespace,
            composed.scalar(composed.value(node, "name")) or "")


def _values_files(spec) -> tuple[str, ...]:
    files = tuple(v for v, _ in composed.strings(composed.value(spec, "valuesFiles")))
    single = composed.scalar(composed.value(spec, "valuesFile"))  # deprecated, still read by Flux
    return files or ((single,) if single else ())


@dataclass(frozen=True, slots=True)
class Release:
    """What a HelmRelease says of its chart, before its source is known."""

    chart: HelmChart
    source: tuple[str, str, str]  # sourceRef, or chartRef: kind, namespace, name
    by_ref: bool  # spec.chartRef
    values_from: int


def release_of(name: str, namespace: str, spec, title: str) -> Release:
    chart_spec = composed.path(spec, "chart", "spec")
    chart_ref = composed.value(spec, "chartRef")
    target = composed.scalar(composed.value(spec, "targetNamespace")) or ""
    values = composed.value(spec, "values")
    values_from = tuple(ValuesFrom(
        kind=composed.scalar(composed.value(v, "kind")) or "",
        name=composed.scalar(composed.value(v, "name")) or "",
        key=composed.scalar(composed.value(v, "valuesKey")) or "values.yaml",
        target_path=composed.scalar(composed.value(v, "targetPath")) or "",
        optional=composed.scalar(composed.value(v, "optional")) in ("true", "True"),
    ) for v in composed.items(composed.value(spec, "valuesFrom")))
    chart = HelmChart(
        chart=composed.scalar(composed.value(chart_spec, "chart")) or "",
        release=composed.scalar(composed.value(spec, "releaseName")) or flux_release_name(name, target),
        version=composed.scalar(composed.value(chart_spec, "version")) or "",
        namespace=target or namespace,
        values_files=_values_files(chart_spec),
        values=composed.dump(values) if isinstance(values, MappingNode) and values.value else "",
        values_from=tuple(v for v in values_from if v.kind in ("ConfigMap", "Secret") and v.name),
        chart_values=True, controller="flux", pointer=title, home=namespace,
    )
    source = _ref(namespace, chart_ref if chart_ref is not None else composed.value(chart_spec, "sourceRef"))
    return Release(chart, source, chart_ref is not None, len(values_from))


Lookup = Callable[[str, str, str], "FluxSource | None"]


def chart_for(chart: HelmChart, source: tuple[str, str, str], lookup: Lookup,
              here: Callable[[str], str | None], ours: Callable[[str], bool]) -> tuple[HelmChart | None, str]:
    """The chart a HelmRelease renders, from its source; or None and why.
    `here(path)`: a path of this repository as shown, or None; `ours(url)`:
    whether a GitRepository's URL is this repository."""
    kind, namespace, name = source
    if not kind or not name:
        return None, "it names no chart source (spec.chart.spec.sourceRef or spec.chartRef)"
    found = lookup(kind, namespace, name)
    if found is None and kind == "GitRepository":  # flux-system's own, often left out of the repository
        found = FluxSource(kind, namespace, name, "")
    if found is None:
        return None, f"{kind} {namespace + '/' if namespace else ''}{name} is not in the input"
    if kind == "HelmChart":
        inner = replace(chart, chart=found.chart, version=found.version, values_files=found.values_files)
        if found.source[0] == "HelmChart":
            return None, f"HelmChart {name} names another HelmChart"
        return chart_for(inner, found.source, lookup, here, ours)
    if kind == "HelmRepository":
        if not found.url:
            return None, f"HelmRepository {name} has no spec.url"
        if found.oci and not found.url.startswith("oci://"):
            return None, f"HelmRepository {name} is of type oci but its URL {found.url} is not oci://"
        return replace(chart, repository=found.url, insecure=found.insecure), ""
    if kind == "OCIRepository":
        if not found.url.startswith("oci://"):
            return None, f"OCIRepository {name} has no oci:// URL"
        return replace(chart, chart="", repository=found.url, version=found.version, digest=found.digest,
                       insecure=found.insecure), ""
    if kind == "GitRepository":
        if found.url and not ours(found.url):
            return None, f"its chart is in GitRepository {name} ({found.url}), another repository"
        path = here(chart.chart)
        if path is None:
            return None, f"chart {chart.chart} is not a folder of this repository"
        return replace(chart, chart=path), ""
    return None, f"charts from a {kind} are not rendered"
