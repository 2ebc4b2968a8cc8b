"""Custom resources whose operators make pods are workloads (model/operators).

Each test cites the operator's documentation for the labels it puts on the
pods it makes, and selects those pods the way the documentation does.
"""

from __future__ import annotations

from textwrap import dedent

import pytest

from svcdocs.model.operators import FAMILIES, OPERATOR_LABEL_KEYS

from conftest import edges_of, write


def selects(graph_json, text: str) -> list[tuple[str, str]]:
    return edges_of(graph_json(dedent(text)), "selects")


def test_prometheus_and_alertmanager_pods_carry_their_podmetadata_and_reserved_labels(graph_json):
    """prometheus-operator API reference, `podMetadata` of PrometheusSpec and
    AlertmanagerSpec (https://prometheus-operator.dev/docs/api-reference/api/,
    Documentation/api-reference/api.md): the pods carry podMetadata.labels and
    the reserved `prometheus`/`alertmanager: <name>`, `app.kubernetes.io/instance:
    <name>`, `app.kubernetes.io/managed-by: prometheus-operator`,
    `app.kubernetes.io/name: prometheus|alertmanager`, `operator.prometheus.io/name`
    and `operator.prometheus.io/shard` (Prometheus)."""
    found = selects(graph_json, """\
        apiVersion: monitoring.coreos.com/v1
        kind: Prometheus
        metadata: {name: k8s, namespace: monitoring}
        spec:
          replicas: 2
          shards: 2
          podMetadata:
            labels: {app.kubernetes.io/component: prometheus, app.kubernetes.io/part-of: kube-prometheus}
        ---
        apiVersion: monitoring.coreos.com/v1
        kind: Alertmanager
        metadata: {name: main, namespace: monitoring}
        spec:
          replicas: 3
          podMetadata:
            labels: {app.kubernetes.io/component: alert-router}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: prometheus-k8s, namespace: monitoring}
        spec:
          selector: {app.kubernetes.io/component: prometheus, app.kubernetes.io/part-of: kube-prometheus,
                     app.kubernetes.io/name: prometheus, app.kubernetes.io/instance: k8s}
          ports: [{name: web, port: 9090, targetPort: web}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: prometheus-shard-1, namespace: monitoring}
        spec:
          selector: {operator.prometheus.io/name: k8s, operator.prometheus.io/shard: "1"}
          ports: [{port: 9090}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: prometheus-k8s-1, namespace: monitoring}
        spec:
          selector: {statefulset.kubernetes.io/pod-name: prometheus-k8s-1}
          ports: [{port: 9090}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: alertmanager-main, namespace: monitoring}
        spec:
          selector: {alertmanager: main, app.kubernetes.io/managed-by: prometheus-operator}
          ports: [{name: web, port: 9093, targetPort: web}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: shard-2, namespace: monitoring}
        spec:
          selector: {operator.prometheus.io/name: k8s, operator.prometheus.io/shard: "2"}
          ports: [{port: 9090}]
        """)
    assert found == [("Service/monitoring/alertmanager-main", "Alertmanager/monitoring/main"),
                     ("Service/monitoring/prometheus-k8s", "Prometheus/monitoring/k8s"),
                     ("Service/monitoring/prometheus-k8s-1", "Prometheus/monitoring/k8s"),
                     ("Service/monitoring/prometheus-shard-1", "Prometheus/monitoring/k8s")]


def test_prometheus_agent_and_thanos_ruler(graph_json):
    """Same reference: ThanosRulerSpec.podMetadata reserves `thanos-ruler: <name>`
    and `app.kubernetes.io/name: thanos-ruler`; PrometheusAgent pods carry
    `app.kubernetes.io/name: prometheus-agent` and `operator.prometheus.io/name`."""
    found = selects(graph_json, """\
        apiVersion: monitoring.coreos.com/v1alpha1
        kind: PrometheusAgent
        metadata: {name: agent, namespace: monitoring}
        spec: {mode: DaemonSet}
        ---
        apiVersion: monitoring.coreos.com/v1
        kind: ThanosRuler
        metadata: {name: ruler, namespace: monitoring}
        spec: {}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: agent, namespace: monitoring}
        spec:
          selector: {app.kubernetes.io/name: prometheus-agent, operator.prometheus.io/name: agent}
          ports: [{port: 9090}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: ruler, namespace: monitoring}
        spec:
          selector: {thanos-ruler: ruler}
          ports: [{port: 10902}]
        """)
    assert found == [("Service/monitoring/agent", "PrometheusAgent/monitoring/agent"),
                     ("Service/monitoring/ruler", "ThanosRuler/monitoring/ruler")]


