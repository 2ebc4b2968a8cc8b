"""Calico NetworkPolicy, GlobalNetworkPolicy and Tier (projectcalico.org/v3,
and the crd.projectcalico.org/v1 objects kubectl applies), as Calico's
reference states them.

A policy sits in a tier (`default` when it names none), at an `order` (lower
first; none: after the others, then by name), selects pods with `selector`
(a NetworkPolicy in its own namespace, a GlobalNetworkPolicy in every
namespace its `namespaceSelector` selects) and `serviceAccountSelector`, and
applies in the directions of `types` (by default Ingress, with Egress when it
has egress rules). Rules are ordered: `Allow` and `Deny` decide, `Pass` goes
on to the next tier, `Log` does nothing. A tier that has a policy for the pod
and decides nothing ends in its `defaultAction` (Deny unless it says Pass).
Kubernetes NetworkPolicies are in the `default` tier at order 1000; the
`adminnetworkpolicy`/`kube-admin` and `baselineadminnetworkpolicy`/
`kube-baseline` tiers hold the admin and baseline policies.

Entity rules: `selector` in the scope of `namespaceSelector` (the policy's
namespace for a NetworkPolicy, every namespace for a GlobalNetworkPolicy),
`serviceAccounts`, `services`, `nets` (a net of every address holds every pod
too; a narrower one is taken to hold none), their negations `notSelector`,
`notNets`, `notPorts`, and no selector nor net: everything. A selector also
picks the NetworkSets of its scope (GlobalNetworkSets with `global()`, or in
a GlobalNetworkPolicy): their nets are addresses it matches. Pods see
`projectcalico.org/namespace`, `projectcalico.org/serviceaccount`,
`projectcalico.org/orchestrator` and their namespace's labels as `pcns.*`;
namespaces `projectcalico.org/name`.
"""

from __future__ import annotations

import yaml

from svcdocs.model.objects import IPBlock, PolicyPort
from svcdocs.model.policies import common, selectors
from svcdocs.model.policies.selectors import ALL, NAME_LABEL, NAMESPACE, POD, Expr, FixedKeys, SelectorError
from svcdocs.model.policies.types import AddressSet, PolicyPart, PolicyTier, Selection, TieredPolicy, TieredRule
from svcdocs.model.reader import Reader

GROUPS = ("projectcalico.org", "crd.projectcalico.org")
KUBERNETES_ORDER = 1000.0  # where Calico puts a Kubernetes NetworkPolicy in the default tier
TIER_STAGES = {"default": "default", "adminnetworkpolicy": "admin", "kube-admin": "admin",
               "baselineadminnetworkpolicy": "baseline", "kube-baseline": "baseline"}
PROTOCOL_NUMBERS = {"6": "TCP", "17": "UDP", "132": "SCTP"}
ACTIONS = ("Allow", "Deny", "Pass", "Log")


def _pod_key(key: str):
    if key == "projectcalico.org/namespace":
        return NAMESPACE, NAME_LABEL
    if key == "projectcalico.org/serviceaccount":
        return selectors.ACCOUNT, ""
    if key.startswith("pcns."):
        return NAMESPACE, key[len("pcns."):]
    return POD, key


def _namespace_key(key: str):
    return (NAMESPACE, NAME_LABEL) if key == "projectcalico.org/name" else (NAMESPACE, key)


def _account_key(key: str):
    return (selectors.ACCOUNT, "") if key == "projectcalico.org/name" else (selectors.ACCOUNT_LABELS, key)


POD_KEYS = FixedKeys(_pod_key, {"projectcalico.org/orchestrator": "k8s"})


def network_policy(r: Reader, root: dict, meta: dict) -> TieredPolicy:
    spec_node = root.get("spec")
    spec = r.mapping(spec_node, "spec")
    global_policy = meta["kind"] == "GlobalNetworkPolicy"
    namespace = None if global_policy else meta["namespace"]
    if global_policy:
        meta = {**meta, "namespace": ""}
    tier = r.string(spec.get("tier"), "spec.tier") or "default"
    notes = []
    if any(r.flag(spec.get(k)) for k in ("preDNAT", "doNotTrack")):
        notes.append("preDNAT and doNotTrack policies apply to host endpoints, not pods")
        return TieredPolicy(**meta, stage=TIER_STAGES.get(tier, "tier"), tier=tier, notes=tuple(notes))
    pods = _selector(r, spec.get("selector"), "spec.selector", POD_KEYS)
    if namespace is not None:
        pods = selectors.conj(selectors.in_namespace(namespace), pods)
    elif "namespaceSelector" in spec:
        pods = selectors.conj(pods, _selector(r, spec["namespaceSelector"], "spec.namespaceSelector", _namespace_key))
    if "serviceAccountSelector" in spec:
        pods = selectors.conj(pods, _selector(r, spec["serviceAccountSelector"], "spec.serviceAccountSelector",
                                              _account_key))
    subject = Selection(r.key_line(spec_node, "selector") or meta["line"], pods=pods)
    ingress = tuple(_rules(r, spec.get("ingress"), "spec.ingress", namespace, ingress=True))
    egress = tuple(_rules(r, spec.get("egress"), "spec.egress", namespace, ingress=False))
    types = r.strings(spec.get("types"), "spec.types")
    directions = tuple(t for t in ("Ingress", "Egress") if t in types) if types else \
        (("Ingress",) if ingress or not egress else ()) + (("Egress",) if egress else ())
    stage = TIER_STAGES.get(tier, "tier")
    isolates = directions if stage in ("tier", "default") else ()
    order = _order(r, spec.get("order"), "spec.order")
    return TieredPolicy(**meta, stage=stage, tier=tier, order=order,
                        parts=(PolicyPart(subject, ingress, egress, directions, isolates),), notes=tuple(notes))


