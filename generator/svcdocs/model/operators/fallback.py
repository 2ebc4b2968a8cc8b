"""Any other custom resource that makes pods: one whose spec carries a pod
template, where the controllers and operators that make pods from one keep
it: `spec.template` (an Argo Rollout, an OpenKruise CloneSet) or
`spec.podTemplate`, and the same one level down
(`spec.<component>.podTemplate`, as Flink's jobManager). A pod template is
labels and a spec whose containers name their images; anything else of that
name is something else: an Argo CD ApplicationSet's template of
Applications, an ExternalSecret's template of a Secret. The resources of
GitOps tools and secret managers carry templates and values for other
objects, never pods of their own. Each template found is a group of pods the
resource's operator makes; its containers are read too.
"""

from __future__ import annotations

from yaml import MappingNode, ScalarNode, SequenceNode

from svcdocs.model.objects import PodGroup
from svcdocs.model.operators.common import MAX_GROUPS, Made

# (where the labels are, where the pod spec is), below spec or a component of it.
PLACES = (
    ("podTemplate.metadata.labels", "podTemplate.spec"),
    ("template.metadata.labels", "template.spec"),
)
# Groups whose resources hold templates and values of other objects.
NOT_POD_MAKERS = frozenset({
    "helm.toolkit.fluxcd.io", "kustomize.toolkit.fluxcd.io", "source.toolkit.fluxcd.io", "external-secrets.io",
    "generators.external-secrets.io", "bitnami.com", "secrets-store.csi.x-k8s.io",
})
NOT_POD_MAKING_KINDS = frozenset({("argoproj.io", "Application"), ("argoproj.io", "ApplicationSet")})


def pods_made(r, root, meta, group: str | None) -> Made | None:
    """The groups of pods a resource's spec announces, or None. A resource we
    know nothing of may use these names for anything: what is not shaped like
    a label map is passed over in silence, never reported."""
    if group in NOT_POD_MAKERS or (group, meta["kind"]) in NOT_POD_MAKING_KINDS:
        return None
    spec = root.get("spec")
    found, pod_spec, first_line = [], None, 0
    bases = [("", spec)] + [(f"{k}.", v) for k, v in _fields(r, spec).items() if isinstance(v, MappingNode)]
    for prefix, node in bases:
        for labels_path, spec_path in PLACES:
            template = _at(r, node, spec_path)
            if not _runs_images(r, template):
                continue  # a template of something else than pods
            holder = _at(r, node, labels_path.rsplit(".", 1)[0])
            labels = _labels(r, holder)
            if not labels or len(found) >= MAX_GROUPS:
                continue
            found.append(PodGroup(labels, meta["kind"], meta["name"], _replicas(r, spec), (),
                                  f"spec.{prefix}{labels_path}"))
            first_line = first_line or r.key_line(holder, "labels")
            if pod_spec is None and template is not None:
                pod_spec = template
    if not found:
        return None
    return Made(group or meta["kind"], tuple(found), first_line or meta["line"], _replicas(r, spec), pod_spec)


def _runs_images(r, pod_spec) -> bool:
    """Whether a pod spec has a container that names its image."""
    containers = _fields(r, pod_spec).get("containers")
    items = containers.value if isinstance(containers, SequenceNode) else []
    return any(isinstance(c, MappingNode) and isinstance(_fields(r, c).get("image"), ScalarNode)
               and _fields(r, c)["image"].value for c in items)


def _fields(r, node) -> dict:
    return r.mapping(node, "spec") if isinstance(node, MappingNode) else {}


def _at(r, node, path: str):
    for key in path.split("."):
        node = _fields(r, node).get(key)
    return node


def _labels(r, holder) -> tuple[tuple[str, str], ...]:
    node = _fields(r, holder).get("labels")
    items = [(k, v.value) for k, v in _fields(r, node).items() if isinstance(v, ScalarNode)]
    if not items or len(items) != len(_fields(r, node)):
        return ()
    return tuple(sorted(items))


def _replicas(r, spec) -> int | None:
    node = _fields(r, spec).get("replicas")
    if isinstance(node, ScalarNode) and node.value.isdigit():
        return int(node.value)
    return None
