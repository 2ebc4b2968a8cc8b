"""What a review cannot judge by itself, and so says at the top: files that
`kubectl apply` would read and svcdocs did not, objects of kinds svcdocs does
not model, and PATHs read differently at BASE and HEAD (plain files that became
a kustomization). Each of these can hide new exposure, so `--fail-on-exposure`
fails on them: on unread files and unmodelled objects unless the config says
`fail-on-unmodelled: false`, and on objects of inert kinds (which open no way
in) never.
"""

from __future__ import annotations

from dataclasses import dataclass
from svcdocs.load.git import ABSENT
from svcdocs.pipeline import EnvironmentReports, Report

# Kinds that cannot open a way into the cluster or change where traffic goes:
# adding or changing one is listed, and never fails the gate.
INERT_KINDS = frozenset({
    "ConfigMap", "Secret", "ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding",
    "PersistentVolumeClaim", "PersistentVolume", "StorageClass", "VolumeSnapshot", "VolumeSnapshotClass",
    "HorizontalPodAutoscaler", "VerticalPodAutoscaler", "PodDisruptionBudget", "LimitRange", "ResourceQuota",
    "PriorityClass", "RuntimeClass", "CustomResourceDefinition", "Lease", "PodTemplate", "ControllerRevision",
    "ServiceMonitor", "PodMonitor", "PrometheusRule",
    # certificates and secrets that controllers issue or fetch: data, not ways in
    "Certificate", "CertificateRequest", "Issuer", "ClusterIssuer", "ExternalSecret", "ClusterExternalSecret",
    "SealedSecret",
})
MODES = {
    "files": "plain files", "file": "a file", "stdin": "standard input", "kustomize": "a kustomization",
    "helm": "a Helm chart",
}


@dataclass(frozen=True, slots=True)
class UnreadChange:
    change: str  # added | removed
    file: str
    reason: str


@dataclass(frozen=True, slots=True)
class UnmodelledChange:
    change: str  # added | removed | changed
    object: str
    kind: str  # as counted: `VirtualService`, `Gateway (networking.istio.io)`
    inert: bool  # a kind that opens no way in


@dataclass(frozen=True, slots=True)
class RenderingChange:
    path: str  # HEAD's PATH
    before: str  # files | file | stdin | kustomize | helm
    after: str

    def sentence(self) -> str:
        return f"{self.path} is read differently: {MODES[self.before]} at BASE, {MODES[self.after]} at HEAD"


def unrendered_at_base(base: EnvironmentReports, head: EnvironmentReports,
                       environment: str | None = None) -> tuple[str, ...]:
    """What BASE could not render and HEAD did (in `environment`, or in any
    when None), one sentence each: what it held at BASE is unknown, so all
    HEAD has of it reads as added. Not what both fail to render alike, nor
    what HEAD no longer has."""
    failing = {(n.kind, n.what) for n in head.not_rendered}
    rendered = {s.label.rsplit(" (", 1)[0] for e, _ in head.reports for s in e.sources if s.data is not None}
    rendered |= {p.title for p in head.pointers}
    return tuple(dict.fromkeys(
        f"{n.what} could not be rendered at BASE ({n.file}:{n.line}: {n.reason}), so what it held then is "
        "unknown and everything in it reads as added" for n in base.not_rendered
        if n.kind == "revision" or ((environment is None or n.environment == environment)
                                    and (n.kind, n.what) not in failing and n.what in rendered)))


def unread_changes(base: Report, head: Report) -> list[UnreadChange]:
    """Matched by their path below the PATH they were found in, so that
    `diff old/ new/` matches old/x.yaml with new/x.yaml."""
    before = {_below(u.file, base): u for u in base.unread}
    after = {_below(u.file, head): u for u in head.unread}
    changes = [UnreadChange("added", u.file, u.reason) for f, u in after.items() if f not in before]
    changes += [UnreadChange("removed", u.file, u.reason) for f, u in before.items() if f not in after]
    return sorted(changes, key=lambda c: (c.file, c.change))


def _below(file: str, report: Report) -> str:
    for rendering in report.renderings:
        prefix = rendering.path.rstrip("/") + "/"
        if file.startswith(prefix.removeprefix("./")):
            return file[len(prefix.removeprefix("./")):]
    return file


def unmodelled_changes(base: Report, head: Report, inert_kinds: frozenset[str] = frozenset()) -> list[UnmodelledChange]:
    inert = INERT_KINDS | inert_kinds
    before = {u.id: u for u in base.model.inputs.unmodelled}
    after = {u.id: u for u in head.model.inputs.unmodelled}
    changes = []
    for object_id in sorted(before.keys() | after.keys()):
        old, new = before.get(object_id), after.get(object_id)
        change = "added" if old is None else "removed" if new is None else \
            "changed" if old.digest != new.digest else None
        if change:
            obj = new or old
            changes.append(UnmodelledChange(change, object_id, obj.kind, obj.kind in inert))
    return changes


def rendering_changes(base: Report, head: Report) -> list[RenderingChange]:
    """PATHs read differently; one that BASE did not have is simply new."""
    return [RenderingChange(new.path, old.mode, new.mode)
            for old, new in zip(base.renderings, head.renderings) if old.mode not in (new.mode, ABSENT)]
