"""CloudNativePG: Cluster and Pooler (postgresql.cnpg.io).

A Cluster's instances are pods the operator makes itself, named
`<cluster>-<n>` from 1; a Pooler runs a Deployment of PgBouncer named after it.
Labels from the "Labels and Annotations" page of the documentation
(https://cloudnative-pg.io/documentation/current/labels_annotations/); a
Cluster's `spec.inheritedMetadata.labels` go on every object it makes, pods
included, and a Pooler's pods carry its `spec.template.metadata.labels`.
"""

from __future__ import annotations

from svcdocs.model.objects import PodGroup
from svcdocs.model.operators.common import Made, any_of, count, field, labels_at, merged, numbered, one_of

GROUP = "postgresql.cnpg.io"
OPERATOR = "CloudNativePG"
COMMON = {"app.kubernetes.io/name": "postgresql", "app.kubernetes.io/managed-by": "cloudnative-pg"}
ROLES = ("primary", "replica", "unhealthy")
LABEL_KEYS = frozenset({"cnpg.io/cluster", "cnpg.io/instanceName", "cnpg.io/instanceRole", "cnpg.io/podRole",
                        "cnpg.io/poolerName", "role"})


def _cluster(r, root, meta) -> Made:
    name, spec = meta["name"], root.get("spec")
    own, line = labels_at(r, spec, "inheritedMetadata.labels")
    instances = count(r, spec, "instances")
    reserved = {**COMMON, "cnpg.io/cluster": name, "cnpg.io/podRole": "instance",
                "app.kubernetes.io/component": "database", "app.kubernetes.io/instance": name}
    varying = (numbered("cnpg.io/instanceName", f"{name}-", first=1), one_of("cnpg.io/instanceRole", *ROLES),
               one_of("role", *ROLES), *any_of("app.kubernetes.io/version"))
    group = PodGroup(merged(own, reserved), "Cluster", name, instances, varying,
                     "spec.inheritedMetadata.labels" if own else "")
    return Made(OPERATOR, (group,), line or meta["line"], instances)


def _pooler(r, root, meta) -> Made:
    name, spec = meta["name"], root.get("spec")
    own, line = labels_at(r, spec, "template.metadata.labels")
    cluster = r.string(field(r, spec, "cluster.name"), "spec.cluster.name") or ""
    instances = count(r, spec, "instances")
    reserved = {**COMMON, "cnpg.io/poolerName": name, "cnpg.io/cluster": cluster, "cnpg.io/podRole": "pooler",
                "app.kubernetes.io/component": "pooler", "app.kubernetes.io/instance": cluster}
    group = PodGroup(merged(own, reserved), "Deployment", name, instances, (),
                     "spec.template.metadata.labels" if own else "")
    return Made(OPERATOR, (group,), line or meta["line"], instances)


KINDS = {(GROUP, "Cluster"): _cluster, (GROUP, "Pooler"): _pooler}
