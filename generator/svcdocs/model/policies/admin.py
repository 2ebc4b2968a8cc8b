"""AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io
v1alpha1), and their successor ClusterNetworkPolicy (v1alpha2, tiers Admin and
Baseline), as the network-policy-api project defines them.

A policy applies, in a direction, to the pods its `subject` selects when it
has rules in that direction; it isolates nothing (rules are read as they
are). Rules are ordered: the first whose peers and ports match decides,
`Allow`/`Accept`, `Deny`, or `Pass` (on to the NetworkPolicies). Peers are
pods of namespaces (`namespaces`, `pods`; in the first v1alpha1 shape also
by `sameLabels`/`notSameLabels`, against the subject's namespace), and on
egress `networks` (CIDRs: a
block of every address also holds every pod, as the API says), `nodes` (not
in the manifests) and `domainNames`. Pods on the host network are neither
subjects nor pod peers. A peer that sets no known field fails closed: an
Allow rule matches nothing through it, a Deny or Pass rule everything.
"""

from __future__ import annotations

import yaml

from svcdocs.model.objects import IPBlock, PolicyPort
from svcdocs.model.policies import common, selectors
from svcdocs.model.policies.selectors import ALL, NAMESPACE
from svcdocs.model.policies.types import PolicyPart, Selection, TieredPolicy, TieredRule
from svcdocs.model.reader import Reader

GROUP = "policy.networking.k8s.io"
ACTIONS = {"Allow": "Allow", "Accept": "Allow", "Deny": "Deny", "Pass": "Pass"}
BASELINE_ORDER = 1000.0  # a BaselineAdminNetworkPolicy among ClusterNetworkPolicies of the Baseline tier


def admin_network_policy(r: Reader, root: dict, meta: dict) -> TieredPolicy:
    spec = r.mapping(root.get("spec"), "spec")
    priority = r.integer(spec.get("priority"), "spec.priority", 0, 1000)
    return _policy(r, root.get("spec"), meta, "admin", float(priority if priority is not None else 1000), "ports")


def baseline_admin_network_policy(r: Reader, root: dict, meta: dict) -> TieredPolicy:
    return _policy(r, root.get("spec"), meta, "baseline", BASELINE_ORDER, "ports")


def cluster_network_policy(r: Reader, root: dict, meta: dict) -> TieredPolicy:
    spec = r.mapping(root.get("spec"), "spec")
    tier = r.string(spec.get("tier"), "spec.tier")
    if tier not in ("Admin", "Baseline"):
        r.warn(spec.get("tier") or root.get("spec"), f"spec.tier {tier!r} is neither Admin nor Baseline; read as Admin")
    priority = r.integer(spec.get("priority"), "spec.priority", 0, 1000)
    stage = "baseline" if tier == "Baseline" else "admin"
    return _policy(r, root.get("spec"), meta, stage, float(priority if priority is not None else 1000), "protocols")


def _policy(r: Reader, root_spec: yaml.Node | None, meta: dict, stage: str, order: float,
            ports_key: str) -> TieredPolicy:
    spec = r.mapping(root_spec, "spec")
    meta = {**meta, "namespace": ""}
    subject_node = spec.get("subject")
    subject = Selection(r.line(subject_node) if subject_node is not None else meta["line"],
                        pods=_subject(r, subject_node, root_spec))
    ingress = tuple(_rules(r, spec.get("ingress"), "spec.ingress", "from", ports_key))
    egress = tuple(_rules(r, spec.get("egress"), "spec.egress", "to", ports_key))
    directions = tuple(d for d, rules in (("Ingress", ingress), ("Egress", egress)) if rules)
    return TieredPolicy(**meta, stage=stage, order=order,
                        parts=(PolicyPart(subject, ingress, egress, directions),))


def _subject(r: Reader, node: yaml.Node | None, spec: yaml.Node | None) -> tuple:
    f = r.mapping(node, "spec.subject")
    if ("namespaces" in f) == ("pods" in f):
        if node is not None or spec is not None:
            r.warn(node if node is not None else spec,
                   "spec.subject must set exactly one of namespaces and pods; the policy selects no pod")
        return selectors.NONE
    if "namespaces" in f:
        return common.selector(r, f["namespaces"], "spec.subject.namespaces", NAMESPACE)
    return common.namespaced_pods(r, f["pods"], "spec.subject.pods")


def _rules(r: Reader, node: yaml.Node | None, what: str, peers_key: str, ports_key: str):
    for i, item, f in r.mappings(node, what):
        where = f"{what}[{i}]"
        action = ACTIONS.get(r.string(f.get("action"), f"{where}.action") or "")
        if action is None:
            r.warn(f.get("action") or item, f"{where}.action is not Allow, Accept, Deny or Pass; the rule is left out")
            continue
        peers = tuple(_peer(r, n, f"{where}.{peers_key}[{j}]", action)
                      for j, n in enumerate(r.sequence(f.get(peers_key), f"{where}.{peers_key}")))
        if not peers:
            r.warn(item, f"{where} has no {peers_key}; it matches nothing")
        ports = None
        if ports_key in f:
            ports = tuple(p for j, n in enumerate(r.sequence(f[ports_key], f"{where}.{ports_key}"))
                          for p in _port(r, n, f"{where}.{ports_key}[{j}]"))
        yield TieredRule(r.line(item), action, peers, ports=ports, name=r.string(f.get("name"), f"{where}.name") or "")


