"""Crunchy Postgres for Kubernetes (PGO v5): PostgresCluster
(postgres-operator.crunchydata.com).

Each replica of an instance set is a StatefulSet of one pod,
`<cluster>-<set>-<random>`; PgBouncer, when `spec.proxy.pgBouncer` is set, a
Deployment `<cluster>-pgbouncer`. The pods carry `spec.metadata.labels`, their
instance set's `metadata.labels`, and the operator's
`postgres-operator.crunchydata.com/` labels; Patroni sets the `role` label to
`master` or `replica`
(https://access.crunchydata.com/documentation/postgres-operator/latest/references/components).
"""

from __future__ import annotations

from svcdocs.model.objects import PodGroup
from svcdocs.model.operators.common import MAX_GROUPS, Made, any_of, count, field, labels_at, merged, one_of

GROUP = "postgres-operator.crunchydata.com"
OPERATOR = "Crunchy PGO"
P = f"{GROUP}/"
LABEL_KEYS = frozenset({P + k for k in ("cluster", "instance-set", "instance", "role", "data", "patroni")})


def _postgres_cluster(r, root, meta) -> Made:
    name, spec = meta["name"], root.get("spec")
    everywhere, line = labels_at(r, spec, "metadata.labels")
    groups = []
    for i, item, instance_set in r.mappings(r.mapping(spec, "spec").get("instances"), "spec.instances"):
        if i >= MAX_GROUPS:
            break
        set_name = r.string(instance_set.get("name"), f"spec.instances[{i}].name") or "00"
        own, own_line = labels_at(r, item, "metadata.labels")
        line = line or own_line
        labels = {P + "cluster": name, P + "instance-set": set_name, P + "data": "postgres", P + "patroni": f"{name}-ha"}
        groups.append(PodGroup(merged(everywhere, own, labels), "PostgresCluster", f"{name}-{set_name}",
                               count(r, item, "replicas"),
                               (*any_of(P + "instance"), one_of(P + "role", "master", "replica")),
                               f"spec.instances[{i}].metadata.labels" if own else
                               "spec.metadata.labels" if everywhere else ""))
    bouncer = field(r, spec, "proxy.pgBouncer")
    if bouncer is not None:
        own, _ = labels_at(r, bouncer, "metadata.labels")
        groups.append(PodGroup(merged(everywhere, own, {P + "cluster": name, P + "role": "pgbouncer"}),
                               "Deployment", f"{name}-pgbouncer", count(r, bouncer, "replicas")))
    return Made(OPERATOR, tuple(groups), line or meta["line"], sum(g.replicas or 0 for g in groups))


KINDS = {(GROUP, "PostgresCluster"): _postgres_cluster}
