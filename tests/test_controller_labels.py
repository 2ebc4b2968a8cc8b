"""Labels that Kubernetes controllers add to the pods they make match the
workload that makes them (graph/labels.py), through the index.

The labels and their values are those the Kubernetes documentation lists:
https://kubernetes.io/docs/reference/labels-annotations-taints/
(statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index,
controller-revision-hash, pod-template-hash, batch.kubernetes.io/job-name,
job-name, batch.kubernetes.io/controller-uid) and
https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#pod-name-label.
"""

from __future__ import annotations

import random
from textwrap import dedent

import pytest

from svcdocs.graph import LabelIndex
from svcdocs.graph.labels import controller_labels
from svcdocs.model import LabelSelector, Requirement
from svcdocs.model.objects import LabelValues, PodGroup, Workload

from conftest import edges_of

STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  serviceName: web
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1, ports: [{containerPort: 80}]}]
"""


def service(name: str, selector: dict[str, str], namespace: str = "shop") -> str:
    pairs = ", ".join(f'"{k}": "{v}"' for k, v in selector.items())
    return (f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {namespace}}}\n"
            f"spec:\n  selector: {{{pairs}}}\n  ports: [{{port: 80}}]\n")


def findings(report, rule: str) -> list[tuple[str, str, str]]:
    return [(f.object, f.severity, f.message) for f in report.findings if f.rule == rule]


@pytest.mark.parametrize("pod, selected", [
    ("web-0", True), ("web-2", True), ("web-3", False), ("web-10", False), ("web-01", False), ("web-", False),
    ("api-0", False),
])
def test_pod_name_selects_the_statefulset_for_ordinals_below_replicas(graph_json, pod, selected):
    doc = graph_json(STATEFULSET + service("one", {"statefulset.kubernetes.io/pod-name": pod}))
    assert (("Service/shop/one", "StatefulSet/shop/web") in edges_of(doc, "selects")) == selected


def test_an_ordinal_at_or_above_replicas_is_dangling_and_says_how_many_run(manifests):
    report = manifests(STATEFULSET + service("web-3", {"statefulset.kubernetes.io/pod-name": "web-3"}))
    assert findings(report, "dangling-service") == [(
        "Service/shop/web-3", "error",
        "Service shop/web-3 selects pod web-3, but StatefulSet web runs 3 replicas (web-0 to web-2), so it has no "
        "endpoints and its clients get no answer.")]


def test_a_statefulset_without_replicas_runs_one_pod(graph_json):
    text = STATEFULSET.replace("  replicas: 3\n", "")
    doc = graph_json(text + service("zero", {"statefulset.kubernetes.io/pod-name": "web-0"})
                     + service("one", {"statefulset.kubernetes.io/pod-name": "web-1"}))
    assert edges_of(doc, "selects") == [("Service/shop/zero", "StatefulSet/shop/web")]


def test_pod_index_and_revision_hash_narrow_a_template_label(graph_json):
    doc = graph_json(STATEFULSET + service("second", {"app": "web", "apps.kubernetes.io/pod-index": "1"})
                     + service("beyond", {"app": "web", "apps.kubernetes.io/pod-index": "3"})
                     + service("revision", {"app": "web", "controller-revision-hash": "web-6d4b9c7f5"}))
    assert edges_of(doc, "selects") == [("Service/shop/revision", "StatefulSet/shop/web"),
                                        ("Service/shop/second", "StatefulSet/shop/web")]


def test_pod_template_hash_belongs_to_deployments_only(graph_json):
    text = """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api, namespace: shop}
        spec:
          template:
            metadata: {labels: {app: api}}
            spec: {containers: [{name: api, image: api:1}]}
        ---
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: legacy, namespace: shop}
        spec:
          template:
            metadata: {labels: {app: api}}
            spec: {containers: [{name: api, image: api:0}]}
        """
    doc = graph_json({"a.yaml": dedent(text), "b.yaml": service("hashed", {"app": "api", "pod-template-hash": "7c9f8d"})})
    assert edges_of(doc, "selects") == [("Service/shop/hashed", "Deployment/shop/api")]


def test_a_selector_made_only_of_hashes_cannot_be_placed_and_is_info(manifests):
    report = manifests(STATEFULSET + service("hash", {"controller-revision-hash": "web-6d4b9c7f5"}))
    assert not report.graph.edges_from("Service/shop/hash", "selects")
    [(obj, severity, message)] = findings(report, "dangling-service")
    assert (obj, severity) == ("Service/shop/hash", "info")
    assert "controller-revision-hash is a label that Kubernetes sets on the pods it makes" in message


@pytest.mark.parametrize("key", ["batch.kubernetes.io/job-name", "job-name"])
def test_job_name_selects_the_job_and_the_jobs_of_a_cronjob(graph_json, key):
    text = """\
        apiVersion: batch/v1
        kind: Job
        metadata: {name: migrate, namespace: shop}
        spec:
          template:
            metadata: {labels: {app: tools}}
            spec: {restartPolicy: Never, containers: [{name: m, image: m:1}]}
        ---
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: backup, namespace: shop}
        spec:
          schedule: "0 3 * * *"
          jobTemplate:
            spec:
              template:
                metadata: {labels: {app: tools}}
                spec: {restartPolicy: Never, containers: [{name: b, image: b:1}]}
        """
    doc = graph_json(dedent(text) + service("migrate", {key: "migrate"}) + service("backup", {key: "backup-29004180"})
                     + service("other", {key: "backup"}))
    assert edges_of(doc, "selects") == [("Service/shop/backup", "CronJob/shop/backup"),
                                        ("Service/shop/migrate", "Job/shop/migrate")]


def test_controller_uid_with_a_job_name(graph_json):
    text = """\
        apiVersion: batch/v1
        kind: Job
        metadata: {name: migrate, namespace: shop}
        spec:
          template:
            spec: {restartPolicy: Never, containers: [{name: m, image: m:1}]}
        """
    doc = graph_json(dedent(text) + service("run", {"job-name": "migrate", "batch.kubernetes.io/controller-uid": "0b6f"}))
    assert edges_of(doc, "selects") == [("Service/shop/run", "Job/shop/migrate")]


def test_network_policy_expressions_see_controller_labels(graph_json):
    text = STATEFULSET + dedent("""\
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: first-two, namespace: shop}
        spec:
          podSelector:
            matchExpressions:
              - {key: statefulset.kubernetes.io/pod-name, operator: In, values: [web-0, web-1]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: not-there, namespace: shop}
        spec:
          podSelector:
            matchExpressions:
              - {key: statefulset.kubernetes.io/pod-name, operator: In, values: [web-7]}
        """)
    assert edges_of(graph_json(text), "isolates") == [("NetworkPolicy/shop/first-two", "StatefulSet/shop/web")]


def _brute_force(workloads, namespace, labels):
    """Every group of every workload tested against the selector, the slow way:
    each pair carried (a fixed label, or a varying one that admits the value),
    and at least one pair whose value the manifests tell (not only hashes)."""
    found = []
    for w in workloads:
        if w.namespace != namespace:
            continue
        for group in w.groups():
            added, varying = controller_labels(group)
            fixed = {**dict(added), **dict(group.labels)}
            values = {v.key: v for v in (*varying, *group.varying) if v.key not in fixed}
            carried = all(fixed.get(k) == v if k in fixed else k in values and values[k].admits(v) for k, v in labels)
            told = any(k in fixed or not values[k].any_value for k, _ in labels if k in fixed or k in values)
            if carried and told:
                found.append(w.id)
                break
    return found


def test_the_index_agrees_with_testing_every_workload(seed=7):
    rng = random.Random(seed)
    kinds = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet"]
    workloads = []
    for i in range(120):
        kind = rng.choice(kinds)
        labels = tuple(sorted({("app", f"a{rng.randrange(6)}"), ("tier", rng.choice("xyz"))}))
        varying = (LabelValues("role", values=("primary", "replica")),) if i % 7 == 0 else ()
        groups = (PodGroup(labels, kind, f"w{i}", rng.randrange(4), varying),)
        workloads.append(Workload(kind=kind, namespace=rng.choice("ab"), name=f"w{i}", file="f", line=1, name_line=1,
                                  pod_labels=labels, replicas=groups[0].replicas, pod_groups=groups))
    index = LabelIndex(tuple(workloads))
    keys = ["app", "tier", "role", "statefulset.kubernetes.io/pod-name", "pod-template-hash", "job-name",
            "apps.kubernetes.io/pod-index"]
    for _ in range(400):
        labels = tuple(sorted({(k, rng.choice([f"a{rng.randrange(6)}", "x", "primary", f"w{rng.randrange(120)}-"
                                               f"{rng.randrange(4)}", str(rng.randrange(4)), "h"]))
                               for k in rng.sample(keys, rng.randrange(1, 3))}))
        namespace = rng.choice("ab")
        found = [w.id for w in index.matching(namespace, labels)]
        assert found == _brute_force(workloads, namespace, labels), labels


def test_a_workload_with_no_match_expression_selects_nothing_extra():
    workload = Workload(kind="Deployment", namespace="a", name="w", file="f", line=1, name_line=1,
                        pod_labels=(("app", "w"),))
    index = LabelIndex((workload,))
    selector = LabelSelector((), (Requirement("pod-template-hash", "Exists"),))
    assert [w.id for w in index.selecting("a", selector)] == ["Deployment/a/w"]
    assert index.selecting("a", LabelSelector((), (Requirement("job-name", "Exists"),))) == []
