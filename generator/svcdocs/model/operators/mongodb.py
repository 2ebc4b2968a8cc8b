"""MongoDB Community Operator: MongoDBCommunity (mongodbcommunity.mongodb.com).

The operator runs a StatefulSet named after the resource (and `<name>-arb`
for arbiters); its pods carry `app: <service name>`, where the service name is
`spec.statefulSet.spec.serviceName` or `<name>-svc`, plus the labels of
`spec.statefulSet.spec.template.metadata.labels`, which the operator merges into
its StatefulSet (https://github.com/mongodb/mongodb-kubernetes-operator/blob/master/docs/deploy-configure.md).
"""

from __future__ import annotations

from svcdocs.model.objects import PodGroup
from svcdocs.model.operators.common import Made, count, field, labels_at, merged

OPERATOR = "MongoDB Community Operator"
TEMPLATE = "statefulSet.spec.template.metadata.labels"
LABEL_KEYS = frozenset()


def _mongodb(r, root, meta) -> Made:
    name, spec = meta["name"], root.get("spec")
    own, line = labels_at(r, spec, TEMPLATE)
    service = r.string(field(r, spec, "statefulSet.spec.serviceName"), "spec.statefulSet.spec.serviceName")
    labels = merged(own, {"app": service or f"{name}-svc"})
    members = count(r, spec, "members")
    where = f"spec.{TEMPLATE}" if own else ""
    groups = [PodGroup(labels, "StatefulSet", name, members, (), where)]
    arbiters = count(r, spec, "arbiters", 0)
    if arbiters:
        groups.append(PodGroup(labels, "StatefulSet", f"{name}-arb", arbiters, (), where))
    return Made(OPERATOR, tuple(groups), line or meta["line"], members)


KINDS = {("mongodbcommunity.mongodb.com", "MongoDBCommunity"): _mongodb}
