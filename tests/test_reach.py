"""`svcdocs reach` and the exposure the NetworkPolicies allow: netpol-analyzer's
cases, the formats, --focus and --explain, reading policies, the state of
each way in (with the controllers found from the input), effective exposure
and who reaches each workload."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT, SAMPLES
from svcdocs.analysis.reach import connections
from svcdocs.analysis.reach.ports import ALL, text
from svcdocs.render import reach_text

POLICIES = """
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: web}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, ports: [{containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: web}}}]
      ports: [{port: 5432}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
    - to: [{podSelector: {}}]
    - to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
      ports: [{protocol: UDP, port: 53}]
"""


# --- netpol-analyzer's own cases ------------------------------------------------------

def test_netpol_analyzer_cases_all_pass(shared):
    """../shared/reach: 25 cases from netpol-analyzer's test data, compared fact by fact."""
    checker = shared / "reach" / "check_reach.py"
    if not checker.is_file():
        pytest.skip("../shared/reach is not here")
    result = subprocess.run([sys.executable, str(checker), "--svcdocs", f"{sys.executable} -m svcdocs"],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:]


# --- The command ----------------------------------------------------------------------

def test_txt_lists_each_allowed_connection(cli, tmp_path):
    (tmp_path / "in.yaml").write_text(POLICIES)
    lines = cli("reach", tmp_path / "in.yaml").stdout.splitlines()
    assert lines == [
        "0.0.0.0-255.255.255.255[External] => shop/web[Deployment] : All Connections",
        "shop/db[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections",
        "shop/db[Deployment] => shop/web[Deployment] : All Connections",
        "shop/web[Deployment] => 10.0.0.0-10.0.255.255[External] : UDP 53",
        "shop/web[Deployment] => 10.2.0.0-10.255.255.255[External] : UDP 53",
        "shop/web[Deployment] => shop/db[Deployment] : TCP 5432",
    ]


def test_every_format_carries_the_same_pairs(cli, tmp_path):
    (tmp_path / "in.yaml").write_text(POLICIES)
    path = tmp_path / "in.yaml"
    items = json.loads(cli("reach", path, "--format", "json").stdout)
    assert {"src": "shop/web[Deployment]", "dst": "shop/db[Deployment]", "conn": "TCP 5432"} in items
    csv = cli("reach", path, "--format", "csv").stdout.splitlines()
    assert csv[0] == "src,dst,conn" and "shop/web[Deployment],shop/db[Deployment],TCP 5432" in csv
    assert len(csv) == len(items) + 1
    md = cli("reach", path, "--format", "md").stdout.splitlines()
    assert md[:2] == ["| src | dst | conn |", "|-----|-----|------|"] and len(md) == len(items) + 2
    dot = cli("reach", path, "--format", "dot").stdout
    assert dot.startswith("digraph reach {") and 'subgraph "cluster_shop"' in dot
    assert '"shop/web[Deployment]" -> "shop/db[Deployment]" [label="TCP 5432"];' in dot


def test_focus_keeps_the_pairs_of_one_workload(cli, tmp_path):
    (tmp_path / "in.yaml").write_text(POLICIES)
    for focus in ("db", "shop/db", "shop/db[Deployment]", "Deployment/shop/db"):
        lines = cli("reach", tmp_path / "in.yaml", "--focus", focus).stdout.splitlines()
        assert lines == ["shop/db[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections",
                         "shop/db[Deployment] => shop/web[Deployment] : All Connections",
                         "shop/web[Deployment] => shop/db[Deployment] : TCP 5432"], focus
    result = cli("reach", tmp_path / "in.yaml", "--focus", "nothing")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["svcdocs: --focus nothing: no such workload in the input"]


def test_explain_names_the_policies_with_file_and_line(cli, tmp_path, monkeypatch):
    (tmp_path / "in.yaml").write_text(POLICIES)
    monkeypatch.chdir(tmp_path)
    lines = cli("reach", "in.yaml", "--focus", "db", "--explain").stdout.splitlines()
    at = lines.index("shop/web[Deployment] => shop/db[Deployment] : TCP 5432")
    assert lines[at + 1:at + 3] == [
        "    egress: allowed by NetworkPolicy shop/web-egress (in.yaml:31), egress rule 1 (line 38): All Connections",
        "    ingress: allowed by NetworkPolicy shop/db-from-web (in.yaml:22), ingress rule 1 (line 28): TCP 5432",
    ]
    assert "    ingress: open: no policy selects shop/web[Deployment] for ingress" in lines
    denied = cli("reach", "in.yaml", "--explain", "--format", "json").stdout
    item = next(i for i in json.loads(denied) if i["src"] == "0.0.0.0-255.255.255.255[External]"
                and i["dst"] == "shop/web[Deployment]")
    assert item["explanation"] == ["ingress: open: no policy selects shop/web[Deployment] for ingress"]


def test_past_a_few_hundred_workloads_dot_draws_classes(manifests, monkeypatch):
    report = manifests(POLICIES)
    monkeypatch.setattr(reach_text, "MAX_DOT_WORKLOADS", 1)
    reach = report.analysis.reach
    dot = reach_text.to_dot(connections(reach.engine, list(reach.backends)), reach)
    assert '"class/shop/' in dot and "1 workload\\ndb[Deployment]" in dot


# --- Reading policies -------------------------------------------------------------------

def test_unreadable_peers_and_ports_are_reported_and_match_nothing(manifests):
    report = manifests("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p, namespace: shop}
        spec:
          podSelector: {}
          ingress:
            - from:
                - ipBlock: {cidr: not-a-cidr}
                - ipBlock: {cidr: 10.0.0.0/8}
                  podSelector: {}
                - {}
            - ports:
                - {protocol: ICMP, port: 1}
                - {port: 80, endPort: 70}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: a, namespace: shop}
        spec: {containers: [{name: a}]}
        """)
    reasons = [f"{p.line}: {p.reason}" for p in report.model.inputs.problems]
    assert reasons == [
        "8: spec.ingress[0].from[0].ipBlock.cidr 'not-a-cidr' is not a CIDR; ignored",
        "9: spec.ingress[0].from[1] combines ipBlock with a selector, which the API rejects; it matches nothing",
        "11: spec.ingress[0].from[2] names no podSelector, namespaceSelector or ipBlock; it matches nothing",
        "13: spec.ingress[1].ports[0].protocol 'ICMP' is not TCP, UDP or SCTP; it matches nothing",
        "14: spec.ingress[1].ports[1].endPort needs a numeric port no greater than it; it matches nothing",
    ]
    reach = report.analysis.reach
    assert [(c.src.name, c.dst.name) for c in connections(reach.engine, [])] == [
        ("shop/a[Pod]", "0.0.0.0-255.255.255.255[External]")]  # nothing gets in: no rule widened to "all"


def test_typed_lists_give_their_items_a_kind_and_pods_their_controller(manifests):
    report = manifests("""
        apiVersion: v1
        kind: PodList
        items:
          - metadata:
              name: web-1
              namespace: shop
              labels: {app: web}
              ownerReferences: [{kind: ReplicaSet, name: web-5d8f, controller: true}]
          - metadata:
              name: etcd-node1
              namespace: kube-system
              ownerReferences: [{kind: Node, name: node1, controller: true}]
        ---
        apiVersion: v1
        kind: NamespaceList
        items:
          - metadata: {name: shop}
        """)
    assert not report.model.inputs.problems
    engine = report.analysis.reach.engine
    assert sorted(p.endpoint for p in engine.pods) == ["kube-system/etcd-node1[Pod]", "shop/web-5d8f[ReplicaSet]"]
    assert [n.id for n in report.model.namespaces] == ["Namespace//shop"]


# --- Ways in, as the policies admit them --------------------------------------------------

DENY_SHOP = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  ingressClassName: public
  rules: [{host: shop.example.com, http: {paths: [{path: /, pathType: Prefix,
           backend: {service: {name: web, port: {number: 80}}}}]}}]
"""
CONTROLLER = """
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: public}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  template:
    metadata:
      labels: {app.kubernetes.io/name: ingress-nginx, app.kubernetes.io/component: controller}
    spec: {containers: [{name: controller}]}
"""
ALLOW_CONTROLLER = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-ingress-nginx, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]
      ports: [{port: 8080}]
