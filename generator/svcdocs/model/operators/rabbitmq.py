"""RabbitMQ Cluster Operator: RabbitmqCluster (rabbitmq.com).

The operator runs a StatefulSet `<name>-server`; its pods carry
`app.kubernetes.io/name: <name>`, `app.kubernetes.io/component: rabbitmq` and
`app.kubernetes.io/part-of: rabbitmq`, the resource's own labels except those
under `app.kubernetes.io/`, and the labels of
`spec.override.statefulSet.spec.template.metadata.labels`
(https://www.rabbitmq.com/kubernetes/operator/using-operator#labels).
"""

from __future__ import annotations

from svcdocs.model.objects import PodGroup
from svcdocs.model.operators.common import Made, count, labels_at, merged

OPERATOR = "RabbitMQ Cluster Operator"
OVERRIDE = "override.statefulSet.spec.template.metadata.labels"
LABEL_KEYS = frozenset()  # the operator's labels are the recommended app.kubernetes.io/ ones


def _cluster(r, root, meta) -> Made:
    name, spec = meta["name"], root.get("spec")
    own, line = labels_at(r, spec, OVERRIDE)
    inherited = {k: v for k, v in meta["labels"] if not k.startswith("app.kubernetes.io")}
    reserved = {"app.kubernetes.io/name": name, "app.kubernetes.io/component": "rabbitmq",
                "app.kubernetes.io/part-of": "rabbitmq"}
    replicas = count(r, spec, "replicas")
    group = PodGroup(merged(inherited, reserved, own), "StatefulSet", f"{name}-server", replicas, (),
                     f"spec.{OVERRIDE}" if own else "")
    return Made(OPERATOR, (group,), line or meta["line"], replicas)


KINDS = {("rabbitmq.com", "RabbitmqCluster"): _cluster}
