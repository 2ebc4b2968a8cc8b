"""Property: `svcdocs reach` agrees with a small, obviously correct evaluator
that reads the Kubernetes NetworkPolicy rules literally and checks one pair,
one protocol, one port (or address) at a time.

Random namespaces, pods and policies (selectors with matchLabels and every
operator, namespace selectors, ipBlocks with except, ports with protocols,
endPort and names, policyTypes given or defaulted) go through the whole
pipeline; the evaluator below shares no code with svcdocs.
"""

from __future__ import annotations

import ipaddress
import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svcdocs.analysis.reach import connections
from svcdocs.config import Config
from svcdocs.load import Source
from svcdocs.pipeline import report_for_sources

PROTOCOLS = ("TCP", "UDP", "SCTP")
SAMPLE_PORTS = (1, 2, 3, 4, 5, 6, 7, 80, 65535)
SAMPLE_ADDRESSES = ("0.0.0.0", "10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.7",
                    "10.0.1.1", "192.168.0.1", "255.255.255.255")
CIDRS = ("10.0.0.0/29", "10.0.0.0/30", "10.0.0.2/31", "10.0.0.0/8", "0.0.0.0/0", "192.168.0.0/16", "10.0.0.4/32")
NAMESPACES = ("alpha", "beta", "gamma")
KEYS = ("app", "tier")
VALUES = ("a", "b", "c")
PORT_NAMES = ("http", "dns", "metrics")

labels = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=2)
requirement = st.one_of(
    st.builds(lambda k, op, v: {"key": k, "operator": op, "values": v},
              st.sampled_from(KEYS), st.sampled_from(["In", "NotIn"]), st.lists(st.sampled_from(VALUES), min_size=1,
                                                                                  max_size=2, unique=True)),
    st.builds(lambda k, op: {"key": k, "operator": op}, st.sampled_from(KEYS + ("kubernetes.io/metadata.name",)),
              st.sampled_from(["Exists", "DoesNotExist"])),
)
# Empty selectors often, so that policies select and admit enough pods for their ports to matter.
selector = st.one_of(st.just({}), st.builds(
    lambda m, e: {**({"matchLabels": m} if m else {}), **({"matchExpressions": e} if e else {})},
    labels, st.lists(requirement, max_size=2)))
namespace_selector = st.one_of(
    selector,
    st.builds(lambda ns: {"matchLabels": {"kubernetes.io/metadata.name": ns}}, st.sampled_from(NAMESPACES)),
)
ip_block = st.builds(lambda cidr, excepts: {"cidr": cidr, **({"except": excepts} if excepts else {})},
                     st.sampled_from(CIDRS), st.lists(st.sampled_from(CIDRS[1:3] + CIDRS[6:]), max_size=2, unique=True))
peer = st.one_of(
    st.builds(lambda s: {"podSelector": s}, selector),
    st.builds(lambda s: {"namespaceSelector": s}, namespace_selector),
    st.builds(lambda p, n: {"podSelector": p, "namespaceSelector": n}, selector, namespace_selector),
    st.builds(lambda b: {"ipBlock": b}, ip_block),
)
policy_port = st.one_of(
    st.builds(lambda proto: {"protocol": proto}, st.sampled_from(PROTOCOLS)),
    st.builds(lambda port: {"port": port}, st.integers(1, 7)),
    st.builds(lambda proto, port: {"protocol": proto, "port": port}, st.sampled_from(PROTOCOLS), st.integers(1, 7)),
    st.builds(lambda proto, port, extra: {"protocol": proto, "port": port, "endPort": port + extra},
              st.sampled_from(PROTOCOLS), st.integers(1, 6), st.integers(0, 3)),
    st.builds(lambda proto, name: {"protocol": proto, "port": name}, st.sampled_from(PROTOCOLS),
              st.sampled_from(PORT_NAMES)),
)


def rules(peers_key: str):
    return st.lists(st.builds(
        lambda peers, ports: {**({peers_key: peers} if peers is not None else {}),
                              **({"ports": ports} if ports is not None else {})},
        st.one_of(st.none(), st.lists(peer, max_size=3)), st.one_of(st.none(), st.lists(policy_port, max_size=3))),
        max_size=3)


policy = st.builds(
    lambda ns, sel, types, ingress, egress: {"namespace": ns, "podSelector": sel, "policyTypes": types,
                                              "ingress": ingress, "egress": egress},
    st.sampled_from(NAMESPACES), selector,
    st.one_of(st.none(), st.lists(st.sampled_from(["Ingress", "Egress"]), min_size=1, max_size=2, unique=True)),
    rules("from"), rules("to"),
)
container_port = st.builds(lambda number, name, proto: {"containerPort": number, "protocol": proto,
                                                        **({"name": name} if name else {})},
                           st.integers(1, 7), st.one_of(st.none(), st.sampled_from(PORT_NAMES)),
                           st.sampled_from(PROTOCOLS))
