"""CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (cilium.io/v2), as
Cilium's documentation states them.

A spec selects pods with `endpointSelector` (a CiliumNetworkPolicy only in its
own namespace). A direction with rules (`ingress`, `ingressDeny`, and the
same for egress) puts the pods in default deny there unless
`enableDefaultDeny` says false; allows add up, and deny rules win over every
allow, a NetworkPolicy's too. A rule's layer 3 peers (`fromEndpoints`,
`fromCIDR`, `fromCIDRSet` (CIDRs, or CiliumCIDRGroups by name or label),
`fromEntities`, `toServices`, `toFQDNs`...) add up;
with none, `toPorts` applies to every peer, and a rule with neither matches
nothing (`ingress: [{}]` denies by default). Endpoint selectors read
`k8s:io.kubernetes.pod.namespace` as the namespace (the policy's own when a
CiliumNetworkPolicy names none), `io.cilium.k8s.namespace.labels.*` as the
namespace's labels (in a clusterwide policy only: a CiliumNetworkPolicy
ignores them) and `io.cilium.k8s.policy.serviceaccount`. CIDRs never select
pods. Pods on the host network are the `host` and `remote-node` entities
(which node a pod runs on is not in the manifests: either entity means them
all), `cluster` and `all` include them, endpoint selectors do not.
"""

from __future__ import annotations

import yaml

from svcdocs.model.objects import IPBlock, PolicyPort
from svcdocs.model.policies import common, selectors
from svcdocs.model.policies.selectors import ALL, NAME_LABEL, NAMESPACE, Expr
from svcdocs.model.policies.types import AddressSet, PolicyPart, Selection, TieredPolicy, TieredRule
from svcdocs.model.reader import Reader, label_selector

GROUP = "cilium.io"
ORDER = 1000.0  # with the NetworkPolicies: allows add up, whatever the order
PREFIXES = ("k8s:", "any:")
NAMESPACE_KEY = "io.kubernetes.pod.namespace"
NAMESPACE_LABELS = "io.cilium.k8s.namespace.labels."
SERVICE_ACCOUNT = "io.cilium.k8s.policy.serviceaccount"
CLUSTER = "io.cilium.k8s.policy.cluster"
ENTITIES = {
    "world": Selection(0, addresses=common.EVERYWHERE),
    "world-ipv4": Selection(0, addresses=(common.EVERYWHERE[0],)),
    "world-ipv6": Selection(0, addresses=(common.EVERYWHERE[1],)),
    "cluster": Selection(0, pods=ALL, host_network="include"),
    "host": Selection(0, pods=ALL, host_network="only"),
    "remote-node": Selection(0, pods=ALL, host_network="only"),
    "all": Selection(0, pods=ALL, addresses=common.EVERYWHERE, host_network="include"),
}
UNSEEN_ENTITIES = {
    "kube-apiserver": "the kube-apiserver entity", "health": "Cilium's health endpoints",
    "init": "endpoints whose identity is not resolved yet", "unmanaged": "endpoints Cilium does not manage",
    "ingress": "Cilium's ingress Envoy",
}
LAYER7 = {"http": "HTTP", "kafka": "Kafka", "dns": "DNS", "l7proto": "L7 (l7proto)"}


def cilium_network_policy(r: Reader, root: dict, meta: dict) -> TieredPolicy:
    clusterwide = meta["kind"] == "CiliumClusterwideNetworkPolicy"
    if clusterwide:
        meta = {**meta, "namespace": ""}
    specs = []
    if "spec" in root:
        specs.append((root["spec"], "spec"))
    specs += [(n, f"specs[{i}]") for i, n in enumerate(r.sequence(root.get("specs"), "specs"))]
    parts, notes = [], []
    for node, what in specs:
        part = _part(r, node, what, meta["namespace"] if not clusterwide else None, notes)
        if part is not None:
            parts.append(part)
    return TieredPolicy(**meta, stage="default", order=ORDER, parts=tuple(parts), notes=tuple(dict.fromkeys(notes)))