def _peer(r: Reader, node: yaml.Node, what: str, action: str) -> Selection:
    line = r.line(node)
    f = r.mapping(node, what)
    if "namespaces" in f:
        namespaces = r.mapping(f["namespaces"], f"{what}.namespaces")
        if {"namespaceSelector", "sameLabels", "notSameLabels"} & set(namespaces):  # the first v1alpha1 shape
            return _older_namespaces(r, f["namespaces"], f"{what}.namespaces", line)
        return Selection(line, pods=common.selector(r, f["namespaces"], f"{what}.namespaces", NAMESPACE))
    if "pods" in f:
        pods = r.mapping(f["pods"], f"{what}.pods")
        if not pods:
            return Selection(line) if action == "Allow" else Selection(line, pods=ALL, addresses=common.EVERYWHERE,
                                                                         host_network="include")
        if "namespaces" in pods:  # the first v1alpha1 shape: pods: {namespaces: {...}, podSelector}
            scope = _older_namespaces(r, pods["namespaces"], f"{what}.pods.namespaces", line)
            pod_selector = common.selector(r, pods.get("podSelector"), f"{what}.pods.podSelector")
            return Selection(line, pods=None if scope.pods is None else selectors.conj(scope.pods, pod_selector),
                             same_labels=scope.same_labels, not_same_labels=scope.not_same_labels)
        return Selection(line, pods=common.namespaced_pods(r, f["pods"], f"{what}.pods"))
    if "networks" in f:
        blocks = tuple(IPBlock(c) for j, n in enumerate(r.sequence(f["networks"], f"{what}.networks"))
                       if (c := common.cidr(r, n, f"{what}.networks[{j}]")) is not None)
        return common.networks(line, blocks)
    if "nodes" in f:
        return Selection(line, unseen="nodes (their addresses are not in the manifests)")
    if "domainNames" in f:
        return Selection(line, names=r.strings(f["domainNames"], f"{what}.domainNames"))
    r.warn(node, f"{what} sets no peer that svcdocs knows; it fails closed "
                 + ("(matches nothing)" if action == "Allow" else "(matches everything)"))
    if action == "Allow":
        return Selection(line)
    return Selection(line, pods=ALL, addresses=common.EVERYWHERE, host_network="include")


def _older_namespaces(r: Reader, node: yaml.Node, what: str, line: int) -> Selection:
    """`{namespaceSelector | sameLabels | notSameLabels}` (exactly one): the
    last two compare a namespace's labels with those of the subject's
    namespace; empty, they select nothing."""
    f = r.mapping(node, what)
    if "sameLabels" in f or "notSameLabels" in f:
        same = r.strings(f.get("sameLabels"), f"{what}.sameLabels")
        other = r.strings(f.get("notSameLabels"), f"{what}.notSameLabels")
        if not same and not other:
            return Selection(line)
        return Selection(line, pods=ALL, same_labels=tuple(sorted(set(same))), not_same_labels=tuple(sorted(set(other))))
    return Selection(line, pods=common.selector(r, f.get("namespaceSelector"), f"{what}.namespaceSelector", NAMESPACE))


def _port(r: Reader, node: yaml.Node, what: str):
    """v1alpha1 `portNumber`, `portRange`, `namedPort`; v1alpha2 `tcp`, `udp`,
    `sctp` (with an optional `destinationPort`) and `destinationNamedPort`."""
    line = r.line(node)
    f = r.mapping(node, what)
    if "portNumber" in f:
        p = r.mapping(f["portNumber"], f"{what}.portNumber")
        protocol = common.protocol_of(r, p.get("protocol"), f"{what}.portNumber.protocol")
        number = r.integer(p.get("port"), f"{what}.portNumber.port")
        if protocol is not None:
            yield PolicyPort(line, protocol, number if number is not None else "")
    elif "portRange" in f:
        p = r.mapping(f["portRange"], f"{what}.portRange")
        protocol = common.protocol_of(r, p.get("protocol"), f"{what}.portRange.protocol")
        if protocol is not None:
            yield common.port_range(r, line, protocol, p.get("start"), p.get("end"), f"{what}.portRange")
    elif "namedPort" in f or "destinationNamedPort" in f:
        key = "namedPort" if "namedPort" in f else "destinationNamedPort"
        yield PolicyPort(line, "", r.string(f[key], f"{what}.{key}") or "")  # the pod's port says the protocol
    else:
        found = False
        for key in ("tcp", "udp", "sctp"):
            if key not in f:
                continue
            found = True
            destination = r.mapping(r.mapping(f[key], f"{what}.{key}").get("destinationPort"),
                                    f"{what}.{key}.destinationPort")
            if not destination:
                yield PolicyPort(line, key.upper())
            elif "range" in destination:
                span = r.mapping(destination["range"], f"{what}.{key}.destinationPort.range")
                yield common.port_range(r, line, key.upper(), span.get("start"), span.get("end"),
                                        f"{what}.{key}.destinationPort.range")
            else:
                number = r.integer(destination.get("number"), f"{what}.{key}.destinationPort.number")
                yield PolicyPort(line, key.upper(), number if number is not None else "")
        if not found:
            r.warn(node, f"{what} names no port svcdocs knows; it matches nothing")
            yield PolicyPort(line, "TCP", "")


BUILDERS = {
    (GROUP, "AdminNetworkPolicy"): admin_network_policy,
    (GROUP, "BaselineAdminNetworkPolicy"): baseline_admin_network_policy,
    (GROUP, "ClusterNetworkPolicy"): cluster_network_policy,
}