def test_cloudnativepg_cluster_and_pooler(graph_json):
    """CloudNativePG "Labels and Annotations"
    (https://cloudnative-pg.io/documentation/current/labels_annotations/):
    `cnpg.io/cluster` (name of the cluster), `cnpg.io/instanceRole` (primary,
    replica), `cnpg.io/instanceName`, `cnpg.io/podRole` (instance or pooler),
    `cnpg.io/poolerName`; a Cluster's inheritedMetadata labels reach its pods."""
    found = selects(graph_json, """\
        apiVersion: postgresql.cnpg.io/v1
        kind: Cluster
        metadata: {name: pg, namespace: db}
        spec:
          instances: 3
          inheritedMetadata:
            labels: {team: orders}
        ---
        apiVersion: postgresql.cnpg.io/v1
        kind: Pooler
        metadata: {name: pg-rw-pool, namespace: db}
        spec:
          cluster: {name: pg}
          instances: 2
          type: rw
          template:
            metadata:
              labels: {app: pooler}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: pg-primary-lb
          namespace: db
          annotations: {networking.gke.io/load-balancer-type: Internal}
        spec:
          type: LoadBalancer
          selector: {cnpg.io/cluster: pg, cnpg.io/instanceRole: primary}
          ports: [{port: 5432}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: pg-2, namespace: db}
        spec:
          selector: {cnpg.io/instanceName: pg-2, team: orders}
          ports: [{port: 5432}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: pool, namespace: db}
        spec:
          selector: {cnpg.io/poolerName: pg-rw-pool, app: pooler}
          ports: [{port: 5432}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: not-a-role, namespace: db}
        spec:
          selector: {cnpg.io/cluster: pg, cnpg.io/instanceRole: leader}
          ports: [{port: 5432}]
        """)
    assert found == [("Service/db/pg-2", "Cluster/db/pg"), ("Service/db/pg-primary-lb", "Cluster/db/pg"),
                     ("Service/db/pool", "Pooler/db/pg-rw-pool")]


def test_eck_elasticsearch_node_sets_kibana_apm_logstash(graph_json):
    """ECK "Traffic splitting"
    (https://www.elastic.co/guide/en/cloud-on-k8s/current/k8s-traffic-splitting.html):
    Services select `elasticsearch.k8s.elastic.co/cluster-name: <name>` and the
    node role labels (`elasticsearch.k8s.elastic.co/node-data: "true"`) that
    follow each node set's `node.roles`; Kibana, APM Server and Logstash pods
    carry `<kind>.k8s.elastic.co/name: <name>` and `common.k8s.elastic.co/type`."""
    found = selects(graph_json, """\
        apiVersion: elasticsearch.k8s.elastic.co/v1
        kind: Elasticsearch
        metadata: {name: hulk, namespace: es}
        spec:
          nodeSets:
            - {name: master, count: 3, config: {node.roles: [master]}}
            - {name: data, count: 6, config: {node.roles: [data]}}
        ---
        apiVersion: kibana.k8s.elastic.co/v1
        kind: Kibana
        metadata: {name: kb, namespace: es}
        spec: {count: 1}
        ---
        apiVersion: apm.k8s.elastic.co/v1
        kind: ApmServer
        metadata: {name: apm, namespace: es}
        spec: {count: 1}
        ---
        apiVersion: logstash.k8s.elastic.co/v1alpha1
        kind: Logstash
        metadata: {name: ls, namespace: es}
        spec:
          podTemplate:
            metadata:
              labels: {tier: ingest}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: hulk-data, namespace: es}
        spec:
          selector: {elasticsearch.k8s.elastic.co/cluster-name: hulk, elasticsearch.k8s.elastic.co/node-data: "true"}
          ports: [{port: 9200}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: hulk-ingest, namespace: es}
        spec:
          selector: {elasticsearch.k8s.elastic.co/cluster-name: hulk, elasticsearch.k8s.elastic.co/node-ingest: "true"}
          ports: [{port: 9200}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: kibana, namespace: es}
        spec:
          selector: {kibana.k8s.elastic.co/name: kb}
          ports: [{port: 5601}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: apm, namespace: es}
        spec:
          selector: {apm.k8s.elastic.co/name: apm, common.k8s.elastic.co/type: apm-server}
          ports: [{port: 8200}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: logstash, namespace: es}
        spec:
          selector: {logstash.k8s.elastic.co/name: ls, tier: ingest}
          ports: [{port: 9600}]
        """)
    assert found == [("Service/es/apm", "ApmServer/es/apm"), ("Service/es/hulk-data", "Elasticsearch/es/hulk"),
                     ("Service/es/kibana", "Kibana/es/kb"), ("Service/es/logstash", "Logstash/es/ls")]