def _part(r: Reader, node: yaml.Node, what: str, namespace: str | None, notes: list) -> PolicyPart | None:
    f = r.mapping(node, what)
    if "nodeSelector" in f and "endpointSelector" not in f:
        notes.append("a nodeSelector spec (host firewall) applies to nodes, not pods")
        return None
    pods = _selector(r, f.get("endpointSelector"), f"{what}.endpointSelector", namespace, clusterwide=namespace is None)
    if namespace is not None:
        pods = selectors.conj(selectors.in_namespace(namespace), pods)
    subject = Selection(r.key_line(node, "endpointSelector") or r.line(node), pods=pods)
    ingress = (*_rules(r, f, what, "ingressDeny", namespace, notes), *_rules(r, f, what, "ingress", namespace, notes))
    egress = (*_rules(r, f, what, "egressDeny", namespace, notes), *_rules(r, f, what, "egress", namespace, notes))
    default_deny = r.mapping(f.get("enableDefaultDeny"), f"{what}.enableDefaultDeny")
    directions, isolates = [], []
    for direction, keys in (("Ingress", ("ingress", "ingressDeny")), ("Egress", ("egress", "egressDeny"))):
        has_rules = any(isinstance(f.get(k), yaml.SequenceNode) and f[k].value for k in keys)
        flag = default_deny.get(direction.lower())
        explicit = None if flag is None else r.flag(flag)
        if has_rules or explicit:
            directions.append(direction)
            if explicit is not False:
                isolates.append(direction)
    return PolicyPart(subject, ingress, egress, tuple(directions), tuple(isolates))


def _rules(r: Reader, f: dict, what: str, key: str, namespace: str | None, notes: list):
    deny = key.endswith("Deny")
    peers_prefix = "from" if key.startswith("ingress") else "to"
    for i, item, rule in r.mappings(f.get(key), f"{what}.{key}"):
        where = f"{what}.{key}[{i}]"
        peers = _peers(r, rule, where, peers_prefix, namespace, notes)
        ports, layer7 = _ports(r, rule, where)
        if peers is None and ports is None:
            peers = ()  # `{}`: default deny and nothing more
        yield TieredRule(r.line(item), "Deny" if deny else "Allow", peers, ports=ports, layer7=layer7, first=deny)


def _peers(r: Reader, rule: dict, where: str, prefix: str, namespace: str | None, notes: list):
    """The layer 3 peers of a rule; None when it names none (every peer)."""
    found: list[Selection] = []
    named = False
    clusterwide = namespace is None
    for j, item in enumerate(r.sequence(rule.get(f"{prefix}Endpoints"), f"{where}.{prefix}Endpoints")):
        pods = _selector(r, item, f"{where}.{prefix}Endpoints[{j}]", namespace, clusterwide)
        if namespace is not None and not _names_namespace(pods):
            pods = selectors.conj(selectors.in_namespace(namespace), pods)
        found.append(Selection(r.line(item), pods=pods))
    for key in (f"{prefix}CIDR", f"{prefix}CIDRSet"):
        for j, item in enumerate(r.sequence(rule.get(key), f"{where}.{key}")):
            group = _cidr_group(r, item, f"{where}.{key}[{j}]")
            if group is not None:
                found.append(Selection(r.line(item), address_sets=(group,)))
                continue
            block = _cidr_item(r, item, f"{where}.{key}[{j}]", notes)
            if block is not None:
                found.append(Selection(r.line(item), addresses=(block,)))
    for j, item in enumerate(r.sequence(rule.get(f"{prefix}Entities"), f"{where}.{prefix}Entities")):
        entity = r.string(item, f"{where}.{prefix}Entities[{j}]") or ""
        if entity in ENTITIES:
            base = ENTITIES[entity]
            found.append(Selection(r.line(item), base.pods, base.addresses, base.names, base.host_network))
        else:
            found.append(Selection(r.line(item), unseen=UNSEEN_ENTITIES.get(entity, f"the {entity!r} entity")))
    if prefix == "to":
        for j, item, service in r.mappings(rule.get("toServices"), f"{where}.toServices"):
            found.append(_service(r, item, service, f"{where}.toServices[{j}]", namespace))
        for j, item, fqdn in r.mappings(rule.get("toFQDNs"), f"{where}.toFQDNs"):
            name = r.string(fqdn.get("matchName"), f"{where}.toFQDNs[{j}].matchName") \
                or r.string(fqdn.get("matchPattern"), f"{where}.toFQDNs[{j}].matchPattern")
            if name:
                found.append(Selection(r.line(item), names=(name.rstrip(".").lower(),)))
    for key, what in ((f"{prefix}Nodes", "nodes"), (f"{prefix}Groups", "cloud provider groups")):
        if key in rule:
            found.append(Selection(r.line(rule[key]), unseen=what))
    for key in (f"{prefix}Requires",):
        if key in rule:
            notes.append(f"{key} (deprecated) is not applied")
    l3 = ("Endpoints", "CIDR", "CIDRSet", "Entities", "Nodes", "Groups") + (("Services", "FQDNs") if prefix == "to" else ())
    named = any(f"{prefix}{k}" in rule for k in l3)
    return tuple(found) if named else None


