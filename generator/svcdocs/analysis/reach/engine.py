"""Kubernetes NetworkPolicy semantics, computed over classes of equivalent pods.

A connection from pod S to pod D is allowed when S's egress allows it and D's
ingress allows it. A direction that no policy selects the pod for is open; a
pod selected for a direction accepts what at least one rule of one selecting
policy allows (rules add up, order does not matter). A rule matches its peers
(`from`/`to`; none: everything) on its ports (none: every port); a peer is
pods chosen by a podSelector and a namespaceSelector (none: the policy's own
namespace), or an ipBlock, which stands for addresses outside the cluster. A
port without protocol is TCP, `endPort` makes a range, and a named port is
looked up (name and protocol) in the destination pod's container ports.
policyTypes default to Ingress, plus Egress when the policy has egress rules.

Pods that every policy treats alike — selected by the same policies, matched
by the same rule peers, with the same numbers for the named ports the
policies use — form one class. Connections are computed between classes (and
between classes and blocks of addresses) and expanded to pods only by whoever
needs pairs, so that the cost follows what policies tell apart, not the
number of pods squared.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Mapping

from svcdocs.analysis.reach import addresses, ports
from svcdocs.analysis.reach.addresses import Addresses, Blocks
from svcdocs.analysis.reach.ports import ALL, NONE, Conn
from svcdocs.analysis.reach.selectors import Index, matches
from svcdocs.model import ContainerPort, LabelSelector, Model, NetworkPolicy, PolicyRule, Workload

NAME_LABEL = "kubernetes.io/metadata.name"
# netpol-analyzer's stand-in for an ingress controller that the input does not
# hold: a pod without labels in a namespace of its own.
STAND_IN = "{ingress-controller}"
STAND_IN_NAMESPACE = "ingress-controller-ns"
ANY_PEER = -1  # a rule without peers: every pod and every address


@dataclass(frozen=True, slots=True, eq=False)
class Pod:
    """The pods of one workload, as one reachability endpoint."""

    endpoint: str  # netpol-analyzer's name: `ns/name[Kind]`, a Pod's controller for a Pod it owns
    workload: str | None  # the model id; None for the stand-in
    namespace: str
    labels: Mapping[str, str]
    ports: tuple[ContainerPort, ...] = ()
    host_network: bool = False

    def named_port(self, name: str) -> ContainerPort | None:
        """The first container port of that name (names are unique in a pod)."""
        return next((p for p in self.ports if p.name == name), None)


@dataclass(frozen=True, slots=True)
class Peer:
    """A rule's peer. `addresses` for an ipBlock; `readable` False for an item
    that could not be read, which matches nothing."""

    policy: int
    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None
    addresses: Addresses | None = None
    readable: bool = True


@dataclass(frozen=True, slots=True)
class Rule:
    policy: int
    ingress: bool
    index: int  # 0-based within its direction
    line: int
    peers: tuple[int, ...] | None  # into Engine.peers; None: every peer
    static: Conn  # the numbered ports (ALL: no ports listed)
    named: tuple[tuple[str, str], ...] = ()  # (port name, protocol), resolved per destination


@dataclass(eq=False)
class PodClass:
    id: int
    members: list[Pod]
    ingress_policies: tuple[int, ...]
    egress_policies: tuple[int, ...]
    matched: frozenset[int]  # the peers (of those that tell pods apart) that match these pods
    named: tuple[int | None, ...]  # the number of each of Engine.named on these pods, or None
    # (peer or ANY_PEER, ports, rule): what the ingress rules of its policies admit, ports resolved here
    ingress: list[tuple[int, Conn, Rule]] = field(default_factory=list)
    egress: list[tuple[int, Rule]] = field(default_factory=list)  # ports resolved per destination

    @property
    def isolated_ingress(self) -> bool:
        return bool(self.ingress_policies)

    @property
    def isolated_egress(self) -> bool:
        return bool(self.egress_policies)

    @property
    def namespaces(self) -> list[str]:
        return sorted({p.namespace for p in self.members})


def endpoint_name(workload: Workload) -> str:
    """`ns/name[Kind]`; a Pod with a controller is its controller (`[Pod]`
    when the owner reference names no kind)."""
    if workload.kind == "Pod" and workload.owner is not None:
        kind, name = workload.owner
        return f"{workload.namespace}/{name}[{kind or 'Pod'}]"
    return f"{workload.namespace}/{workload.name}[{workload.kind}]"


def pods_of(model: Model) -> list[Pod]:
    return [Pod(endpoint_name(w), w.id, w.namespace, dict(w.pod_labels),
                tuple(p for c in w.containers for p in c.ports), w.host_network) for w in model.workloads]


class Engine:
    """Every pod of the model, plus the stand-in controller, sorted into classes."""

    def __init__(self, model: Model):
        self.model = model
        self.pods = pods_of(model)
        self.pod_of = {p.workload: p for p in self.pods}
        self.stand_in = Pod(STAND_IN, None, STAND_IN_NAMESPACE, {})
        everyone = [*self.pods, self.stand_in]
        self.namespace_labels = _namespace_labels(model, {p.namespace for p in everyone})
        self.policies: tuple[NetworkPolicy, ...] = model.network_policies
        self.peers: list[Peer] = []
        self.rules: list[Rule] = []
        self.named: list[tuple[str, str]] = []
        self._compile()
        index = Index((p.namespace, p.labels, i) for i, p in enumerate(everyone))
        selected_in, selected_out = self._selected(index, len(everyone))
        peer_pods = self._peer_pods(index)
        total = len(everyone)
        self.any_pod = [len(found) == total for found in peer_pods]  # a peer that tells no pods apart
        matched: list[list[int]] = [[] for _ in everyone]
        for peer, found in enumerate(peer_pods):
            if not self.any_pod[peer]:
                for i in found:
                    matched[i].append(peer)
        self.classes: list[PodClass] = []
        self.class_of: dict[int, PodClass] = {}  # id(pod) -> its class
        by_signature: dict[tuple, PodClass] = {}
        for i, pod in enumerate(everyone):
            named = tuple(_resolve(pod, name, protocol) for name, protocol in self.named)
            signature = (tuple(selected_in[i]), tuple(selected_out[i]), tuple(matched[i]), named)
            found = by_signature.get(signature)
            if found is None:
                found = PodClass(len(self.classes), [], *signature[:2], frozenset(signature[2]), named)
                by_signature[signature] = found
                self.classes.append(found)
            found.members.append(pod)
            self.class_of[id(pod)] = found
        self.peer_classes: list[set[int]] = [set() for _ in self.peers]
        self._rule_conns: dict[tuple[int, int], Conn] = {}
        self._counts: dict[int, dict[str, int]] = {}
        for pod_class in self.classes:
            for peer in pod_class.matched:
                self.peer_classes[peer].add(pod_class.id)
            self._entries(pod_class)
        self.blocks = self._blocks()

    # --- building ------------------------------------------------------------

    def _compile(self) -> None:
        named: dict[tuple[str, str], None] = {}
        self.ingress_rules: list[list[Rule]] = []
        self.egress_rules: list[list[Rule]] = []
        for i, policy in enumerate(self.policies):
            compiled = []
            for ingress, rules in ((True, policy.ingress), (False, policy.egress)):
                compiled.append([self._rule(i, policy, ingress, j, rule, named) for j, rule in enumerate(rules)])
            self.ingress_rules.append(compiled[0] if policy.affects_ingress else [])
            self.egress_rules.append(compiled[1] if policy.affects_egress else [])
        self.named = list(named)
        self.named_index = {key: i for i, key in enumerate(self.named)}

    def _rule(self, i: int, policy: NetworkPolicy, ingress: bool, j: int, rule: PolicyRule, named: dict) -> Rule:
        peers = None
        if rule.peers is not None:
            peers = []
            for peer in rule.peers:
                peers.append(len(self.peers))
                if peer.ip_block is not None:
                    found = addresses.ip_block(peer.ip_block.cidr, peer.ip_block.excepts)
                    self.peers.append(Peer(i, addresses=found))
                elif peer.pod_selector is None and peer.namespace_selector is None:
                    self.peers.append(Peer(i, readable=False))
                else:
                    self.peers.append(Peer(i, peer.pod_selector, peer.namespace_selector))
        static, names = ALL, []
        if rule.ports is not None:
            static = NONE
            for port in rule.ports:
                if port.port is None:
                    static = ports.union(static, ports.every_port(port.protocol))
                elif isinstance(port.port, int):
                    static = ports.union(static, ports.conn(port.protocol, port.port, port.end_port))
                elif port.port:
                    names.append((port.port, port.protocol))
                    named[(port.port, port.protocol)] = None
        compiled = Rule(i, ingress, j, rule.line, tuple(peers) if peers is not None else None, static, tuple(names))
        self.rules.append(compiled)
        return compiled

    def _selected(self, index: Index, count: int) -> tuple[list[list[int]], list[list[int]]]:
        selected_in: list[list[int]] = [[] for _ in range(count)]
        selected_out: list[list[int]] = [[] for _ in range(count)]
        for i, policy in enumerate(self.policies):
            if not (policy.affects_ingress or policy.affects_egress):
                continue
            for pod in index.selected(policy.namespace, policy.pod_selector):
                if policy.affects_ingress:
                    selected_in[pod].append(i)
                if policy.affects_egress:
                    selected_out[pod].append(i)
        return selected_in, selected_out

    def _peer_pods(self, index: Index) -> list[list[int]]:
        namespaces = index.namespaces()
        chosen_by: dict[LabelSelector, list[str]] = {}  # policies repeat their namespace selectors
        found = []
        for peer in self.peers:
            if peer.addresses is not None or not peer.readable:
                found.append([])
                continue
            home = self.policies[peer.policy].namespace
            if peer.namespace_selector is None:
                chosen = [home]
            else:
                chosen = chosen_by.get(peer.namespace_selector)
                if chosen is None:
                    chosen = [n for n in namespaces if matches(peer.namespace_selector, self.namespace_labels[n])]
                    chosen_by[peer.namespace_selector] = chosen
            found.append([i for n in chosen for i in index.selected(n, peer.pod_selector)])
        return found

    def _entries(self, pod_class: PodClass) -> None:
        for policy in pod_class.ingress_policies:
            for rule in self.ingress_rules[policy]:
                conn = self.rule_conn(rule, pod_class)
                for peer in rule.peers if rule.peers is not None else (ANY_PEER,):
                    pod_class.ingress.append((peer, conn, rule))
        for policy in pod_class.egress_policies:
            for rule in self.egress_rules[policy]:
                for peer in rule.peers if rule.peers is not None else (ANY_PEER,):
                    pod_class.egress.append((peer, rule))

    def _blocks(self) -> dict[int, Blocks]:
        """IPv4 always; IPv6 when a policy names an IPv6 block."""
        found = {4: Blocks(4, [p.addresses.v4 for p in self.peers if p.addresses is not None])}
        v6 = [p.addresses.v6 for p in self.peers if p.addresses is not None and p.addresses.v6]
        if v6:
            found[6] = Blocks(6, v6)
        self.peer_blocks = {version: [blocks.covered(p.addresses.family(version)) if p.addresses else 0
                                      for p in self.peers] for version, blocks in found.items()}
        return found

    # --- connections ---------------------------------------------------------

    def rule_conn(self, rule: Rule, target: PodClass | None) -> Conn:
        """The ports a rule allows to `target` (None: addresses outside the
        cluster, where a named port means nothing)."""
        if not rule.named:
            return rule.static
        key = (id(rule), -1 if target is None else target.id)
        found = self._rule_conns.get(key)
        if found is None:
            found = rule.static
            if target is not None:
                for name, protocol in rule.named:
                    number = target.named[self.named_index[(name, protocol)]]
                    if number is not None:
                        found = ports.union(found, ports.conn(protocol, number))
            self._rule_conns[key] = found
        return found

    def peer_matches(self, peer: int, pod_class: PodClass) -> bool:
        return peer == ANY_PEER or self.any_pod[peer] or peer in pod_class.matched

    def ingress_conn(self, source: PodClass, target: PodClass) -> Conn:
        """What `target`'s ingress admits from `source`."""
        if not target.ingress_policies:
            return ALL
        found = NONE
        for peer, conn, _ in target.ingress:
            if self.peer_matches(peer, source):
                found = ports.union(found, conn)
        return found

    def egress_conn(self, source: PodClass, target: PodClass) -> Conn:
        """What `source`'s egress lets out to `target`."""
        if not source.egress_policies:
            return ALL
        found = NONE
        for peer, rule in source.egress:
            if self.peer_matches(peer, target):
                found = ports.union(found, self.rule_conn(rule, target))
        return found

    def conn(self, source: PodClass, target: PodClass) -> Conn:
        inbound = self.ingress_conn(source, target)
        return NONE if ports.empty(inbound) else ports.intersection(inbound, self.egress_conn(source, target))

    def sources(self, target: PodClass) -> Iterable[PodClass]:
        """The classes that `target`'s ingress may admit: all of them when it is
        not isolated or a rule admits every pod; else those its peers match."""
        if not target.ingress_policies:
            return self.classes
        found: set[int] = set()
        for peer, _, _ in target.ingress:
            if peer == ANY_PEER or self.any_pod[peer]:
                return self.classes
            found |= self.peer_classes[peer]
        return [self.classes[i] for i in sorted(found)]

    def from_outside(self, target: PodClass, version: int = 4) -> list[Conn]:
        """What `target` admits from each block of addresses outside the cluster."""
        blocks = self.blocks[version]
        if not target.ingress_policies:
            return [ALL] * len(blocks)
        found = [NONE] * len(blocks)
        for peer, conn, _ in target.ingress:
            self._spread(found, self._bits(peer, version), conn)
        return found

    def to_outside(self, source: PodClass, version: int = 4) -> list[Conn]:
        """What `source` may send to each block of addresses outside the cluster."""
        blocks = self.blocks[version]
        if not source.egress_policies:
            return [ALL] * len(blocks)
        found = [NONE] * len(blocks)
        for peer, rule in source.egress:
            self._spread(found, self._bits(peer, version), self.rule_conn(rule, None))
        return found

    def _bits(self, peer: int, version: int) -> int:
        if peer == ANY_PEER:
            return (1 << len(self.blocks[version])) - 1
        return self.peer_blocks[version][peer]

    @staticmethod
    def _spread(found: list[Conn], bits: int, conn: Conn) -> None:
        i = 0
        while bits:
            if bits & 1:
                found[i] = ports.union(found[i], conn)
            bits >>= 1
            i += 1

    def ranges(self, conns: list[Conn], version: int = 4) -> Iterator[tuple[int, int, Conn]]:
        """Blocks with a connection, adjacent ones with the same connection merged."""
        blocks = self.blocks[version]
        current = None
        for i, conn in enumerate(conns):
            low, high = blocks.bounds(i)
            if current is not None and current[2] == conn:
                current = (current[0], high, conn)
                continue
            if current is not None and not ports.empty(current[2]):
                yield current
            current = (low, high, conn)
        if current is not None and not ports.empty(current[2]):
            yield current

    def pod_class(self, pod: Pod) -> PodClass:
        return self.class_of[id(pod)]

    def namespace_counts(self, pod_class: PodClass) -> dict[str, int]:
        """How many workloads of each namespace the class holds (not the stand-in)."""
        if pod_class.id not in self._counts:
            counts: dict[str, int] = defaultdict(int)
            for pod in pod_class.members:
                if pod is not self.stand_in:
                    counts[pod.namespace] += 1
            self._counts[pod_class.id] = dict(counts)
        return self._counts[pod_class.id]


def _namespace_labels(model: Model, used: set[str]) -> dict[str, dict[str, str]]:
    """Every namespace's labels, always with `kubernetes.io/metadata.name`."""
    labels = {ns: {} for ns in used}
    for namespace in model.namespaces:
        labels[namespace.name] = dict(namespace.labels)
    for name, found in labels.items():
        found[NAME_LABEL] = name
    return labels


def _resolve(pod: Pod, name: str, protocol: str) -> int | None:
    port = pod.named_port(name)
    return port.number if port is not None and port.protocol == protocol else None