def test_strimzi_kafka_connect_and_bridge(graph_json):
    """Strimzi "Exposing the Kafka Connect API"
    (https://strimzi.io/docs/operators/latest/deploying#con-exposing-kafka-connect-api-str):
    Services and NetworkPolicies select `strimzi.io/cluster`, `strimzi.io/kind`
    and `strimzi.io/name: <name>-connect`; broker pods are `strimzi.io/name:
    <cluster>-kafka` ("Scheduling brokers on different worker nodes")."""
    text = """\
        apiVersion: kafka.strimzi.io/v1beta2
        kind: Kafka
        metadata: {name: my-cluster, namespace: kafka}
        spec:
          kafka:
            template:
              pod:
                metadata:
                  labels: {team: streaming}
          entityOperator: {topicOperator: {}, userOperator: {}}
        ---
        apiVersion: kafka.strimzi.io/v1beta2
        kind: KafkaConnect
        metadata: {name: my-connect-cluster, namespace: kafka}
        spec: {replicas: 1}
        ---
        apiVersion: kafka.strimzi.io/v1beta2
        kind: KafkaBridge
        metadata: {name: my-bridge, namespace: kafka}
        spec: {replicas: 1}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: connect-api, namespace: kafka}
        spec:
          type: LoadBalancer
          selector: {strimzi.io/cluster: my-connect-cluster, strimzi.io/kind: KafkaConnect,
                     strimzi.io/name: my-connect-cluster-connect}
          ports: [{port: 8083}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: brokers, namespace: kafka}
        spec:
          selector: {strimzi.io/name: my-cluster-kafka, team: streaming}
          ports: [{port: 9092}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: bridge, namespace: kafka}
        spec:
          selector: {strimzi.io/cluster: my-bridge, strimzi.io/kind: KafkaBridge}
          ports: [{port: 8080}]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: my-custom-connect-network-policy, namespace: kafka}
        spec:
          podSelector:
            matchLabels: {strimzi.io/cluster: my-connect-cluster, strimzi.io/kind: KafkaConnect,
                          strimzi.io/name: my-connect-cluster-connect}
          policyTypes: [Ingress]
        """
    doc = graph_json(dedent(text))
    assert edges_of(doc, "selects") == [("Service/kafka/bridge", "KafkaBridge/kafka/my-bridge"),
                                        ("Service/kafka/brokers", "Kafka/kafka/my-cluster"),
                                        ("Service/kafka/connect-api", "KafkaConnect/kafka/my-connect-cluster")]
    assert edges_of(doc, "isolates") == [("NetworkPolicy/kafka/my-custom-connect-network-policy",
                                          "KafkaConnect/kafka/my-connect-cluster")]


def test_rabbitmq_cluster(graph_json):
    """RabbitMQ Cluster Operator, network policies example
    (https://github.com/rabbitmq/cluster-operator/blob/main/docs/examples/network-policies/README.md):
    a RabbitmqCluster's pods are selected by `app.kubernetes.io/component:
    rabbitmq` and `app.kubernetes.io/name: <cluster name>`."""
    text = """\
        apiVersion: rabbitmq.com/v1beta1
        kind: RabbitmqCluster
        metadata: {name: network-policies, namespace: mq}
        spec: {replicas: 3}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: allow-inter-node-traffic, namespace: mq}
        spec:
          podSelector:
            matchLabels: {app.kubernetes.io/component: rabbitmq, app.kubernetes.io/name: network-policies}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: amqp, namespace: mq}
        spec:
          selector: {app.kubernetes.io/name: network-policies}
          ports: [{port: 5672}]
        """
    doc = graph_json(dedent(text))
    assert edges_of(doc, "selects") == [("Service/mq/amqp", "RabbitmqCluster/mq/network-policies")]
    assert edges_of(doc, "isolates") == [("NetworkPolicy/mq/allow-inter-node-traffic",
                                          "RabbitmqCluster/mq/network-policies")]


def test_zalando_postgresql(graph_json):
    """Zalando Postgres Operator, user guide
    (https://postgres-operator.readthedocs.io/en/latest/user/): the master pod
    is found with `-l application=spilo,cluster-name=acid-minimal-cluster,spilo-role=master`
    (the defaults of `cluster_labels`, `cluster_name_label` and `pod_role_label`
    in the operator parameters reference)."""
    found = selects(graph_json, """\
        apiVersion: acid.zalan.do/v1
        kind: postgresql
        metadata: {name: acid-minimal-cluster, namespace: db}
        spec: {teamId: acid, numberOfInstances: 2}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: master, namespace: db}
        spec:
          selector: {application: spilo, cluster-name: acid-minimal-cluster, spilo-role: master}
          ports: [{port: 5432}]
        """)
    assert found == [("Service/db/master", "postgresql/db/acid-minimal-cluster")]