pod = st.builds(lambda ns, lab, ports: {"namespace": ns, "labels": lab, "ports": ports},
                st.sampled_from(NAMESPACES[:2]), labels, st.lists(container_port, max_size=3))
namespace_labels = st.fixed_dictionaries({ns: labels for ns in NAMESPACES})


def manifests(pods, policies, ns_labels) -> list[dict]:
    docs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": ns_labels[ns]}}
            for ns in NAMESPACES]
    for i, p in enumerate(pods):
        ports, seen = [], set()
        for port in p["ports"]:
            if port.get("name") not in seen:  # names are unique in a pod
                seen.add(port.get("name"))
                ports.append(port)
        p["ports"] = [q for q in ports]
        docs.append({"apiVersion": "v1", "kind": "Pod",
                     "metadata": {"name": f"pod-{i}", "namespace": p["namespace"], "labels": p["labels"]},
                     "spec": {"containers": [{"name": "main", "image": "x", "ports": p["ports"]}]}})
    for i, p in enumerate(policies):
        spec = {"podSelector": p["podSelector"]}
        if p["policyTypes"] is not None:
            spec["policyTypes"] = p["policyTypes"]
        if p["ingress"]:
            spec["ingress"] = p["ingress"]
        if p["egress"]:
            spec["egress"] = p["egress"]
        docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                     "metadata": {"name": f"policy-{i}", "namespace": p["namespace"]}, "spec": spec})
    return docs


# --- The obviously correct evaluator: one pair, one protocol, one port ---------------

def selects(sel: dict, lab: dict) -> bool:
    if any(lab.get(k) != v for k, v in sel.get("matchLabels", {}).items()):
        return False
    for r in sel.get("matchExpressions", []):
        value = lab.get(r["key"])
        if r["operator"] == "In" and value not in r["values"]:
            return False
        if r["operator"] == "NotIn" and value in r["values"]:
            return False
        if r["operator"] == "Exists" and value is None:
            return False
        if r["operator"] == "DoesNotExist" and value is not None:
            return False
    return True


def ns_labels_of(ns: str, ns_labels: dict) -> dict:
    return {**ns_labels[ns], "kubernetes.io/metadata.name": ns}


def peer_matches(peer: dict, policy_ns: str, other, ns_labels: dict) -> bool:
    """`other` is a pod (dict) or an address (str)."""
    if isinstance(other, str):
        if "ipBlock" not in peer:
            return False
        address = ipaddress.ip_address(other)
        block = peer["ipBlock"]
        return (address in ipaddress.ip_network(block["cidr"])
                and not any(address in ipaddress.ip_network(e) for e in block.get("except", [])))
    if "ipBlock" in peer:
        return False
    if "namespaceSelector" in peer:
        if not selects(peer["namespaceSelector"], ns_labels_of(other["namespace"], ns_labels)):
            return False
    elif other["namespace"] != policy_ns:
        return False
    return "podSelector" not in peer or selects(peer["podSelector"], other["labels"])


def port_matches(port: dict, destination, protocol: str, number: int) -> bool:
    if port.get("protocol", "TCP") != protocol:
        return False
    if "port" not in port:
        return True
    if isinstance(port["port"], int):
        return port["port"] <= number <= port.get("endPort", port["port"])
    if isinstance(destination, str):
        return False  # a named port names a container port: addresses have none
    named = [q for q in destination["ports"] if q.get("name") == port["port"]]
    return bool(named) and named[0].get("protocol", "TCP") == protocol and named[0]["containerPort"] == number


def affects(policy: dict, direction: str) -> bool:
    if policy["policyTypes"] is not None:
        return direction in policy["policyTypes"]
    return direction == "Ingress" or bool(policy["egress"])


def direction_allows(policies, subject: dict, direction: str, other, destination, protocol, number, ns_labels):
    selecting = [p for p in policies if p["namespace"] == subject["namespace"] and affects(p, direction)
                 and selects(p["podSelector"], subject["labels"])]
    if not selecting:
        return True
    key = "ingress" if direction == "Ingress" else "egress"
    peers_key = "from" if direction == "Ingress" else "to"
    for p in selecting:
        for rule in p[key] or []:
            peers = rule.get(peers_key)
            if peers and not any(peer_matches(x, p["namespace"], other, ns_labels) for x in peers):
                continue
            if rule.get("ports") and not any(port_matches(q, destination, protocol, number) for q in rule["ports"]):
                continue
            return True
    return False


def allowed(policies, source, destination, protocol, number, ns_labels) -> bool:
    """A source pod or address to a destination pod or address."""
    if not isinstance(source, str) and not direction_allows(policies, source, "Egress", destination, destination,
                                                            protocol, number, ns_labels):
        return False
    return isinstance(destination, str) or direction_allows(policies, destination, "Ingress", source, destination,
                                                            protocol, number, ns_labels)


# --- svcdocs's answer, as facts ---------------------------------------------------

