"""Strimzi: Kafka, KafkaConnect, KafkaBridge (kafka.strimzi.io).

A Kafka makes its broker pods (`<cluster>-kafka-<n>`, or per node pool
`<cluster>-<pool>-<n>`), and, when its spec asks for them, ZooKeeper, the
Entity Operator, Kafka Exporter and Cruise Control; KafkaConnect makes
`<name>-connect` pods, KafkaBridge `<name>-bridge`. The pods carry the
`template.pod.metadata.labels` of their component and the `strimzi.io/cluster`,
`strimzi.io/kind` and `strimzi.io/name` labels that the documentation tells
Services and NetworkPolicies to select them by
(https://strimzi.io/docs/operators/latest/deploying#con-exposing-kafka-connect-api-str).
"""

from __future__ import annotations

from svcdocs.model.objects import PodGroup
from svcdocs.model.operators.common import Made, any_of, count, labels_at, merged, one_of

GROUP = "kafka.strimzi.io"
OPERATOR = "Strimzi"
LABEL_KEYS = frozenset({"strimzi.io/cluster", "strimzi.io/kind", "strimzi.io/name", "strimzi.io/component-type",
                        "strimzi.io/pool-name", "strimzi.io/pod-name", "strimzi.io/broker-role",
                        "strimzi.io/controller-role", "strimzi.io/controller", "strimzi.io/controller-name"})
# Kafka's components: the spec field that enables one, its name suffix, its
# component type, and what runs it.
KAFKA_COMPONENTS = (
    ("kafka", "kafka", "kafka", "StrimziPodSet"),
    ("zookeeper", "zookeeper", "zookeeper", "StrimziPodSet"),
    ("entityOperator", "entity-operator", "entity-operator", "Deployment"),
    ("kafkaExporter", "kafka-exporter", "kafka-exporter", "Deployment"),
    ("cruiseControl", "cruise-control", "cruise-control", "Deployment"),
)
POD_SET = any_of("strimzi.io/pod-name", "statefulset.kubernetes.io/pod-name", "strimzi.io/controller-name")


def _labels(cluster: str, kind: str, component: str, component_type: str) -> dict[str, str]:
    return {
        "strimzi.io/cluster": cluster, "strimzi.io/kind": kind, "strimzi.io/name": f"{cluster}-{component}",
        "strimzi.io/component-type": component_type, "app.kubernetes.io/name": component_type,
        "app.kubernetes.io/instance": cluster, "app.kubernetes.io/part-of": f"strimzi-{cluster}",
        "app.kubernetes.io/managed-by": "strimzi-cluster-operator",
    }


def _group(r, spec, where: str, labels: dict, controller: str, name: str, replicas: int | None, varying=()):
    """The pods of one component, whose own labels are at `<where>.template.pod.metadata.labels`."""
    own, line = labels_at(r, spec, "template.pod.metadata.labels")
    where = f"{where}.template.pod.metadata.labels" if own else ""
    return PodGroup(merged(own, labels), controller, name, replicas, varying, where), line


def _kafka(r, root, meta) -> Made:
    name, spec = meta["name"], root.get("spec")
    fields = r.mapping(spec, "spec")
    groups, first_line = [], 0
    for key, component, component_type, controller in KAFKA_COMPONENTS:
        if key not in fields:
            continue
        varying = ()
        if controller == "StrimziPodSet":
            varying = (*POD_SET, one_of("strimzi.io/controller", "strimzipodset"))
        if key == "kafka":
            varying += (*any_of("strimzi.io/pool-name"), one_of("strimzi.io/broker-role", "true", "false"),
                        one_of("strimzi.io/controller-role", "true", "false"))
        replicas = count(r, fields[key], "replicas", None)
        group, line = _group(r, fields[key], f"spec.{key}", _labels(name, "Kafka", component, component_type),
                             controller, f"{name}-{component}", replicas, varying)
        groups.append(group)
        first_line = first_line or line
    return Made(OPERATOR, tuple(groups), first_line or meta["line"])


def _component(r, root, meta, kind: str, component: str, component_type: str, controller: str) -> Made:
    name, spec = meta["name"], root.get("spec")
    replicas = count(r, spec, "replicas")
    varying = (*POD_SET, one_of("strimzi.io/controller", "strimzipodset")) if controller == "StrimziPodSet" else ()
    group, line = _group(r, spec, "spec", _labels(name, kind, component, component_type), controller,
                         f"{name}-{component}", replicas, varying)
    return Made(OPERATOR, (group,), line or meta["line"], replicas)


KINDS = {
    (GROUP, "Kafka"): _kafka,
    (GROUP, "KafkaConnect"): lambda r, root, meta: _component(
        r, root, meta, "KafkaConnect", "connect", "kafka-connect", "StrimziPodSet"),
    (GROUP, "KafkaBridge"): lambda r, root, meta: _component(
        r, root, meta, "KafkaBridge", "bridge", "kafka-bridge", "Deployment"),
}
