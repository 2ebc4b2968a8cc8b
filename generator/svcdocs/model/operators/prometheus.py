"""prometheus-operator: Prometheus, PrometheusAgent, Alertmanager, ThanosRuler.

Each makes a StatefulSet (`prometheus-<name>`, one per shard past the first:
`prometheus-<name>-shard-<n>`; `prom-agent-<name>`, or a DaemonSet in agent
DaemonSet mode; `alertmanager-<name>`; `thanos-ruler-<name>`). The pods carry
`spec.podMetadata.labels` and the labels the API reference lists as reserved
under `podMetadata` (https://prometheus-operator.dev/docs/api-reference/api/).
"""

from __future__ import annotations

from svcdocs.model.objects import PodGroup
from svcdocs.model.operators.common import MAX_GROUPS, Made, any_of, count, labels_at, merged

GROUP = "monitoring.coreos.com"
OPERATOR = "prometheus-operator"
MANAGED = {"app.kubernetes.io/managed-by": "prometheus-operator"}
LABEL_KEYS = frozenset({"prometheus", "alertmanager", "thanos-ruler", "operator.prometheus.io/name",
                        "operator.prometheus.io/shard"})


def _prometheus(r, root, meta, app: str, prefix: str) -> Made:
    name, spec = meta["name"], root.get("spec")
    own, line = labels_at(r, spec, "podMetadata.labels")
    replicas = count(r, spec, "replicas")
    shards = max(1, min(count(r, spec, "shards"), MAX_GROUPS))
    daemonset = app == "prometheus-agent" and (r.string(r.mapping(spec, "spec").get("mode"), "spec.mode") == "DaemonSet")
    groups = []
    for shard in range(1 if daemonset else shards):
        reserved = {"app.kubernetes.io/name": app, "app.kubernetes.io/instance": name, **MANAGED,
                    "operator.prometheus.io/name": name}
        if not daemonset:
            reserved["operator.prometheus.io/shard"] = str(shard)
        if app == "prometheus":
            reserved["prometheus"] = name
        base = f"{prefix}-{name}"
        groups.append(PodGroup(
            merged(own, reserved), "DaemonSet" if daemonset else "StatefulSet",
            base if shard == 0 else f"{base}-shard-{shard}", replicas,
            any_of("app.kubernetes.io/version"), "spec.podMetadata.labels" if own else "",
        ))
    return Made(OPERATOR, tuple(groups), line or meta["line"], replicas)


def _single(r, root, meta, app: str, name_label: str) -> Made:
    name, spec = meta["name"], root.get("spec")
    own, line = labels_at(r, spec, "podMetadata.labels")
    replicas = count(r, spec, "replicas")
    reserved = {"app.kubernetes.io/name": app, "app.kubernetes.io/instance": name, **MANAGED, name_label: name}
    group = PodGroup(merged(own, reserved), "StatefulSet", f"{app}-{name}", replicas,
                     any_of("app.kubernetes.io/version"), "spec.podMetadata.labels" if own else "")
    return Made(OPERATOR, (group,), line or meta["line"], replicas)


KINDS = {
    (GROUP, "Prometheus"): lambda r, root, meta: _prometheus(r, root, meta, "prometheus", "prometheus"),
    (GROUP, "PrometheusAgent"): lambda r, root, meta: _prometheus(r, root, meta, "prometheus-agent", "prom-agent"),
    (GROUP, "Alertmanager"): lambda r, root, meta: _single(r, root, meta, "alertmanager", "alertmanager"),
    (GROUP, "ThanosRuler"): lambda r, root, meta: _single(r, root, meta, "thanos-ruler", "thanos-ruler"),
}
