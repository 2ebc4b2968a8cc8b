"""Zalando Postgres Operator: postgresql (acid.zalan.do).

The operator runs a StatefulSet named after the cluster; with its default
configuration its pods carry `application: spilo` (`cluster_labels`),
`cluster-name: <name>` (`cluster_name_label`) and `spilo-role: master` or
`replica` (`pod_role_label`), as the operator's parameter reference says
(https://postgres-operator.readthedocs.io/en/latest/reference/operator_parameters/).
"""

from __future__ import annotations

from svcdocs.model.objects import PodGroup
from svcdocs.model.operators.common import Made, count, merged, one_of

OPERATOR = "Zalando Postgres Operator"
LABEL_KEYS = frozenset({"spilo-role", "cluster-name", "application"})


def _postgresql(r, root, meta) -> Made:
    name, spec = meta["name"], root.get("spec")
    replicas = count(r, spec, "numberOfInstances")
    group = PodGroup(merged({"application": "spilo", "cluster-name": name}), "StatefulSet", name, replicas,
                     (one_of("spilo-role", "master", "replica"),))
    return Made(OPERATOR, (group,), meta["line"], replicas)


KINDS = {("acid.zalan.do", "postgresql"): _postgresql}
