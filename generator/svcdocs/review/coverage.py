"""What a review cannot judge by itself, and so says at the top: files that
`kubectl apply` would read and svcdocs did not, objects of kinds svcdocs does
not model, PATHs read differently at BASE and HEAD (plain files that became
a kustomization), and what is new in HEAD that svcdocs could not read or
render (a document dropped for a parse error, a kustomization refused, failed
or timed out, a chart or a release not rendered). Each of these can hide new
exposure, so `--fail-on-exposure` fails on them: on unread files and
unmodelled objects unless the config says `fail-on-unmodelled: false`, on
objects of inert kinds (which open no way in) never, and on what was not read
or rendered always.
"""

from __future__ import annotations

import os
from collections import Counter
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


@dataclass(frozen=True, slots=True)
class Unseen:
    """Something new in HEAD that svcdocs could not read or render."""

    file: str  # where it is: the file, or the file that declares what was not rendered
    line: int  # 0 for a whole file
    reason: str
    kind: str  # document | kustomization | chart | helm-release | file (a file not read)

    def sentence(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}" if self.line else f"{self.file}: {self.reason}"


def unseen_changes(base: EnvironmentReports, head: EnvironmentReports,
                   roots: tuple[str, str] = ("", "")) -> tuple[Unseen, ...]:
    """What HEAD could not read or render and BASE could (or did not have):
    documents dropped (matched by file below its PATH and reason, counted),
    renders that did not happen (by kind and what), and, in a repository
    read as environments, files not read. `roots` are the folders BASE and
    HEAD were read from (`diff BASE HEAD`); "" for `--git`."""
    found: list[Unseen] = []
    before = Counter(_dropped(base, roots[0]).values())
    for (file, line, reason), key in _dropped(head, roots[1]).items():
        if before[key] > 0:
            before[key] -= 1
        else:
            found.append(Unseen(file, line, reason, "document"))
    rendered_before = {_not_rendered_key(n, roots[0]) for n in base.not_rendered}
    found += [Unseen(n.file, n.line, f"{n.what} not rendered: {n.reason}", n.kind) for n in head.not_rendered
              if n.kind != "component" and _not_rendered_key(n, roots[1]) not in rendered_before]
    if head.discovered:
        read_before = {_below_root(u.file, roots[0]) for u in base.unread}
        found += [Unseen(u.file, 0, f"not read: {u.reason}", "file") for u in head.unread
                  if _below_root(u.file, roots[1]) not in read_before]
    return tuple(sorted(set(found), key=lambda u: (u.file, u.line, u.reason)))


def unseen_fails(unseen: tuple[Unseen, ...], fail_on_unmodelled: bool) -> bool:
    """Whether what was not read or rendered fails `--fail-on-exposure`: always,
    but files not read only as the config says (`fail-on-unmodelled`)."""
    return any(u.kind != "file" or fail_on_unmodelled for u in unseen)


def _dropped(side: EnvironmentReports, root: str) -> dict[tuple[str, int, str], tuple[str, str]]:
    """Each document dropped (once, however many environments hold its file),
    with the key it is matched by."""
    return {(p.file, p.line, p.reason): (_below_root(p.file, root), p.reason) for p in side.dropped}


def _not_rendered_key(item, root: str) -> tuple[str, str]:
    """What is not rendered, matched by kind and what: a folder below its
    PATH; a release or a chart from a repository (`HelmRelease apps/podinfo`,
    `chart podinfo`) by its name, which no PATH prefixes."""
    if item.kind == "helm-release" or item.what.startswith("chart "):
        return item.kind, item.what
    return item.kind, _below_root(item.what, root)


def _below_root(path: str, root: str) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/") if root else os.path.normpath(path)


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