def tier(r: Reader, root: dict, meta: dict) -> PolicyTier:
    spec = r.mapping(root.get("spec"), "spec")
    action = r.string(spec.get("defaultAction"), "spec.defaultAction") or "Deny"
    if action not in ("Deny", "Pass"):
        r.warn(spec.get("defaultAction"), f"spec.defaultAction {action!r} is neither Deny nor Pass; read as Deny")
        action = "Deny"
    return PolicyTier(**{**meta, "namespace": ""}, order=_order(r, spec.get("order"), "spec.order"),
                      default_action=action)


def _order(r: Reader, node: yaml.Node | None, what: str) -> float | None:
    text = r.string(node, what)
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        r.warn(node, f"{what} {text!r} is not a number; read as none (last)")
        return None


def _selector(r: Reader, node: yaml.Node | None, what: str, keys) -> Expr:
    text = r.string(node, what)
    if text is None:
        return ALL
    try:
        return selectors.calico(text, keys)
    except SelectorError as e:
        shown = text if len(text) <= 80 else text[:77] + "..."
        r.warn(node, f"{what} {shown!r} cannot be read ({e}); it selects nothing")
        return selectors.NONE


def _rules(r: Reader, node: yaml.Node | None, what: str, namespace: str | None, ingress: bool):
    for i, item, f in r.mappings(node, what):
        where = f"{what}[{i}]"
        action = r.string(f.get("action"), f"{where}.action")
        if action not in ACTIONS:
            r.warn(f.get("action") or item, f"{where}.action is not Allow, Deny, Pass or Log; the rule is left out")
            continue
        peer_key, local_key = ("source", "destination") if ingress else ("destination", "source")
        peer = r.mapping(f.get(peer_key), f"{where}.{peer_key}")
        local = r.mapping(f.get(local_key), f"{where}.{local_key}")
        source = peer if ingress else local
        if "ports" in source or "notPorts" in source:
            r.warn(item, f"{where} matches source ports, which svcdocs does not model; the rule is left out")
            continue
        protocol, unmatched = _protocol(r, f, where)
        port_side = local if ingress else peer
        port_where = f"{where}.{local_key if ingress else peer_key}"
        ports: tuple[PolicyPort, ...] | None = None
        if unmatched:
            ports = ()
        elif "ports" in port_side:
            ports = tuple(_ports(r, port_side["ports"], f"{port_where}.ports", protocol))
        elif protocol is not None:
            ports = (PolicyPort(r.line(f["protocol"]), protocol),)
        excluded_ports = tuple(_ports(r, port_side.get("notPorts"), f"{port_where}.notPorts", protocol)) \
            if "notPorts" in port_side else ()
        excluded_ports += _not_protocol(r, f, where)
        peers, excluded = _entity(r, f.get(peer_key), peer, f"{where}.{peer_key}", namespace)
        local_peers, local_excluded = _entity(r, f.get(local_key), local, f"{where}.{local_key}", namespace)
        local_selection = None
        if local_peers is not None or local_excluded:
            local_selection = _local(local_peers, local_excluded, r.line(item))
        http = "HTTP" if "http" in f else ""
        yield TieredRule(r.line(item), action, peers, excluded, ports, excluded_ports, layer7=http,
                         local=local_selection)


def _local(peers, excluded, line: int) -> Selection:
    """The rule's condition on the policy's own pod, as one selection."""
    pods = ALL if peers is None else selectors.disj(*(p.pods for p in peers if p.pods is not None))
    for other in excluded:
        if other.pods is not None:
            pods = selectors.conj(pods, selectors.neg(other.pods))
    return Selection(line, pods=pods, host_network="include")


def _protocol(r: Reader, f: dict, where: str) -> tuple[str | None, bool]:
    """The rule's protocol (None: any), and whether it is one no connection
    here uses (ICMP, UDPLite...)."""
    text = r.string(f.get("protocol"), f"{where}.protocol")
    if text is None:
        return None, False
    name = PROTOCOL_NUMBERS.get(text, text.upper())
    return (name, False) if name in common.PROTOCOLS else (None, True)


