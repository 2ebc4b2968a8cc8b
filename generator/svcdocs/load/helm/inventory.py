"""The Helm releases of an environment, as the site lists and compares them.

A `Release` says what was deployed, never a value: the chart, its exact
version, where it came from, a digest of the values that do not come from a
Secret, and the names of the value keys (with a token of each value that
only this run can read, so that two environments' values can be compared).
"""

from __future__ import annotations

from dataclasses import dataclass

from svcdocs.load.helm.chart import FOLDER, HTTP, HelmChart
from svcdocs.load.helm.values import Computed, digest, tokens


@dataclass(frozen=True, slots=True)
class Release:
    name: str  # the release name
    namespace: str
    pointer: str  # HelmRelease ns/name, Application ns/name, or the chart folder
    chart: str  # the chart's name
    version: str  # the exact version rendered ("" when not rendered)
    source: str  # a folder of the repository, a chart repository's URL, or oci://...
    values_digest: str = ""  # of the values not from a Secret
    value_tokens: tuple[tuple[str, str], ...] = ()  # (dotted key, token of its value): compared, never shown
    secret_keys: tuple[str, ...] = ()  # keys whose values came from a Secret (named, never shown)
    status: str = "rendered"  # rendered, or why not
    file: str = ""  # where it is declared
    line: int = 0

    @property
    def key(self) -> str:
        """How a release is matched between environments and between BASE and HEAD."""
        return self.pointer or self.name


def release_of(chart: HelmChart, computed: Computed | None, name: str, version: str, file: str = "",
               line: int = 0, status: str = "rendered") -> Release:
    source = chart.chart if chart.kind == FOLDER else chart.repository if chart.kind == HTTP else chart.reference
    if computed is None:
        return Release(chart.release, chart.namespace, chart.pointer or chart.chart, name or chart.chart or "unknown",
                       version or chart.shown_version, source, status=status, file=file, line=line)
    return Release(chart.release, chart.namespace, chart.pointer or chart.chart, name, version, source,
                   digest(computed.shown), tokens(computed.values), tuple(sorted(computed.secret_keys)),
                   status, file, line)