def _ports(r: Reader, rule: dict, where: str) -> tuple[tuple[PolicyPort, ...] | None, str]:
    """The rule's ports (None: every port) and the layer 7 protocol that narrows it."""
    if "toPorts" not in rule and "icmps" not in rule:
        return None, ""
    found: list[PolicyPort] = []
    layer7 = ""
    for i, item, entry in r.mappings(rule.get("toPorts"), f"{where}.toPorts"):
        listed = r.sequence(entry.get("ports"), f"{where}.toPorts[{i}].ports")
        if not listed:
            found.append(PolicyPort(r.line(item), ""))
        for j, port_node, port in r.mappings(entry.get("ports"), f"{where}.toPorts[{i}].ports"):
            found.append(_port(r, port_node, port, f"{where}.toPorts[{i}].ports[{j}]"))
        rules = r.mapping(entry.get("rules"), f"{where}.toPorts[{i}].rules")
        kinds = [LAYER7[k] for k in LAYER7 if k in rules]
        if any(k in entry for k in ("serverNames", "terminatingTLS", "originatingTLS")):
            kinds.append("TLS")
        if "listener" in entry:
            kinds.append("an Envoy listener")
        layer7 = layer7 or ", ".join(kinds)
    return tuple(found), layer7  # only ICMP: no port of TCP, UDP or SCTP


def _port(r: Reader, node: yaml.Node, port: dict, what: str) -> PolicyPort:
    line = r.line(node)
    protocol = common.protocol_of(r, port.get("protocol"), f"{what}.protocol", default="ANY")
    if protocol is None:
        return PolicyPort(line, "TCP", "")
    value = r.port_or_name(port.get("port"), f"{what}.port")
    if value in (None, 0):
        return PolicyPort(line, protocol)
    end = r.integer(port.get("endPort"), f"{what}.endPort")
    if isinstance(value, int) and end is not None and end >= value:
        return PolicyPort(line, protocol, value, end)
    return PolicyPort(line, protocol, value.lower() if isinstance(value, str) else value)


def _cidr_group(r: Reader, node: yaml.Node, what: str) -> tuple | None:
    """A CIDR set item that names CiliumCIDRGroups: by name, or by a selector of their labels."""
    if not isinstance(node, yaml.MappingNode):
        return None
    f = r.mapping(node, what)
    if "cidrGroupRef" in f:
        return ("cilium", ("eq", "name", "", r.string(f["cidrGroupRef"], f"{what}.cidrGroupRef") or ""))
    if "cidrGroupSelector" in f:
        return ("cilium", common.selector(r, f["cidrGroupSelector"], f"{what}.cidrGroupSelector"))
    return None


def cidr_group(r: Reader, root: dict, meta: dict) -> AddressSet:
    """A CiliumCIDRGroup: named, labelled CIDRs that CIDR set items pick."""
    spec = r.mapping(root.get("spec"), "spec")
    blocks = (common.cidr(r, n, f"spec.externalCIDRs[{j}]")
              for j, n in enumerate(r.sequence(spec.get("externalCIDRs"), "spec.externalCIDRs")))
    return AddressSet(**{**meta, "namespace": ""}, blocks=tuple(IPBlock(b) for b in blocks if b))


