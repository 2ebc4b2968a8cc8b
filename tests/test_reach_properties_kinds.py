"""Property: with every policy kind mixed, `svcdocs reach` agrees with a
pair-by-pair evaluator written from each API's text, one source, destination,
protocol and port (or address) at a time, sharing no code with svcdocs.

The evaluator follows the decision order of issue 22: the admin tier
(AdminNetworkPolicy, ClusterNetworkPolicy Admin) by priority, first matching
rule deciding Allow/Accept, Deny or Pass; Calico's tier `t1` (its end action
where a policy of it selects the pod); the default tier (Cilium deny rules
first, then by order Calico policies and, at order 1000, NetworkPolicies and
Cilium allows; a pod that one of them isolates is denied what none allows);
the baseline tier (BaselineAdminNetworkPolicy, ClusterNetworkPolicy
Baseline); else allowed. The NetworkPolicy helpers come from
test_reach_properties (the evaluator of the NetworkPolicy text).
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
from test_reach_properties import (
    KEYS, NAMESPACES, PORT_NAMES, PROTOCOLS, SAMPLE_ADDRESSES, SAMPLE_PORTS, VALUES, affects, container_port, facts_of,
    labels, namespace_labels, ns_labels_of, peer_matches, policy as network_policy, port_matches, selector, selects,
)

CIDRS = ("10.0.0.0/29", "10.0.0.0/8", "0.0.0.0/0", "192.168.0.0/16")

# --- Generators --------------------------------------------------------------------

ns_name_selector = st.builds(lambda ns: {"matchLabels": {"kubernetes.io/metadata.name": ns}}, st.sampled_from(NAMESPACES))
namespace_selector = st.one_of(st.just({}), ns_name_selector, selector)
relation = st.builds(lambda how, keys: {how: keys}, st.sampled_from(["sameLabels", "notSameLabels"]),
                     st.lists(st.sampled_from(KEYS), min_size=1, max_size=2, unique=True))
admin_peer_in = st.one_of(st.builds(lambda s: {"namespaces": s}, namespace_selector),
                          st.builds(lambda r: {"namespaces": r}, relation),
                          st.builds(lambda n, p: {"pods": {"namespaceSelector": n, "podSelector": p}},
                                    namespace_selector, selector))
admin_peer_out = st.one_of(admin_peer_in, st.builds(lambda c: {"networks": c},
                                                   st.lists(st.sampled_from(CIDRS), min_size=1, max_size=2, unique=True)))
anp_port = st.one_of(
    st.builds(lambda proto, port: {"portNumber": {"protocol": proto, "port": port}}, st.sampled_from(PROTOCOLS),
              st.integers(1, 7)),
    st.builds(lambda proto, a, b: {"portRange": {"protocol": proto, "start": a, "end": a + b}},
              st.sampled_from(PROTOCOLS), st.integers(1, 5), st.integers(1, 3)),
    st.builds(lambda name: {"namedPort": name}, st.sampled_from(PORT_NAMES)),
)


def admin_rules(peers, actions):
    return st.lists(st.builds(lambda action, to, ports: {"action": action, "peers": to, "ports": ports},
                              st.sampled_from(actions), st.lists(peers, min_size=1, max_size=2),
                              st.one_of(st.none(), st.lists(anp_port, min_size=1, max_size=2))), max_size=3)


subject = st.one_of(st.builds(lambda s: {"namespaces": s}, namespace_selector),
                    st.builds(lambda n, p: {"pods": {"namespaceSelector": n, "podSelector": p}}, namespace_selector,
                              selector))
admin = st.builds(lambda kind, priority, sub, ingress, egress: {"kind": kind, "priority": priority, "subject": sub,
                                                                "ingress": ingress, "egress": egress},
                  st.sampled_from(["ANP", "CNP-Admin", "CNP-Baseline"]), st.integers(0, 30), subject,
                  admin_rules(admin_peer_in, ["Allow", "Deny", "Pass"]),
                  admin_rules(admin_peer_out, ["Allow", "Deny", "Pass"]))
baseline = st.builds(lambda sub, ingress, egress: {"kind": "BANP", "priority": 1000, "subject": sub,
                                                   "ingress": ingress, "egress": egress},
                     subject, admin_rules(admin_peer_in, ["Allow", "Deny"]), admin_rules(admin_peer_out, ["Allow", "Deny"]))

cilium_selector = st.builds(lambda m, ns: {**m, **({"k8s:io.kubernetes.pod.namespace": ns} if ns else {})},
                            labels, st.one_of(st.none(), st.sampled_from(NAMESPACES)))
cilium_port = st.builds(lambda port, proto: {"port": str(port), "protocol": proto}, st.integers(1, 7),
                        st.sampled_from(["TCP", "UDP", "SCTP", "ANY"]))
cilium_rule = st.builds(lambda endpoints, cidrs, world, ports: {"endpoints": endpoints, "cidrs": cidrs, "world": world,
                                                                "ports": ports},
                        st.one_of(st.none(), st.lists(cilium_selector, max_size=2)),
                        st.one_of(st.none(), st.lists(st.sampled_from(CIDRS), min_size=1, max_size=2)),
                        st.booleans(), st.one_of(st.none(), st.lists(cilium_port, min_size=1, max_size=2)))
cilium = st.builds(lambda ns, sel, ingress, deny_in, egress, deny_out: {
    "kind": "Cilium", "namespace": ns, "selector": sel, "ingress": ingress, "ingressDeny": deny_in,
    "egress": egress, "egressDeny": deny_out},
    st.sampled_from(NAMESPACES[:2]), labels, st.lists(cilium_rule, max_size=2), st.lists(cilium_rule, max_size=1),
    st.lists(cilium_rule, max_size=2), st.lists(cilium_rule, max_size=1))

def _calico_combined(inner):
    return st.one_of(st.builds(lambda x: ("not", x), inner), st.builds(lambda a, b: ("and", a, b), inner, inner),
                     st.builds(lambda a, b: ("or", a, b), inner, inner))


calico_expr = st.recursive(
    st.one_of(st.just(("all",)), st.builds(lambda k, v: ("eq", k, v), st.sampled_from(KEYS), st.sampled_from(VALUES)),
              st.builds(lambda k: ("has", k), st.sampled_from(KEYS)),
              st.builds(lambda k, vs: ("in", k, tuple(sorted(set(vs)))), st.sampled_from(KEYS),
                        st.lists(st.sampled_from(VALUES), min_size=1, max_size=2))),
    _calico_combined, max_leaves=3)
calico_entity = st.builds(lambda sel, nets, ns: {"selector": sel, "nets": nets, "namespace": ns},
                          st.one_of(st.none(), calico_expr),
                          st.one_of(st.none(), st.lists(st.sampled_from(CIDRS), min_size=1, max_size=1)),
                          st.one_of(st.none(), st.sampled_from(NAMESPACES)))
calico_rule = st.builds(lambda action, protocol, peer, ports: {"action": action, "protocol": protocol, "peer": peer,
                                                              "ports": ports if protocol else None},
                        st.sampled_from(["Allow", "Deny", "Pass", "Log"]), st.one_of(st.none(), st.sampled_from(PROTOCOLS)),
                        calico_entity, st.one_of(st.none(), st.lists(st.integers(1, 7), min_size=1, max_size=2)))
calico = st.builds(lambda ns, tier, order, sel, types, ingress, egress: {
    "kind": "Calico", "namespace": ns, "tier": tier, "order": order, "selector": sel, "types": types,
    "ingress": ingress, "egress": egress},
    st.sampled_from(NAMESPACES[:2]), st.sampled_from(["default", "t1"]), st.sampled_from([None, 10, 2000]),
    calico_expr, st.one_of(st.none(), st.lists(st.sampled_from(["Ingress", "Egress"]), min_size=1, unique=True)),
    st.lists(calico_rule, max_size=2), st.lists(calico_rule, max_size=2))

pod = st.builds(lambda ns, lab, ports, host: {"namespace": ns, "labels": lab, "ports": ports, "host": host},
                st.sampled_from(NAMESPACES[:2]), labels, st.lists(container_port, max_size=2),
                st.sampled_from([False, False, False, True]))


# --- Manifests ---------------------------------------------------------------------

def calico_text(expr) -> str:
    op = expr[0]
    if op == "all":
        return "all()"
    if op == "eq":
        return f"{expr[1]} == '{expr[2]}'"
    if op == "has":
        return f"has({expr[1]})"
    if op == "in":
        return f"{expr[1]} in {{{', '.join(repr(v) for v in expr[2])}}}"
    if op == "not":
        return f"!({calico_text(expr[1])})"
    return f"({calico_text(expr[1])}) {'&&' if op == 'and' else '||'} ({calico_text(expr[2])})"


def _admin_doc(i: int, p: dict) -> dict:
    v2 = p["kind"].startswith("CNP")

    def rule(r, key, j):
        item = {"name": f"r{j}", "action": "Accept" if v2 and r["action"] == "Allow" else r["action"], key: r["peers"]}
        if r["ports"] is not None:
            item["protocols" if v2 else "ports"] = [_v2_port(x) if v2 else x for x in r["ports"]]
        return item
    spec = {"subject": p["subject"]}
    if p["kind"] != "BANP":
        spec["priority"] = p["priority"]
    if v2:
        spec["tier"] = p["kind"].split("-")[1]
    if p["ingress"]:
        spec["ingress"] = [rule(r, "from", j) for j, r in enumerate(p["ingress"])]
    if p["egress"]:
        spec["egress"] = [rule(r, "to", j) for j, r in enumerate(p["egress"])]
    kind = {"ANP": "AdminNetworkPolicy", "BANP": "BaselineAdminNetworkPolicy"}.get(p["kind"], "ClusterNetworkPolicy")
    version = "v1alpha2" if v2 else "v1alpha1"
    name = "default" if p["kind"] == "BANP" else f"admin-{i}"
    return {"apiVersion": f"policy.networking.k8s.io/{version}", "kind": kind, "metadata": {"name": name}, "spec": spec}


def _v2_port(port: dict) -> dict:
    if "namedPort" in port:
        return {"destinationNamedPort": port["namedPort"]}
    if "portNumber" in port:
        p = port["portNumber"]
        return {p["protocol"].lower(): {"destinationPort": {"number": p["port"]}}}
    p = port["portRange"]
    return {p["protocol"].lower(): {"destinationPort": {"range": {"start": p["start"], "end": p["end"]}}}}


def _cilium_doc(i: int, p: dict) -> dict:
    def rule(r, prefix):
        item = {}
        if r["endpoints"] is not None:
            item[f"{prefix}Endpoints"] = [{"matchLabels": e} for e in r["endpoints"]]
        if r["cidrs"] is not None:
            item[f"{prefix}CIDR"] = r["cidrs"]
        if r["world"]:
            item[f"{prefix}Entities"] = ["world"]
        if r["ports"] is not None:
            item["toPorts"] = [{"ports": r["ports"]}]
        return item
    spec = {"endpointSelector": {"matchLabels": p["selector"]}}
    for key, prefix in (("ingress", "from"), ("ingressDeny", "from"), ("egress", "to"), ("egressDeny", "to")):
        if p[key]:
            spec[key] = [rule(r, prefix) for r in p[key]]
    return {"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
            "metadata": {"name": f"cilium-{i}", "namespace": p["namespace"]}, "spec": spec}


def _calico_doc(i: int, p: dict) -> dict:
    def rule(r, ingress):
        item = {"action": r["action"]}
        if r["protocol"]:
            item["protocol"] = r["protocol"]
        peer = {}
        if r["peer"]["selector"] is not None:
            peer["selector"] = calico_text(r["peer"]["selector"])
        if r["peer"]["namespace"] is not None:
            peer["namespaceSelector"] = f"projectcalico.org/name == '{r['peer']['namespace']}'"
        if r["peer"]["nets"] is not None:
            peer["nets"] = r["peer"]["nets"]
        if peer:
            item["source" if ingress else "destination"] = peer
        if r["ports"]:
            item.setdefault("destination", {})["ports"] = r["ports"]
        return item
    spec = {"selector": calico_text(p["selector"]), "tier": p["tier"]}
    if p["order"] is not None:
        spec["order"] = p["order"]
    if p["types"] is not None:
        spec["types"] = p["types"]
    if p["ingress"]:
        spec["ingress"] = [rule(r, True) for r in p["ingress"]]
    if p["egress"]:
        spec["egress"] = [rule(r, False) for r in p["egress"]]
    return {"apiVersion": "projectcalico.org/v3", "kind": "NetworkPolicy",
            "metadata": {"name": f"calico-{i}", "namespace": p["namespace"]}, "spec": spec}


def manifests(pods, policies, ns_labels, tier_action) -> list[dict]:
    docs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": ns_labels[ns]}}
            for ns in NAMESPACES]
    docs.append({"apiVersion": "projectcalico.org/v3", "kind": "Tier", "metadata": {"name": "t1"},
                 "spec": {"order": 100, "defaultAction": tier_action}})
    for i, p in enumerate(pods):
        seen, kept = set(), []
        for port in p["ports"]:
            if port.get("name") not in seen:
                seen.add(port.get("name"))
                kept.append(port)
        p["ports"] = kept
        docs.append({"apiVersion": "v1", "kind": "Pod",
                     "metadata": {"name": f"pod-{i}", "namespace": p["namespace"], "labels": p["labels"]},
                     "spec": {"containers": [{"name": "main", "image": "x", "ports": kept}],
                              **({"hostNetwork": True} if p["host"] else {})}})
    for i, p in enumerate(policies):
        kind = p.get("kind", "NP")
        if kind in ("ANP", "BANP", "CNP-Admin", "CNP-Baseline"):
            docs.append(_admin_doc(i, p))
        elif kind == "Cilium":
            docs.append(_cilium_doc(i, p))
        elif kind == "Calico":
            docs.append(_calico_doc(i, p))
        else:
            spec = {"podSelector": p["podSelector"]}
            if p["policyTypes"] is not None:
                spec["policyTypes"] = p["policyTypes"]
            for key in ("ingress", "egress"):
                if p[key]:
                    spec[key] = p[key]
            docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                         "metadata": {"name": f"policy-{i}", "namespace": p["namespace"]}, "spec": spec})
    return docs


# --- The evaluator, from the APIs' text --------------------------------------------

ALLOW, DENY, PASS, NOTHING = "allow", "deny", "pass", None


def in_cidr(address: str, cidr: str) -> bool:
    return ipaddress.ip_address(address) in ipaddress.ip_network(cidr)


def admin_subject(p, pod, ns_labels) -> bool:
    """Pods on the host network are never subjects ("host-networked pods are not included")."""
    if pod["host"]:
        return False
    sub = p["subject"]
    if "namespaces" in sub:
        return selects(sub["namespaces"], ns_labels_of(pod["namespace"], ns_labels))
    return selects(sub["pods"]["namespaceSelector"], ns_labels_of(pod["namespace"], ns_labels)) and \
        selects(sub["pods"]["podSelector"], pod["labels"])


def related(relation: dict, subject, other, ns_labels) -> bool:
    """sameLabels: every label on the other's namespace, valued as on the subject's;
    notSameLabels: every label on it, one valued otherwise."""
    mine, theirs = ns_labels_of(subject["namespace"], ns_labels), ns_labels_of(other["namespace"], ns_labels)
    if "sameLabels" in relation:
        return all(k in theirs and theirs[k] == mine.get(k) for k in relation["sameLabels"])
    keys = relation["notSameLabels"]
    return all(k in theirs for k in keys) and any(theirs[k] != mine.get(k) for k in keys)


def admin_peer(peer, other, ns_labels, subject=None) -> bool:
    """namespaces / pods select pods; networks select addresses, and every pod when a CIDR holds every address."""
    if "networks" in peer:
        if isinstance(other, str):
            return any(in_cidr(other, c) for c in peer["networks"])
        return any(c == "0.0.0.0/0" for c in peer["networks"])
    if isinstance(other, str) or other["host"]:
        return False  # host-networked pods are not included in namespaces and pods peers
    if "namespaces" in peer:
        if "sameLabels" in peer["namespaces"] or "notSameLabels" in peer["namespaces"]:
            return related(peer["namespaces"], subject, other, ns_labels)
        return selects(peer["namespaces"], ns_labels_of(other["namespace"], ns_labels))
    return selects(peer["pods"]["namespaceSelector"], ns_labels_of(other["namespace"], ns_labels)) and \
        selects(peer["pods"]["podSelector"], other["labels"])


def admin_port(port, destination, protocol, number) -> bool:
    if "portNumber" in port:
        return port["portNumber"]["protocol"] == protocol and port["portNumber"]["port"] == number
    if "portRange" in port:
        r = port["portRange"]
        return r["protocol"] == protocol and r["start"] <= number <= r["end"]
    if isinstance(destination, str):
        return False
    named = [q for q in destination["ports"] if q.get("name") == port["namedPort"]]
    return bool(named) and named[0].get("protocol", "TCP") == protocol and named[0]["containerPort"] == number


def admin_verdict(ps, subject, direction, other, destination, protocol, number, ns_labels):
    key = "ingress" if direction == "Ingress" else "egress"
    for p in sorted(ps, key=lambda p: (p["priority"], p["order_key"])):
        if not p[key] or not admin_subject(p, subject, ns_labels):
            continue
        for r in p[key]:
            if not any(admin_peer(x, other, ns_labels, subject) for x in r["peers"]):
                continue
            if r["ports"] is not None and not any(admin_port(x, destination, protocol, number) for x in r["ports"]):
                continue
            return {"Allow": ALLOW, "Deny": DENY, "Pass": PASS}[r["action"]]
    return NOTHING


def cilium_endpoint(sel: dict, policy_ns: str, other) -> bool:
    if isinstance(other, str) or other["host"]:
        return False  # a pod on the host network has the host's identity, no endpoint labels
    ns = sel.get("k8s:io.kubernetes.pod.namespace", policy_ns)
    return other["namespace"] == ns and all(other["labels"].get(k) == v for k, v in sel.items()
                                            if k != "k8s:io.kubernetes.pod.namespace")


def cilium_rule_matches(r, policy_ns, other, protocol, number) -> bool:
    l3 = r["endpoints"] is not None or r["cidrs"] is not None or r["world"]
    if not l3 and r["ports"] is None:
        return False  # `{}`: default deny, and nothing more
    if l3:
        hit = any(cilium_endpoint(e, policy_ns, other) for e in r["endpoints"] or [])
        hit = hit or (isinstance(other, str) and (r["world"] or any(in_cidr(other, c) for c in r["cidrs"] or [])))
        if not hit:
            return False
    return r["ports"] is None or any(int(p["port"]) == number and p["protocol"] in (protocol, "ANY") for p in r["ports"])


def calico_eval(expr, lab: dict) -> bool:
    op = expr[0]
    if op == "all":
        return True
    if op == "eq":
        return lab.get(expr[1]) == expr[2]
    if op == "has":
        return expr[1] in lab
    if op == "in":
        return lab.get(expr[1]) in expr[2]
    if op == "not":
        return not calico_eval(expr[1], lab)
    if op == "and":
        return calico_eval(expr[1], lab) and calico_eval(expr[2], lab)
    return calico_eval(expr[1], lab) or calico_eval(expr[2], lab)


def calico_entity(entity, policy_ns, other) -> bool:
    """Selector within its namespaces (the policy's by default); nets (a pod is in 0.0.0.0/0 only); nothing: all."""
    if entity["selector"] is not None or entity["namespace"] is not None:
        if isinstance(other, str) or other["host"]:
            return False  # selectors match workload endpoints; a pod on the host network is none
        scope = entity["namespace"] or policy_ns
        if other["namespace"] != scope:
            return False
        if entity["selector"] is not None and not calico_eval(entity["selector"], other["labels"]):
            return False
        return entity["nets"] is None or "0.0.0.0/0" in entity["nets"]
    if entity["nets"] is not None:
        if isinstance(other, str):
            return any(in_cidr(other, c) for c in entity["nets"])
        return "0.0.0.0/0" in entity["nets"]
    return True


def calico_types(p) -> list[str]:
    if p["types"] is not None:
        return p["types"]
    return (["Ingress"] if p["ingress"] or not p["egress"] else []) + (["Egress"] if p["egress"] else [])


def calico_rule(r, p, other, protocol, number) -> bool:
    if r["protocol"] is not None and r["protocol"] != protocol:
        return False
    if r["ports"] and number not in r["ports"]:
        return False
    return calico_entity(r["peer"], p["namespace"], other)


def tier_verdict(members, subject, direction, other, destination, protocol, number, ns_labels, end):
    """One tier: policies in order, first matching rule; end action where one applies."""
    key = "ingress" if direction == "Ingress" else "egress"
    applies = False
    for kind, order, name, p in sorted(members, key=lambda m: (m[1], m[0], m[2])):
        if kind in ("cilium-deny", "cilium", "calico") and subject["host"]:
            continue  # neither Cilium nor Calico policies select pods on the host network
        if kind == "cilium-deny":
            if p["namespace"] == subject["namespace"] and all(subject["labels"].get(k) == v for k, v in p["selector"].items()):
                if any(cilium_rule_matches(r, p["namespace"], other, protocol, number) for r in p[key + "Deny"]):
                    return DENY
            continue
        if kind == "np":
            if p["namespace"] != subject["namespace"] or not affects(p, direction) or \
                    not selects(p["podSelector"], subject["labels"]):
                continue
            applies = True
            peers_key = "from" if direction == "Ingress" else "to"
            for rule in p[key] or []:
                peers = rule.get(peers_key)
                if peers and not any(peer_matches(x, p["namespace"], other, ns_labels) for x in peers):
                    continue
                if rule.get("ports") and not any(port_matches(q, destination, protocol, number) for q in rule["ports"]):
                    continue
                return ALLOW
            continue
        if kind == "cilium":
            if p["namespace"] != subject["namespace"] or not all(subject["labels"].get(k) == v
                                                                  for k, v in p["selector"].items()):
                continue
            if not (p[key] or p[key + "Deny"]):
                continue
            applies = True
            if any(cilium_rule_matches(r, p["namespace"], other, protocol, number) for r in p[key]):
                return ALLOW
            continue
        if p["namespace"] != subject["namespace"] or direction not in calico_types(p) or \
                not calico_eval(p["selector"], subject["labels"]):
            continue
        applies = True
        for r in p[key]:
            if r["action"] != "Log" and calico_rule(r, p, other, protocol, number):
                return {"Allow": ALLOW, "Deny": DENY, "Pass": PASS}[r["action"]]
    return end if applies else NOTHING


def direction_verdict(policies, subject, direction, other, destination, protocol, number, ns_labels, tier_action):
    admins = [p for p in policies if p.get("kind") in ("ANP", "CNP-Admin")]
    verdict = admin_verdict(admins, subject, direction, other, destination, protocol, number, ns_labels)
    if verdict in (ALLOW, DENY):
        return verdict == ALLOW
    t1 = [("calico", p["order"] if p["order"] is not None else float("inf"), p["name"], p)
          for p in policies if p.get("kind") == "Calico" and p["tier"] == "t1"]
    verdict = tier_verdict(t1, subject, direction, other, destination, protocol, number, ns_labels,
                           DENY if tier_action == "Deny" else PASS)
    if verdict in (ALLOW, DENY):
        return verdict == ALLOW
    default = []
    for p in policies:
        kind = p.get("kind", "NP")
        if kind == "NP":
            default.append(("np", 1000, p["name"], p))
        elif kind == "Cilium":
            default.append(("cilium-deny", float("-inf"), p["name"], p))
            default.append(("cilium", 1000, p["name"], p))
        elif kind == "Calico" and p["tier"] == "default":
            default.append(("calico", p["order"] if p["order"] is not None else float("inf"), p["name"], p))
    verdict = tier_verdict(default, subject, direction, other, destination, protocol, number, ns_labels, DENY)
    if verdict in (ALLOW, DENY):
        return verdict == ALLOW
    baselines = [p for p in policies if p.get("kind") in ("BANP", "CNP-Baseline")]
    return admin_verdict(baselines, subject, direction, other, destination, protocol, number, ns_labels) != DENY


def allowed(policies, source, destination, protocol, number, ns_labels, tier_action) -> bool:
    if not isinstance(source, str) and not direction_verdict(policies, source, "Egress", destination, destination,
                                                             protocol, number, ns_labels, tier_action):
        return False
    return isinstance(destination, str) or direction_verdict(policies, destination, "Ingress", source, destination,
                                                             protocol, number, ns_labels, tier_action)


def expected_facts(pods, policies, ns_labels, tier_action):
    names = [f"{p['namespace']}/pod-{i}[Pod]" for i, p in enumerate(pods)]
    found = {}
    ends = list(zip(names, pods)) + [(a, a) for a in SAMPLE_ADDRESSES]
    for s_name, s in ends:
        for d_name, d in ends:
            if s_name == d_name or (isinstance(s, str) and isinstance(d, str)):
                continue
            sample = {(protocol, number) for protocol in PROTOCOLS for number in SAMPLE_PORTS
                      if allowed(policies, s, d, protocol, number, ns_labels, tier_action)}
            if sample:
                found[(s_name, d_name)] = sample
    return found


def _named(policies):
    """Names and order keys as the manifests write them (priority ties: by name, then kind)."""
    for i, p in enumerate(policies):
        kind = p.get("kind", "NP")
        p["name"] = {"Cilium": f"cilium-{i}", "Calico": f"calico-{i}"}.get(kind, f"policy-{i}")
        p["order_key"] = ("default" if kind == "BANP" else f"admin-{i}",
                          {"ANP": "AdminNetworkPolicy", "BANP": "BaselineAdminNetworkPolicy"}.get(kind, "ClusterNetworkPolicy"))
    return policies


# --- The property ----------------------------------------------------------------------

any_policy = st.one_of(network_policy, admin, cilium, calico)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(pod, min_size=1, max_size=4), st.lists(any_policy, max_size=4), st.lists(baseline, max_size=1),
       namespace_labels, st.sampled_from(["Deny", "Pass"]))
def test_every_kind_mixed_agrees_with_the_pair_by_pair_evaluator(pods, policies, baselines, ns_labels, tier_action):
    policies = _named(policies + baselines)
    for j, p in enumerate(x for x in policies if x.get("kind") in ("ANP", "CNP-Admin", "CNP-Baseline")):
        p["priority"] = p["priority"] * 10 + j  # distinct: the API leaves equal priorities undefined
    docs = manifests(pods, policies, ns_labels, tier_action)
    data = "\n---\n".join(yaml.safe_dump(d) for d in docs).encode()
    report = report_for_sources([Source(label="random.yaml", data=data, size=len(data))], Config())
    assert not report.model.inputs.problems, report.model.inputs.problems
    found = report.analysis.reach
    actual = facts_of(connections(found.engine, list(found.backends)))
    assert actual == expected_facts(pods, policies, ns_labels, tier_action), json.dumps(docs, indent=1)