def test_crunchy_postgres_cluster(graph_json):
    """Crunchy PGO v5 (https://access.crunchydata.com/documentation/postgres-operator/v5/,
    labels in internal/naming/labels.go): instance pods carry
    `postgres-operator.crunchydata.com/cluster`, `.../instance-set` and a `role`
    that Patroni sets to `master` or `replica`; PgBouncer pods `role: pgbouncer`."""
    found = selects(graph_json, """\
        apiVersion: postgres-operator.crunchydata.com/v1beta1
        kind: PostgresCluster
        metadata: {name: hippo, namespace: db}
        spec:
          instances:
            - {name: instance1, replicas: 2}
          proxy:
            pgBouncer: {replicas: 1}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: hippo-primary-lb, namespace: db}
        spec:
          selector: {postgres-operator.crunchydata.com/cluster: hippo, postgres-operator.crunchydata.com/role: master}
          ports: [{port: 5432}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: hippo-bouncer, namespace: db}
        spec:
          selector: {postgres-operator.crunchydata.com/cluster: hippo, postgres-operator.crunchydata.com/role: pgbouncer}
          ports: [{port: 5432}]
        """)
    assert found == [("Service/db/hippo-bouncer", "PostgresCluster/db/hippo"),
                     ("Service/db/hippo-primary-lb", "PostgresCluster/db/hippo")]


def test_mongodb_community(graph_json):
    """MongoDB Community Operator (docs/deploy-configure.md and the ServiceMonitor
    of docs/prometheus/mongodb-prometheus-sample.yaml,
    https://github.com/mongodb/mongodb-kubernetes-operator): the replica set's
    pods carry `app: <name>-svc`, the name of the Service the operator makes."""
    found = selects(graph_json, """\
        apiVersion: mongodbcommunity.mongodb.com/v1
        kind: MongoDBCommunity
        metadata: {name: example-mongodb, namespace: mongodb}
        spec: {members: 3, type: ReplicaSet, version: "6.0.5"}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: mongo-external, namespace: mongodb}
        spec:
          selector: {app: example-mongodb-svc}
          ports: [{port: 27017}]
        """)
    assert found == [("Service/mongodb/mongo-external", "MongoDBCommunity/mongodb/example-mongodb")]


def test_an_unknown_operator_is_recognised_by_the_pod_labels_in_its_spec(graph_json, manifests):
    text = dedent("""\
        apiVersion: argoproj.io/v1alpha1
        kind: Rollout
        metadata: {name: web, namespace: shop}
        spec:
          replicas: 3
          template:
            metadata: {labels: {app: web}}
            spec:
              containers: [{name: web, image: web:1, ports: [{name: http, containerPort: 8080}]}]
        ---
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: gizmo, namespace: shop}
        spec:
          worker:
            podTemplate:
              metadata: {labels: {app: gizmo}}
              spec: {containers: [{name: gizmo, image: gizmo:1}]}
        ---
        # An ApplicationSet's template makes Applications, not pods.
        apiVersion: argoproj.io/v1alpha1
        kind: ApplicationSet
        metadata: {name: apps, namespace: shop}
        spec:
          template:
            metadata: {labels: {app: web}}
            spec: {project: default, source: {repoURL: https://example.com/repo.git}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec:
          selector: {app: web}
          ports: [{port: 80, targetPort: http}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: gizmo, namespace: shop}
        spec:
          selector: {app: gizmo}
          ports: [{port: 80}]
        """)
    doc = graph_json(text)
    assert edges_of(doc, "selects") == [("Service/shop/gizmo", "Widget/shop/gizmo"),
                                        ("Service/shop/web", "Rollout/shop/web")]
    rollout = next(n for n in doc["nodes"] if n["id"] == "Rollout/shop/web")
    assert rollout["operator"] == "argoproj.io" and rollout["containers"][0]["ports"][0]["name"] == "http"
    report = manifests(text)
    assert not [f for f in report.findings if f.rule in ("dangling-service", "unresolved-target-port")]