def _cidr_item(r: Reader, node: yaml.Node, what: str, notes: list) -> IPBlock | None:
    if not isinstance(node, yaml.MappingNode):
        found = common.cidr(r, node, what)
        return IPBlock(found) if found else None
    f = r.mapping(node, what)
    if "cidr" not in f:
        r.warn(node, f"{what} names no cidr; it matches nothing")
        return None
    found = common.cidr(r, f["cidr"], f"{what}.cidr")
    if found is None:
        return None
    excepts = (common.cidr(r, n, f"{what}.except[{j}]") for j, n in enumerate(r.sequence(f.get("except"), f"{what}.except")))
    return IPBlock(found, tuple(e for e in excepts if e))


def _service(r: Reader, item: yaml.Node, f: dict, what: str, namespace: str | None) -> Selection:
    line = r.line(item)
    if "k8sService" in f:
        s = r.mapping(f["k8sService"], f"{what}.k8sService")
        name = r.string(s.get("serviceName"), f"{what}.k8sService.serviceName") or ""
        ns = r.string(s.get("namespace"), f"{what}.k8sService.namespace") or namespace or "default"
        return Selection(line, services=((ns, name, None),))
    s = r.mapping(f.get("k8sServiceSelector"), f"{what}.k8sServiceSelector")
    ns = r.string(s.get("namespace"), f"{what}.k8sServiceSelector.namespace") or namespace or ""
    labels = common.selector(r, s.get("selector"), f"{what}.k8sServiceSelector.selector")
    return Selection(line, services=((ns, "", labels),))


def _selector(r: Reader, node: yaml.Node | None, what: str, namespace: str | None, clusterwide: bool) -> Expr:
    """A Cilium endpoint selector over pod, namespace and service account labels."""
    selector = label_selector(r, node, what)
    parts = []
    for key, value in selector.match_labels:
        space, label = _key(r, node, what, key, clusterwide)
        if space is not None:
            parts.append(_fixed(space, label, ("eq", value)) or ("eq", space, label, value))
    for requirement in selector.match_expressions:
        space, label = _key(r, node, what, requirement.key, clusterwide)
        if space is None:
            continue
        made = selectors.requirement(space, label, requirement.operator, requirement.values)
        parts.append(_fixed_requirement(space, label, requirement) if space == "fixed" else made)
    return selectors.conj(*parts)


def _key(r: Reader, node, what: str, key: str, clusterwide: bool) -> tuple[str | None, str]:
    for prefix in PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix):]
            break
    if key == NAMESPACE_KEY:
        return NAMESPACE, NAME_LABEL
    if key.startswith(NAMESPACE_LABELS):
        if not clusterwide:
            r.warn(node, f"{what}: {key} is ignored in a CiliumNetworkPolicy (Cilium reads it only clusterwide)")
            return None, key
        return NAMESPACE, key[len(NAMESPACE_LABELS):]
    if key == SERVICE_ACCOUNT:
        return selectors.ACCOUNT, ""
    if key == CLUSTER:
        return "fixed", key
    if key.startswith("reserved:"):
        return "fixed", key
    return selectors.POD, key


FIXED = {CLUSTER: "default"}  # one cluster, Cilium's default name


def _fixed(space: str, key: str, test: tuple):
    if space != "fixed":
        return None
    value = FIXED.get(key)
    return ALL if value is not None and value == test[1] else selectors.NONE


def _fixed_requirement(space: str, key: str, requirement) -> tuple:
    value = FIXED.get(key)
    holds = {"In": value in requirement.values, "NotIn": value not in requirement.values,
             "Exists": value is not None, "DoesNotExist": value is None}[requirement.operator]
    return ALL if holds else selectors.NONE


def _names_namespace(expr: Expr) -> bool:
    """Whether a selector says which namespace (Cilium then adds none)."""
    if expr[0] in ("eq", "in", "has") and expr[1] == NAMESPACE and expr[2] == NAME_LABEL:
        return True
    return expr[0] in ("and", "or", "not") and any(_names_namespace(e) for e in expr[1:])


BUILDERS = {
    (GROUP, "CiliumNetworkPolicy"): cilium_network_policy,
    (GROUP, "CiliumClusterwideNetworkPolicy"): cilium_network_policy,
    (GROUP, "CiliumCIDRGroup"): cidr_group,
}
