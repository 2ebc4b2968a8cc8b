"""Elastic Cloud on Kubernetes (ECK): Elasticsearch, Kibana, ApmServer, Logstash.

Elasticsearch runs a StatefulSet `<name>-es-<nodeSet>` per node set, Kibana a
Deployment `<name>-kb`, APM Server a Deployment `<name>-apm-server`, Logstash a
StatefulSet `<name>-ls`. The pods carry the `podTemplate` labels of the
resource (or node set) and the labels ECK sets, which its documentation
selects pods by (https://www.elastic.co/guide/en/cloud-on-k8s/current/k8s-traffic-splitting.html,
https://www.elastic.co/guide/en/cloud-on-k8s/current/k8s-kibana-http-configuration.html).
"""

from __future__ import annotations

from svcdocs.model.objects import PodGroup
from svcdocs.model.operators.common import MAX_GROUPS, Made, any_of, count, labels_at, merged, one_of

OPERATOR = "ECK"
TYPE = "common.k8s.elastic.co/type"
ES = "elasticsearch.k8s.elastic.co"
# Node roles: each label is "true" or "false" on a pod, after its node set's config.
ROLES = ("master", "data", "ingest", "ml", "transform", "remote_cluster_client", "voting_only", "data_content",
         "data_hot", "data_warm", "data_cold", "data_frozen")
LABEL_KEYS = frozenset({f"{ES}/cluster-name", f"{ES}/statefulset-name", TYPE, "kibana.k8s.elastic.co/name",
                        "apm.k8s.elastic.co/name", "logstash.k8s.elastic.co/name"})


def _elasticsearch(r, root, meta) -> Made:
    name, spec = meta["name"], root.get("spec")
    groups, first_line = [], 0
    varying = (one_of(f"{ES}/http-scheme", "http", "https"), *any_of(f"{ES}/version"))
    for i, item, node_set in r.mappings(r.mapping(spec, "spec").get("nodeSets"), "spec.nodeSets"):
        if i >= MAX_GROUPS:
            break
        set_name = r.string(node_set.get("name"), f"spec.nodeSets[{i}].name") or ""
        own, line = labels_at(r, item, "podTemplate.metadata.labels")
        first_line = first_line or line
        sts = f"{name}-es-{set_name}"
        reserved = {TYPE: "elasticsearch", f"{ES}/cluster-name": name, f"{ES}/statefulset-name": sts}
        roles = _roles(r, node_set.get("config"))
        if roles is None:  # the default roles depend on the version: each label may be either
            role_labels, role_varying = {}, tuple(one_of(f"{ES}/node-{role}", "true", "false") for role in ROLES)
        else:
            role_labels, role_varying = {f"{ES}/node-{role}": str(role in roles).lower() for role in ROLES}, ()
        groups.append(PodGroup(merged(own, role_labels, reserved), "StatefulSet", sts, count(r, item, "count"),
                               varying + role_varying,
                               f"spec.nodeSets[{i}].podTemplate.metadata.labels" if own else ""))
    return Made(OPERATOR, tuple(groups), first_line or meta["line"], sum(g.replicas or 0 for g in groups))


def _roles(r, config) -> frozenset[str] | None:
    """The node set's roles from its config: `node.roles: [...]` (or nested
    `node: {roles: [...]}`), or the 7.x `node.<role>: true|false` settings;
    None when the config leaves them to Elasticsearch's defaults."""
    fields = r.mapping(config, "config")
    nested = r.mapping(fields.get("node"), "config.node") if getattr(fields.get("node"), "id", "") == "mapping" else {}
    listed = fields.get("node.roles", nested.get("roles"))
    if listed is not None:
        return frozenset(r.strings(listed, "config.node.roles"))
    flags = {role: r.string(fields[f"node.{role}"], f"config.node.{role}") for role in ROLES if f"node.{role}" in fields}
    if not flags:
        return None
    return frozenset(role for role in ROLES if flags.get(role, "true" if role != "voting_only" else "false") == "true")


def _single(r, root, meta, group: str, kind_type: str, controller: str, suffix: str, replicas_key: str) -> Made:
    name, spec = meta["name"], root.get("spec")
    own, line = labels_at(r, spec, "podTemplate.metadata.labels")
    replicas = count(r, spec, replicas_key)
    reserved = {TYPE: kind_type, f"{group}/name": name}
    if controller == "StatefulSet":
        reserved[f"{group}/statefulset-name"] = f"{name}-{suffix}"
    pods = PodGroup(merged(own, reserved), controller, f"{name}-{suffix}", replicas, any_of(f"{group}/version"),
                    "spec.podTemplate.metadata.labels" if own else "")
    return Made(OPERATOR, (pods,), line or meta["line"], replicas)


KINDS = {
    (ES, "Elasticsearch"): _elasticsearch,
    ("kibana.k8s.elastic.co", "Kibana"): lambda r, root, meta: _single(
        r, root, meta, "kibana.k8s.elastic.co", "kibana", "Deployment", "kb", "count"),
    ("apm.k8s.elastic.co", "ApmServer"): lambda r, root, meta: _single(
        r, root, meta, "apm.k8s.elastic.co", "apm-server", "Deployment", "apm-server", "count"),
    ("logstash.k8s.elastic.co", "Logstash"): lambda r, root, meta: _single(
        r, root, meta, "logstash.k8s.elastic.co", "logstash", "StatefulSet", "ls", "count"),
}
