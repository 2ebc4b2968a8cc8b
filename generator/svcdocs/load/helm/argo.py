"""An Argo CD Application's Helm source, read from composed nodes.

A source renders with Helm when it names a `chart` (from a chart repository
or an OCI registry) or has a `helm` block (a chart folder of a repository).
Its values are Argo CD's: `helm.valueFiles` in order (relative to the chart,
or `$ref/path` from the source with that `ref`, for multi-source
Applications), then `helm.values` (a string) or `helm.valuesObject` (which
wins), then `helm.parameters` and `helm.fileParameters`. The release is
`helm.releaseName`, else the Application's name; its namespace, the
destination's.
"""

from __future__ import annotations

from typing import Callable

from svcdocs.load import composed
from svcdocs.load.helm.chart import HelmChart


def repository_url(url: str) -> str:
    """Argo CD names an OCI registry without a scheme (`ghcr.io/org/charts`)."""
    if not url or url.startswith(("http://", "https://", "oci://")):
        return url
    return "oci://" + url


def chart_of(source, fill: Callable[[str], str], app: str, namespace: str, refs: tuple[tuple[str, str], ...],
             title: str) -> HelmChart | None:
    """The HelmChart of one Application source (`fill` expands an
    ApplicationSet's placeholders); None when it does not render with Helm."""
    def text(node) -> str:
        value = composed.scalar(node)
        return fill(value) if value is not None else ""

    chart_name = text(composed.value(source, "chart"))
    helm = composed.value(source, "helm")
    if not chart_name and helm is None:
        return None
    values_object = composed.value(helm, "valuesObject")
    parameters = [(text(composed.value(p, "name")), text(composed.value(p, "value")),
                   composed.scalar(composed.value(p, "forceString")) in ("true", "True"))
                  for p in composed.items(composed.value(helm, "parameters"))]
    chart = HelmChart(
        chart=chart_name or text(composed.value(source, "path")),
        release=text(composed.value(helm, "releaseName")) or app,
        version=text(composed.value(source, "targetRevision")) if chart_name else "",
        repository=repository_url(text(composed.value(source, "repoURL"))) if chart_name else "",
        namespace=namespace,
        values_files=tuple(fill(v) for v, _ in composed.strings(composed.value(helm, "valueFiles"))),
        values=composed.dump(values_object) if values_object is not None else text(composed.value(helm, "values")),
        parameters=tuple((n, v) for n, v, forced in parameters if n and not forced),
        string_parameters=tuple((n, v) for n, v, forced in parameters if n and forced),
        file_parameters=tuple((text(composed.value(p, "name")), text(composed.value(p, "path")))
                              for p in composed.items(composed.value(helm, "fileParameters"))
                              if text(composed.value(p, "name"))),
        controller="argo", refs=refs, pointer=title,
    )
    return chart


def refs_of(spec) -> tuple[tuple[str, str], ...]:
    """(ref, repoURL) of every source that has a `ref`."""
    return tuple((composed.scalar(composed.value(s, "ref")) or "", composed.scalar(composed.value(s, "repoURL")) or "")
                 for s in composed.items(composed.value(spec, "sources")) if composed.scalar(composed.value(s, "ref")))