def _not_protocol(r: Reader, f: dict, where: str) -> tuple[PolicyPort, ...]:
    text = r.string(f.get("notProtocol"), f"{where}.notProtocol")
    if text is None:
        return ()
    name = PROTOCOL_NUMBERS.get(text, text.upper())
    return (PolicyPort(r.line(f["notProtocol"]), name),) if name in common.PROTOCOLS else ()


def network_set(r: Reader, root: dict, meta: dict) -> AddressSet:
    """A NetworkSet (namespaced) or GlobalNetworkSet: labelled nets that rule selectors pick."""
    spec = r.mapping(root.get("spec"), "spec")
    if meta["kind"] == "GlobalNetworkSet":
        meta = {**meta, "namespace": ""}
    return AddressSet(**meta, blocks=_nets(r, spec.get("nets"), "spec.nets"))


def _ports(r: Reader, node: yaml.Node | None, what: str, protocol: str | None):
    """Numbers, `first:last` ranges and names; without a protocol (Calico
    requires one) every protocol."""
    proto = protocol or ""
    for j, item in enumerate(r.sequence(node, what)):
        line = r.line(item)
        text = r.string(item, f"{what}[{j}]") or ""
        if ":" in text:
            low, _, high = text.partition(":")
            if low.isdigit() and high.isdigit() and 1 <= int(low) <= int(high) <= 65535:
                yield PolicyPort(line, proto, int(low), int(high))
                continue
            r.warn(item, f"{what}[{j}] {text!r} is not a range of ports; it matches nothing")
            yield PolicyPort(line, proto, "")
        elif text.isdigit():
            number = int(text)
            yield PolicyPort(line, proto, number if 1 <= number <= 65535 else "")
        else:
            yield PolicyPort(line, proto, text)


def _entity(r: Reader, node: yaml.Node | None, f: dict, what: str, namespace: str | None):
    """(peers, excluded): who the entity rule matches (None: everything), and who never."""
    line = r.line(node) if node is not None else 0
    scoped = any(k in f for k in ("selector", "namespaceSelector", "serviceAccounts"))
    nets = _nets(r, f.get("nets"), f"{what}.nets")
    peers: list[Selection] | None = None
    if "services" in f:
        s = r.mapping(f["services"], f"{what}.services")
        ns = r.string(s.get("namespace"), f"{what}.services.namespace") or namespace or "default"
        peers = [Selection(line, services=((ns, r.string(s.get("name"), f"{what}.services.name") or "", None),))]
    elif scoped:
        pods = selectors.conj(_scope(r, f, what, namespace),
                              _selector(r, f.get("selector"), f"{what}.selector", POD_KEYS),
                              _accounts(r, f.get("serviceAccounts"), f"{what}.serviceAccounts"))
        sets = (("calico", pods),) if "nets" not in f else ()  # network sets the selector picks
        if "nets" in f and not common.covers_everything(nets):
            pods = selectors.NONE  # a pod's address is taken to be outside a narrower net
        peers = [Selection(line, pods=pods, address_sets=sets)]
    elif "nets" in f:
        peers = [common.networks(line, nets)]
    excluded: list[Selection] = []
    if "notSelector" in f:
        pods = selectors.conj(_scope(r, f, what, namespace),
                              _selector(r, f["notSelector"], f"{what}.notSelector", POD_KEYS))
        excluded.append(Selection(line, pods=pods, address_sets=(("calico", pods),)))
    if "notNets" in f:
        excluded.append(common.networks(line, _nets(r, f["notNets"], f"{what}.notNets")))
    return (tuple(peers) if peers is not None else None), tuple(excluded)


def _scope(r: Reader, f: dict, what: str, namespace: str | None) -> Expr:
    if "namespaceSelector" in f:
        return _selector(r, f["namespaceSelector"], f"{what}.namespaceSelector", _namespace_key)
    return selectors.in_namespace(namespace) if namespace is not None else ALL


def _accounts(r: Reader, node: yaml.Node | None, what: str) -> Expr:
    if node is None:
        return ALL
    f = r.mapping(node, what)
    names = r.strings(f.get("names"), f"{what}.names")
    found = ("in", selectors.ACCOUNT, "", tuple(sorted(set(names)))) if names else ALL
    return selectors.conj(found, _selector(r, f.get("selector"), f"{what}.selector", _account_key))


def _nets(r: Reader, node: yaml.Node | None, what: str) -> tuple[IPBlock, ...]:
    return tuple(IPBlock(c) for j, n in enumerate(r.sequence(node, what))
                 if (c := common.cidr(r, n, f"{what}[{j}]")) is not None)


BUILDERS = {
    **{(group, "NetworkPolicy"): network_policy for group in GROUPS},
    **{(group, "GlobalNetworkPolicy"): network_policy for group in GROUPS},
    **{(group, "Tier"): tier for group in GROUPS},
    **{(group, kind): network_set for group in GROUPS for kind in ("NetworkSet", "GlobalNetworkSet")},
}
