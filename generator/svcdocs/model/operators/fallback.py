"""Any other custom resource that makes pods: one whose spec carries a label
map for its pods.

Operators that svcdocs does not know by name still put their pod labels where
a reader can see them: `spec.podMetadata.labels`, `spec.podTemplate.metadata.labels`,
`spec.template.metadata.labels` (a pod template: one with containers, or with
no spec at all), or `spec.template.pod.metadata.labels`, and the same one
level down (`spec.<component>.podTemplate...`). Each label map found is a group
of pods the resource's operator makes; a pod template's containers are read
too. A template whose spec holds no containers (an Argo CD ApplicationSet's
template of Applications) is not a pod template.
"""

from __future__ import annotations

from yaml import MappingNode, ScalarNode

from svcdocs.model.objects import PodGroup
from svcdocs.model.operators.common import MAX_GROUPS, Made

# (where the labels are, where the pod spec is), below spec or a component of it.
PLACES = (
    ("podMetadata.labels", None),
    ("podTemplate.metadata.labels", "podTemplate.spec"),
    ("template.metadata.labels", "template.spec"),
    ("template.pod.metadata.labels", None),
)


def pods_made(r, root, meta, group: str | None) -> Made | None:
    """The groups of pods a resource's spec announces, or None. A resource we
    know nothing of may use these names for anything: what is not shaped like
    a label map is passed over in silence, never reported."""
    spec = root.get("spec")
    found, pod_spec, first_line = [], None, 0
    bases = [("", spec)] + [(f"{k}.", v) for k, v in _fields(r, spec).items() if isinstance(v, MappingNode)]
    for prefix, node in bases:
        for labels_path, spec_path in PLACES:
            template = _at(r, node, spec_path) if spec_path else None
            if spec_path and template is not None and not {"containers", "initContainers"} & set(_fields(r, template)):
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