"""


def _policy_of(report, kind):
    (entry,) = [e for e in report.analysis.entrypoints if e.kind == kind]
    return report.analysis.reach.entry(entry)


def test_an_ingress_is_blocked_restricted_or_open_for_an_unknown_controller(manifests):
    assert _policy_of(manifests(DENY_SHOP), "ingress").state == "blocked"
    restricted = _policy_of(manifests({"a.yaml": DENY_SHOP, "b.yaml": ALLOW_CONTROLLER}), "ingress")
    assert (restricted.state, restricted.sources) == ("restricted", ("pods of namespace ingress-nginx",))
    assert restricted.carrier.startswith("an ingress controller not in these manifests")


def test_an_ingress_controller_in_the_input_is_found_through_its_class(manifests):
    blocked = _policy_of(manifests({"a.yaml": DENY_SHOP, "c.yaml": CONTROLLER}), "ingress")
    assert (blocked.state, blocked.carrier) == ("blocked", "Deployment/ingress-nginx/ingress-nginx-controller")
    report = manifests({"a.yaml": DENY_SHOP, "b.yaml": ALLOW_CONTROLLER, "c.yaml": CONTROLLER})
    assert _policy_of(report, "ingress").state == "open"
    assert report.analysis.reach.effective["Deployment/shop/web"] == "internet"


def test_a_load_balancer_is_judged_on_outside_addresses_within_its_source_ranges(manifests):
    lb = DENY_SHOP.replace("spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}",
                           "spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80, targetPort: http}],"
                           " loadBalancerSourceRanges: [10.0.0.0/8]}")
    office = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: allow-office, namespace: shop}
        spec:
          podSelector: {}
          ingress: [{from: [{ipBlock: {cidr: 10.20.0.0/16}}], ports: [{port: http}]}]
        """
    assert _policy_of(manifests(lb), "loadbalancer").state == "blocked"
    found = _policy_of(manifests({"a.yaml": lb, "b.yaml": office}), "loadbalancer")
    assert (found.state, found.sources) == ("restricted", ("10.20.0.0/16",))
    wide = office.replace("10.20.0.0/16", "10.0.0.0/8")
    assert _policy_of(manifests({"a.yaml": lb, "b.yaml": wide}), "loadbalancer").state == "open"


