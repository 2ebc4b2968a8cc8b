"""What one Helm release is: where its chart comes from, and its values.

A `HelmChart` is read from a Flux HelmRelease (`load.helm.flux`), an Argo CD
Application's Helm source (`load.helm.argo`), or a chart folder met while
walking; `load.helm.render` renders it. Inline values are kept as YAML text,
to give to helm, and never shown: `command()` writes placeholders where
values go.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from svcdocs.load.helm.values import ValuesError, ValuesFrom, parse_values

# Where a chart comes from.
FOLDER = "folder"  # a folder of this repository (a GitRepository chart, an Argo CD path, a chart walked)
HTTP = "http"  # a chart repository: index.yaml at its URL (Flux HelmRepository, Argo CD repoURL)
OCI = "oci"  # an OCI registry: oci://host/path (HelmRepository type oci, OCIRepository, Argo CD)


@dataclass(frozen=True, slots=True)
class HelmChart:
    """What `helm template` needs for one release."""

    chart: str  # a folder in the repository, or the chart's name in `repository`
    release: str
    version: str = ""  # as written: an exact version, a constraint, or an OCI tag
    repository: str = ""  # a chart repository's URL (https://, or oci:// for a registry); "" for a folder
    namespace: str = ""
    values_files: tuple[str, ...] = ()  # Argo CD: relative to the chart ($ref/path: to a source); Flux: see below
    values: str = ""  # inline values as YAML text (passed to helm, never shown)
    parameters: tuple[tuple[str, str], ...] = ()  # Argo CD parameters: --set name=value
    string_parameters: tuple[tuple[str, str], ...] = ()  # Argo CD parameters with forceString: --set-string
    file_parameters: tuple[tuple[str, str], ...] = ()  # Argo CD fileParameters: --set-file name=path
    values_from: tuple[ValuesFrom, ...] = ()  # Flux valuesFrom, in order
    chart_values: bool = False  # Flux: values_files replace the chart's values.yaml (HelmChart spec.valuesFiles)
    digest: str = ""  # an OCI digest (sha256:...) that pins the chart
    insecure: bool = False  # an OCI registry over plain HTTP (spec.insecure)
    controller: str = ""  # flux | argo | "" (a chart walked): whose rules compute the values
    refs: tuple[tuple[str, str], ...] = ()  # Argo CD multi-source: ref name -> that source's repoURL
    root: str = ""  # Argo CD / Flux GitRepository: the repository path the chart's files start from
    pointer: str = ""  # the HelmRelease or Application it comes from (its title), "" for a walked chart
    home: str = ""  # Flux: the HelmRelease's own namespace, where its valuesFrom are read

    @property
    def kind(self) -> str:
        if not self.repository:
            return FOLDER
        return OCI if self.repository.startswith("oci://") else HTTP

    @property
    def reference(self) -> str:
        """The chart as helm names it: a folder, `oci://host/path/chart`, or `repository chart`."""
        if self.kind == OCI:
            return f"{self.repository.rstrip('/')}/{self.chart}" if self.chart else self.repository
        return self.chart

    def argv(self) -> list[str]:
        """The command that works instead, as a list (values never included)."""
        argv = ["helm", "template"]
        if self.kind == HTTP:
            argv.append(f"--repo={self.repository}")
        if self.version and not self.digest:
            argv.append(f"--version={self.version}")
        if self.namespace:
            argv.append(f"--namespace={self.namespace}")
        if self.insecure:
            argv.append("--plain-http")
        for name in self.values_files:
            argv.append(f"--values={name}")
        reference = self.reference + (f"@{self.digest}" if self.digest else "")
        return argv + ["--", self.release, reference]

    def command(self, verb: str = "<command>") -> str:
        """The pipe that works instead. Values and parameters are never shown
        (they may hold secrets): placeholders say where they go."""
        argv = self.argv()
        at = argv.index("--")
        extra = []
        if self.values or self.values_from:
            extra.append("--values=VALUES.yaml")
        if self.parameters or self.string_parameters or self.file_parameters:
            extra.append("--set=...")
        return " ".join(shlex.quote(a) for a in argv[:at] + extra + argv[at:]) + f" | svcdocs {verb} -"

    @property
    def shown_version(self) -> str:
        return self.digest or self.version


def deployable(folder: str) -> bool:
    """Whether a chart folder can be installed: a library chart (`type:
    library`) only lends templates to the charts that depend on it."""
    try:
        with open(f"{folder}/Chart.yaml", "rb") as f:
            meta = parse_values(f.read(1024 * 1024).decode("utf-8", "replace"), "Chart.yaml")
    except (OSError, ValuesError):
        return True  # helm says what is wrong with it
    return meta.get("type") != "library"