def test_only_pod_templates_that_run_images_make_workloads(manifests):
    """An ExternalSecret's template makes a Secret, a HelmRelease's values feed
    a chart, a label map alone makes no pods: none is a workload, so none
    gets no-network-policy or a Compare row."""
    report = manifests("""\
        apiVersion: external-secrets.io/v1beta1
        kind: ExternalSecret
        metadata: {name: db, namespace: shop}
        spec:
          target:
            template:
              metadata: {labels: {app: db}}
              data: {url: "postgres://{{ .user }}@db"}
        ---
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata: {name: web, namespace: shop}
        spec:
          values:
            template:
              metadata: {labels: {app: web}}
              spec: {containers: [{name: web, image: web:1}]}
        ---
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: labels-only, namespace: shop}
        spec:
          podMetadata: {labels: {app: widget}}
          template: {metadata: {labels: {app: widget}}, spec: {containers: [{name: w}]}}
        """)
    assert report.model.workloads == ()
    assert not [f for f in report.findings if f.rule == "no-network-policy"]


def test_a_custom_resource_whose_kind_is_a_core_kind_keeps_its_group_in_its_id(graph_json):
    doc = graph_json("""\
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata: {name: hello, namespace: default}
        spec:
          template:
            metadata: {labels: {app: hello}}
            spec:
              containers: [{image: hello:1, ports: [{containerPort: 8080}]}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: hello-direct, namespace: default}
        spec:
          selector: {app: hello}
          ports: [{port: 80, targetPort: 8080}]
        """)
    assert edges_of(doc, "selects") == [("Service/default/hello-direct", "Service.serving.knative.dev/default/hello")]


def test_unknown_shapes_in_a_custom_resource_are_not_problems(manifests):
    report = manifests("""\
        apiVersion: example.com/v1
        kind: Thing
        metadata: {name: odd}
        spec:
          template: "not a mapping"
          podMetadata: [1, 2]
          podTemplate: {metadata: {labels: {nested: {a: b}}}}
        """)
    assert report.model.inputs.problems == () and report.model.workloads == ()
    assert report.model.inputs.other_kinds == (("Thing", 1),)


def test_a_hostile_shard_count_makes_a_bounded_number_of_groups(manifests):
    report = manifests("""\
        apiVersion: monitoring.coreos.com/v1
        kind: Prometheus
        metadata: {name: big, namespace: monitoring}
        spec: {shards: 1000000, replicas: 1000000}
        """)
    [workload] = report.model.workloads
    assert len(workload.pod_groups) == 64


def test_the_site_shows_operator_pods_with_their_kind_and_where_their_labels_are(tmp_path):
    from svcdocs.config import Config
    from svcdocs.pipeline import report_for_paths
    from svcdocs.render.site.build import build_options, build_site
    folder = write(tmp_path, "in/gizmo.yaml", """
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: gizmo, namespace: shop}
        spec:
          podTemplate:
            metadata:
              labels: {app: gizmo}
            spec: {containers: [{name: gizmo, image: gizmo:1, ports: [{name: web, containerPort: 8080}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: gizmo, namespace: shop}
        spec:
          selector: {app: gizmo}
          ports: [{port: 80, targetPort: web}]
        """).parent
    out = tmp_path / "site"
    build_site(report_for_paths([str(folder)], Config()), build_options((str(folder),), str(out)), say=lambda _: None)
    service = (out / "services" / "shop" / "gizmo" / "index.html").read_text(encoding="utf-8")
    assert "pods that Widget/gizmo&#39;s operator makes, labels from spec.podTemplate.metadata.labels" in service
    assert "gizmo: 8080" in service
    namespace = (out / "namespaces" / "shop" / "index.html").read_text(encoding="utf-8")
    assert "Widget" in namespace and 'id="widget-gizmo"' in namespace


def test_every_family_lists_the_label_keys_it_sets():
    assert {family.OPERATOR for family in FAMILIES} >= {"prometheus-operator", "CloudNativePG", "ECK", "Strimzi"}
    assert OPERATOR_LABEL_KEYS["cnpg.io/cluster"] == "CloudNativePG"
    assert OPERATOR_LABEL_KEYS["strimzi.io/cluster"] == "Strimzi"


@pytest.mark.parametrize("selector, severity", [
    ({"cnpg.io/cluster": "elsewhere"}, "info"),
    ({"app": "elsewhere"}, "error"),
])
def test_a_service_on_operator_labels_with_no_operator_resource_is_info(manifests, selector, severity):
    pairs = ", ".join(f"{k}: {v}" for k, v in selector.items())
    report = manifests(f"apiVersion: v1\nkind: Service\nmetadata: {{name: s, namespace: db}}\n"
                       f"spec:\n  selector: {{{pairs}}}\n  ports: [{{port: 5432}}]\n")
    assert [(f.rule, f.severity) for f in report.findings if f.rule == "dangling-service"] == \
        [("dangling-service", severity)]