def test_host_network_pods_are_not_governed(manifests):
    report = manifests("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: default-deny, namespace: ops}
        spec: {podSelector: {}, policyTypes: [Ingress]}
        ---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent, namespace: ops}
        spec:
          template:
            metadata: {labels: {app: agent}}
            spec: {hostNetwork: true, containers: [{name: a, ports: [{containerPort: 9100, hostPort: 9100}]}]}
        """)
    policy = _policy_of(report, "host-port")
    assert policy.state == "open" and report.analysis.reach.effective["DaemonSet/ops/agent"] == "node"


def test_gateway_pods_carry_their_routes(manifests):
    gateway = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: public, namespace: edge}
        spec: {gatewayClassName: istio, listeners: [{name: http, port: 80, protocol: HTTP}]}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: public-istio, namespace: edge}
        spec:
          template:
            metadata: {labels: {gateway.networking.k8s.io/gateway-name: public}}
            spec: {containers: [{name: istio-proxy}]}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: web, namespace: shop}
        spec:
          parentRefs: [{name: public, namespace: edge}]
          rules: [{backendRefs: [{name: web, port: 80}]}]
        """
    allow_edge = ALLOW_CONTROLLER.replace("ingress-nginx", "edge")
    report = manifests({"a.yaml": DENY_SHOP, "b.yaml": allow_edge, "g.yaml": gateway})
    policy = _policy_of(report, "route")
    assert (policy.state, policy.carrier) == ("open", "Deployment/edge/public-istio")


# --- Who reaches each workload ---------------------------------------------------------------

def test_reachable_from_sums_up_sources_and_the_graph_carries_it(graph_json):
    doc = graph_json({"in.yaml": POLICIES})
    assert doc["reachable_from"]["Deployment/shop/db"] == {
        "workloads": {"Deployment/shop/web": "TCP 5432"}, "policies": ["NetworkPolicy/shop/db-from-web"]}
    assert doc["reachable_from"]["Deployment/shop/web"] == {"namespaces": {"*": "All Connections"}}
    assert doc["effective_exposure"] == {"Deployment/shop/db": "none", "Deployment/shop/web": "none"}


def test_the_sample_shows_a_restricted_and_a_blocked_way_in(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    doc = json.loads(cli("graph", "sample-manifests").stdout)
    states = {(e["via"], e.get("host"), e.get("path"), e["policy"]) for e in doc["entrypoints"]}
    assert ("Ingress/shop/web", "admin.shop.example.com", "/", "blocked") in states
    assert ("Ingress/shop/web", "shop.example.com", "/", "restricted") in states
    assert doc["effective_exposure"]["Service/shop/admin"] == "cluster"
    assert doc["exposure"]["Service/shop/admin"] == "internet"
    rules = {f["rule"] for f in doc["findings"]}
    assert "entrypoint-blocked-by-policy" in rules
    reach = cli("reach", str(SAMPLES), "--focus", "data/postgres").stdout.splitlines()
    assert "shop/catalog[Deployment] => data/postgres[StatefulSet] : TCP 5432" in reach
    assert not [line for line in reach if line.startswith("shop/frontend[Deployment] => data/postgres")]


def test_a_workload_open_to_every_namespace_is_all_ports(manifests):
    report = manifests(POLICIES)
    reach = report.analysis.reach
    assert reach.from_every_namespace("Deployment/shop/web") == ALL
    assert text(reach.from_every_namespace("Deployment/shop/db")) == "No Connections"