def facts_of(listing) -> dict[tuple[str, str], set[tuple[str, int]]]:
    found: dict[tuple[str, str], set] = {}
    for c in listing:
        src = c.src.external or c.src.name
        dst = c.dst.external or c.dst.name
        sample = {(protocol, number) for i, protocol in enumerate(("SCTP", "TCP", "UDP"))
                  for number in SAMPLE_PORTS if any(lo <= number <= hi for lo, hi in c.conn[i])}
        for s in _expand(src):
            for d in _expand(dst):
                found.setdefault((s, d), set()).update(sample)
    return {k: v for k, v in found.items() if v}


def _expand(endpoint) -> list[str]:
    if isinstance(endpoint, str):
        return [endpoint]
    version, low, high = endpoint
    return [a for a in SAMPLE_ADDRESSES if low <= int(ipaddress.ip_address(a)) <= high]


def expected_facts(pods, policies, ns_labels) -> dict[tuple[str, str], set[tuple[str, int]]]:
    names = [f"{p['namespace']}/pod-{i}[Pod]" for i, p in enumerate(pods)]
    found: dict[tuple[str, str], set] = {}
    ends = list(zip(names, pods)) + [(a, a) for a in SAMPLE_ADDRESSES]
    for s_name, s in ends:
        for d_name, d in ends:
            if s_name == d_name or (isinstance(s, str) and isinstance(d, str)):
                continue
            sample = {(protocol, number) for protocol in PROTOCOLS for number in SAMPLE_PORTS
                      if allowed(policies, s, d, protocol, number, ns_labels)}
            if sample:
                found[(s_name, d_name)] = sample
    return found


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(pod, min_size=1, max_size=5), st.lists(policy, max_size=4), namespace_labels)
def test_reach_agrees_with_the_pair_by_pair_evaluator(pods, policies, ns_labels):
    docs = manifests(pods, policies, ns_labels)
    data = "\n---\n".join(yaml.safe_dump(d) for d in docs).encode()
    report = report_for_sources([Source(label="random.yaml", data=data, size=len(data))], Config())
    assert not report.model.inputs.problems
    found = report.analysis.reach
    actual = facts_of(connections(found.engine, list(found.backends)))
    assert actual == expected_facts(pods, policies, ns_labels), json.dumps(docs, indent=1)


# Named ports decide only where a selected pod declares the name: a focused
# mix where they always do, so that lookups by name and protocol are exercised.
named_port = st.builds(lambda proto, name: {"protocol": proto, "port": name}, st.sampled_from(PROTOCOLS),
                       st.sampled_from(PORT_NAMES))
named_policy = st.builds(
    lambda ns, ingress, egress, types: {"namespace": ns, "podSelector": {}, "policyTypes": types,
                                        "ingress": ingress, "egress": egress},
    st.sampled_from(NAMESPACES[:2]),
    st.lists(st.builds(lambda ports: {"ports": ports}, st.lists(named_port, min_size=1, max_size=2)), max_size=2),
    st.lists(st.builds(lambda ports: {"ports": ports}, st.lists(named_port, min_size=1, max_size=2)), max_size=2),
    st.one_of(st.none(), st.just(["Ingress", "Egress"])),
)
named_pod = st.builds(lambda ns, ports: {"namespace": ns, "labels": {}, "ports": ports},
                      st.sampled_from(NAMESPACES[:2]), st.lists(container_port.filter(lambda p: "name" in p),
                                                                min_size=1, max_size=3))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(named_pod, min_size=2, max_size=4), st.lists(named_policy, min_size=1, max_size=2), namespace_labels)
def test_named_ports_agree_with_the_pair_by_pair_evaluator(pods, policies, ns_labels):
    test_reach_agrees_with_the_pair_by_pair_evaluator.hypothesis.inner_test(pods, policies, ns_labels)


# Likewise ipBlocks: policies whose peers are address blocks with exceptions.
block_policy = st.builds(
    lambda ns, ingress, egress, types: {"namespace": ns, "podSelector": {}, "policyTypes": types,
                                        "ingress": ingress, "egress": egress},
    st.sampled_from(NAMESPACES[:2]),
    st.lists(st.builds(lambda peers, ports: {"from": peers, **({"ports": ports} if ports else {})},
                       st.lists(st.builds(lambda b: {"ipBlock": b}, ip_block), min_size=1, max_size=2),
                       st.lists(policy_port, max_size=1)), max_size=2),
    st.lists(st.builds(lambda peers, ports: {"to": peers, **({"ports": ports} if ports else {})},
                       st.lists(st.builds(lambda b: {"ipBlock": b}, ip_block), min_size=1, max_size=2),
                       st.lists(policy_port, max_size=1)), max_size=2),
    st.one_of(st.none(), st.just(["Ingress", "Egress"])),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(pod, min_size=1, max_size=3), st.lists(block_policy, min_size=1, max_size=2), namespace_labels)
def test_ip_blocks_agree_with_the_pair_by_pair_evaluator(pods, policies, ns_labels):
    test_reach_agrees_with_the_pair_by_pair_evaluator.hypothesis.inner_test(pods, policies, ns_labels)
