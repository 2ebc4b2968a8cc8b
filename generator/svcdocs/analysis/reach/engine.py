"""Who may connect to whom under every policy of the input, computed over
classes of equivalent pods.

A connection from pod S to pod D needs S's egress and D's ingress to allow
it. Each direction is decided by the stages of `deciders`, in order: within
a stage, the rules of the policies that apply to the pod, in order, until one
matches the peer and the port and says Allow, Deny or Pass (on to the next
stage); a stage where a policy isolates the pod ends in Deny (or Pass) for
what it leaves undecided; what no stage decides is allowed. NetworkPolicies
are one stage of allows, so a pod that none selects is open, and one that
some select accepts what at least one of their rules allows.

A rule matches its peers (none: everything) on its ports (none: every port):
pods chosen by selector expressions, addresses outside the cluster (pods are
never matched by an address, except by a block of every address, as the
admin and Calico APIs say), and names of places outside (Cilium's FQDNs). A
port without protocol is TCP, `endPort` makes a range, a named port is
looked up in the destination pod's container ports (by name and protocol, or
by name alone where the API leaves the protocol to the pod).

Pods that every policy treats alike (selected by the same policies, matched
by the same peers, with the same numbers for the named ports the policies
use) form one class. Connections are computed between classes, and between
classes and ranges of addresses, and expanded to pods only by whoever needs
pairs, so that the cost follows what the policies tell apart, not the number
of pods squared.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from typing import Callable, Iterable, Iterator, Mapping

from svcdocs.analysis.reach import addresses, ports
from svcdocs.analysis.reach.addresses import TOP, Addresses
from svcdocs.analysis.reach.deciders import Decider, Decisions, Peer, Rule, Stage
from svcdocs.analysis.reach.podsets import PodSets, holds, members
from svcdocs.analysis.reach.ports import ALL, NONE, Conn
from svcdocs.model import ContainerPort, Model, Workload
from svcdocs.model.policies import selectors as exprs

NAME_LABEL = "kubernetes.io/metadata.name"
# netpol-analyzer's stand-in for an ingress controller that the input does not
# hold: a pod without labels in a namespace of its own.
STAND_IN = "{ingress-controller}"
STAND_IN_NAMESPACE = "ingress-controller-ns"
ANY_PEER = -1  # a rule without peers: every pod, address and place


@dataclass(frozen=True, slots=True, eq=False)
class Pod:
    """The pods of one workload, as one reachability endpoint."""

    endpoint: str  # netpol-analyzer's name: `ns/name[Kind]`, a Pod's controller for a Pod it owns
    workload: str | None  # the model id; None for the stand-in
    namespace: str
    labels: Mapping[str, str]
    ports: tuple[ContainerPort, ...] = ()
    host_network: bool = False
    service_account: str = "default"

    def named_port(self, name: str) -> ContainerPort | None:
        """The first container port of that name (names are unique in a pod)."""
        return next((p for p in self.ports if p.name == name), None)


@dataclass(frozen=True, slots=True)
class Entry:
    """One rule's say about one peer, for a class: in the decision order."""

    stage: int
    peer: int  # or ANY_PEER
    rule: Rule
    conn: Conn | None  # ingress: the ports, resolved on the class; egress: None (resolved per destination)


@dataclass(frozen=True, slots=True)
class Step:
    """A stage that has a say on a class in one direction."""

    stage: int
    entries: tuple[Entry, ...]
    end: str | None  # Deny or Pass where a policy of the stage isolates the class; None: passes it on


@dataclass(eq=False)
class PodClass:
    id: int
    members: list[Pod]
    ingress_policies: tuple[int, ...]  # the deciders that apply to it on ingress
    egress_policies: tuple[int, ...]
    matched: frozenset[int]  # the peers (of those that tell pods apart) that match these pods
    named: tuple[Conn, ...]  # what each of Decisions.named means on these pods
    related: tuple[tuple[str | None, ...], ...] = ()  # its namespace's values of each of Engine.relations
    ingress_steps: tuple[Step, ...] = ()
    egress_steps: tuple[Step, ...] = ()
    _outside: dict = field(default_factory=dict)

    @property
    def ingress(self) -> list[Entry]:
        return [e for step in self.ingress_steps for e in step.entries]

    @property
    def egress(self) -> list[Entry]:
        return [e for step in self.egress_steps for e in step.entries]

    @property
    def isolated_ingress(self) -> bool:
        return any(step.end == "Deny" for step in self.ingress_steps)

    @property
    def isolated_egress(self) -> bool:
        return any(step.end == "Deny" for step in self.egress_steps)

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
                tuple(p for c in w.containers for p in c.ports), w.host_network, w.service_account)
            for w in model.workloads]


class Engine:
    """Every pod of the model, plus the stand-in controller, sorted into classes."""

    def __init__(self, model: Model):
        self.model = model
        self.pods = pods_of(model)
        self.pod_of = {p.workload: p for p in self.pods}
        self.stand_in = Pod(STAND_IN, None, STAND_IN_NAMESPACE, {})
        everyone = [*self.pods, self.stand_in]
        self.namespace_labels = _namespace_labels(model, {p.namespace for p in everyone})
        decisions = Decisions(model)
        self.stages: list[Stage] = decisions.stages
        self.deciders: list[Decider] = decisions.deciders
        self.policies = [d.source for d in self.deciders]  # the object of each decider
        sets: dict[tuple, Addresses | None] = {}  # policies repeat their selectors: each set looked up once
        self.peers: list[Peer] = [_with_sets(p, model, self.namespace_labels, sets) if p.selection is not None
                                  and p.selection.address_sets else p for p in decisions.peers]
        self.rules: list[Rule] = decisions.rules
        self.named = list(decisions.named)
        self.named_index = {key: i for i, key in enumerate(self.named)}
        self.sets = PodSets(((p.namespace, p.labels, p.service_account, p.host_network) for p in everyone),
                            self.namespace_labels)
        total = self.sets.everyone
        subjects = [self._pods(d.subject) for d in self.deciders]
        peer_pods = [self._pods(p) for p in self.peers]
        self.relations = sorted({p.relation for p in self.peers if p.relation})
        self.relation_index = {keys: i for i, keys in enumerate(self.relations)}
        # A peer that tells no pods apart (one that compares namespaces with the subject's does).
        self.any_pod = [found == total and not p.relation for found, p in zip(peer_pods, self.peers)]
        selected_in: list[list[int]] = [[] for _ in everyone]
        selected_out: list[list[int]] = [[] for _ in everyone]
        for i, decider in enumerate(self.deciders):
            if decider.applies[0] or decider.applies[1]:
                for pod in members(subjects[i]):
                    if decider.applies[0]:
                        selected_in[pod].append(i)
                    if decider.applies[1]:
                        selected_out[pod].append(i)
        matched: list[list[int]] = [[] for _ in everyone]
        for peer, found in enumerate(peer_pods):
            if found and not self.any_pod[peer]:
                for i in members(found):
                    matched[i].append(peer)
        self.peer_pods = peer_pods
        self.workload_bits = total & ~(1 << (len(everyone) - 1))  # every pod but the stand-in
        self.classes: list[PodClass] = []
        self.class_of: dict[int, PodClass] = {}  # id(pod) -> its class
        by_signature: dict[tuple, PodClass] = {}
        named_cache: dict[tuple, tuple[Conn, ...]] = {}
        for i, pod in enumerate(everyone):
            ports_key = tuple((p.name, p.protocol, p.number) for p in pod.ports if p.name)
            named = named_cache.get(ports_key)
            if named is None:
                named = named_cache[ports_key] = tuple(_resolve(pod, name, protocol) for name, protocol in self.named)
            labels = self.namespace_labels[pod.namespace]
            related = tuple(tuple(labels.get(k) for k in keys) for keys in self.relations)
            signature = (tuple(selected_in[i]), tuple(selected_out[i]), tuple(matched[i]), named, related)
            found = by_signature.get(signature)
            if found is None:
                found = PodClass(len(self.classes), [], *signature[:2], frozenset(signature[2]), named, related)
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
        for pod_class in self.classes:
            pod_class.ingress_steps = self._steps(pod_class, True)
            pod_class.egress_steps = self._steps(pod_class, False)
        self.families = self._families()
        self.places = sorted({name for p in self.peers for name in p.names})

    # --- building ------------------------------------------------------------

    def pods_of_peer(self, peer: Peer) -> int:
        """The pods (bits) a subject or a peer selects."""
        return self._pods(peer)

    def _pods(self, peer: Peer) -> int:
        found = self.sets.of(peer.pods)
        for namespace, name, labels in peer.services:
            found |= self._service_pods(namespace, name, labels)
        if peer.host_network == "exclude":
            found &= ~self.sets.host_network
        elif peer.host_network == "only":
            found &= self.sets.host_network
        return found

    def _service_pods(self, namespace: str, name: str, labels) -> int:
        """The pods of the Services a peer names (by name, or by a selector of their labels)."""
        found = 0
        for service in self.model.services:
            if namespace and service.namespace != namespace:
                continue
            if name and service.name != name:
                continue
            if not name and not (self.sets_of_labels(service.labels, labels)):
                continue
            if service.selector is None:
                continue  # its endpoints' addresses are not in the manifests
            found |= self.sets.of(exprs.conj(exprs.in_namespace(service.namespace),
                                             *(("eq", exprs.POD, k, v) for k, v in service.selector)))
        return found

    @staticmethod
    def sets_of_labels(labels, expr) -> bool:
        """Whether an object's own labels satisfy a pod-label expression."""
        return PodSets([("", dict(labels), "", False)], {}).of(expr) == 1

    def _steps(self, pod_class: PodClass, ingress: bool) -> tuple[Step, ...]:
        direction = 0 if ingress else 1
        deciders = pod_class.ingress_policies if ingress else pod_class.egress_policies
        by_stage: dict[int, list[Entry]] = defaultdict(list)
        ends: dict[int, str] = {}
        for index in deciders:
            decider = self.deciders[index]
            if decider.isolates[direction]:
                ends[decider.stage] = self.stages[decider.stage].end
            for rule in decider.rules[direction]:
                if rule.local is not None and not self.peer_matches(rule.local, pod_class):
                    continue
                conn = self.rule_conn(rule, pod_class) if ingress else None
                for peer in rule.peers if rule.peers is not None else (ANY_PEER,):
                    by_stage[decider.stage].append(Entry(decider.stage, peer, rule, conn))
        steps = []
        for stage in sorted(set(by_stage) | set(ends)):
            entries = sorted(by_stage.get(stage, ()), key=lambda e: not e.rule.first)  # stable: the order stays
            steps.append(Step(stage, tuple(entries), ends.get(stage)))
        return tuple(steps)

    def _families(self) -> tuple[int, ...]:
        """IPv4 always; IPv6 when a policy names an IPv6 block narrower than every address."""
        for peer in self.peers:
            if peer.addresses is not None and peer.addresses.v6 and peer.addresses.v6 != ((0, TOP[6]),):
                return (4, 6)
        return (4,)

    # --- one direction -------------------------------------------------------

    def rule_conn(self, rule: Rule, target: PodClass | None) -> Conn:
        """The ports a rule allows to `target` (None: addresses outside the
        cluster, where a named port means nothing)."""
        if not rule.named and not rule.excluded_named and rule.excluded_static == NONE:
            return rule.static
        key = (id(rule), -1 if target is None else target.id)
        found = self._rule_conns.get(key)
        if found is None:
            found = rule.static
            excluded = rule.excluded_static
            if target is not None:
                for name in rule.named:
                    found = ports.union(found, target.named[self.named_index[name]])
                for name in rule.excluded_named:
                    excluded = ports.union(excluded, target.named[self.named_index[name]])
            found = ports.difference(found, excluded) if excluded != NONE else found
            self._rule_conns[key] = found
        return found

    def peer_matches(self, peer: int, pod_class: PodClass, own: PodClass | None = None) -> bool:
        """Whether a peer matches the pods of a class (`own`: the class whose
        policy it is, for a peer that compares namespaces with its subject's)."""
        if peer == ANY_PEER or self.any_pod[peer]:
            return True
        if peer not in pod_class.matched:
            return False
        found = self.peers[peer]
        return not found.relation or (own is not None and self._related(found, pod_class, own))

    def _related(self, peer: Peer, other: PodClass, own: PodClass) -> bool:
        """sameLabels: the other's namespace has every label, valued as the
        subject's; notSameLabels: it has every label, one valued otherwise."""
        keys = peer.relation
        theirs = dict(zip(keys, other.related[self.relation_index[keys]]))
        mine = dict(zip(keys, own.related[self.relation_index[keys]]))
        if peer.same_labels and not all(theirs[k] is not None and theirs[k] == mine[k] for k in peer.same_labels):
            return False
        if peer.not_same_labels and not (all(theirs[k] is not None for k in peer.not_same_labels)
                                         and any(theirs[k] != mine[k] for k in peer.not_same_labels)):
            return False
        return True

    def _entry_matches(self, entry: Entry, other: PodClass, own: PodClass | None = None) -> bool:
        if not self.peer_matches(entry.peer, other, own):
            return False
        return not any(self.peer_matches(p, other, own) for p in entry.rule.excluded)

    @staticmethod
    def decide(steps: tuple[Step, ...], matches: Callable[[Entry], bool], conn_of: Callable[[Entry], Conn]) -> Conn:
        """What the stages allow of a connection to or from one peer."""
        if not steps:
            return ALL
        if len(steps) == 1 and steps[0].end == "Deny" and all(e.rule.action == "Allow" for e in steps[0].entries):
            found = NONE  # allows only (NetworkPolicies): what any of them allows
            for entry in steps[0].entries:
                if matches(entry):
                    found = ports.union(found, conn_of(entry))
            return found
        remaining, allowed = ALL, NONE
        for step in steps:
            passed = NONE
            for entry in step.entries:
                if entry.rule.action == "Log" or not matches(entry):
                    continue
                conn = ports.intersection(conn_of(entry), remaining)
                if ports.empty(conn):
                    continue
                if entry.rule.action == "Allow":
                    allowed = ports.union(allowed, conn)
                elif entry.rule.action == "Pass":
                    passed = ports.union(passed, conn)
                remaining = ports.difference(remaining, conn)
                if ports.empty(remaining):
                    break
            remaining = passed if step.end == "Deny" else ports.union(remaining, passed)
            if ports.empty(remaining):
                return allowed
        return ports.union(allowed, remaining)

    def ingress_conn(self, source: PodClass, target: PodClass) -> Conn:
        """What `target`'s ingress admits from `source`."""
        return self.decide(target.ingress_steps, lambda e: self._entry_matches(e, source, target), lambda e: e.conn)

    def egress_conn(self, source: PodClass, target: PodClass) -> Conn:
        """What `source`'s egress lets out to `target`."""
        return self.decide(source.egress_steps, lambda e: self._entry_matches(e, target, source),
                           lambda e: self.rule_conn(e.rule, target))

    def conn(self, source: PodClass, target: PodClass) -> Conn:
        inbound = self.ingress_conn(source, target)
        return NONE if ports.empty(inbound) else ports.intersection(inbound, self.egress_conn(source, target))

    def sources(self, target: PodClass) -> Iterable[PodClass]:
        """The classes that `target`'s ingress may admit: those an allowing
        rule matches, and those that may get past every stage that denies what
        it leaves undecided (passed on by one of its rules); all of them when a
        rule that matches every pod allows, or no stage denies."""
        allowed: set[int] = set()
        survivors: set[int] | None = None  # None: every class
        for step in target.ingress_steps:
            passed: set[int] | None = set()
            for entry in step.entries:
                action = entry.rule.action
                if action not in ("Allow", "Pass"):
                    continue
                if self.universal(entry.peer) or self.peers[entry.peer].relation:  # relation: found per pair
                    if action == "Allow":
                        return self.classes
                    passed = None
                elif action == "Allow":
                    allowed |= self.peer_classes[entry.peer]
                elif passed is not None:
                    passed |= self.peer_classes[entry.peer]
            if step.end == "Deny" and passed is not None:
                survivors = passed if survivors is None else survivors & passed
        if survivors is None:  # no stage denies, or each passes every pod on
            return self.classes
        return [self.classes[i] for i in sorted(allowed | survivors)]

    def universal(self, peer: int) -> bool:
        """A peer that matches every pod, the stand-in for an unknown namespace's too."""
        return peer == ANY_PEER or self.any_pod[peer]

    def _excluded_pods(self, entry: Entry) -> bool:
        return any(self.peer_pods[p] for p in entry.rule.excluded)

    def from_every_pod(self, target: PodClass) -> Conn:
        """What `target` admits from every pod of every namespace, whatever
        its labels: rules that match every pod allow, rules that match some
        deny or pass (the pod may be one of those)."""
        def matches(entry: Entry) -> bool:
            if entry.rule.action == "Allow":
                return self.universal(entry.peer) and not self._excluded_pods(entry)
            return self._may_hold_pods(entry.peer)
        return self.decide(target.ingress_steps, matches, lambda e: e.conn)

    def _may_hold_pods(self, peer: int) -> bool:
        """A peer that selects pods, some perhaps of namespaces the input does not hold."""
        if peer == ANY_PEER:
            return True
        found = self.peers[peer]
        return (found.pods is not None and found.pods != exprs.NONE) or bool(found.services)

    def from_some_pod(self, target: PodClass) -> Conn:
        """What `target` admits from at least some pod: rules that match some
        pod allow, only rules that match every pod deny or pass."""
        def matches(entry: Entry) -> bool:
            if entry.rule.action == "Allow":
                return self._may_hold_pods(entry.peer)
            return self.universal(entry.peer) and not self._excluded_pods(entry)
        return self.decide(target.ingress_steps, matches, lambda e: e.conn)

    # --- outside the cluster -------------------------------------------------

    def outside(self, pod_class: PodClass, ingress: bool, version: int = 4) -> list[tuple[int, int, Conn]]:
        """What `pod_class` admits from (ingress) or sends to (egress) the
        addresses outside the cluster: the whole space of the family in
        ranges, each with its connection, neighbours with the same one merged."""
        key = (ingress, version)
        found = pod_class._outside.get(key)
        if found is None:
            found = pod_class._outside[key] = self._outside(pod_class, ingress, version)
        return found

    def _outside(self, pod_class: PodClass, ingress: bool, version: int) -> list[tuple[int, int, Conn]]:
        steps = pod_class.ingress_steps if ingress else pod_class.egress_steps
        top = TOP[version]
        if not steps:
            return [(0, top, ALL)]
        edges = {0}
        for step in steps:
            for entry in step.entries:
                for peer in (entry.peer, *entry.rule.excluded):
                    addresses = self.peers[peer].addresses if peer != ANY_PEER else None
                    for low, high in (addresses.family(version) if addresses is not None else ()):
                        edges.add(low)
                        if high < top:
                            edges.add(high + 1)
        starts = sorted(edges)
        conn_of = (lambda e: e.conn) if ingress else (lambda e: self.rule_conn(e.rule, None))
        found: list[tuple[int, int, Conn]] = []
        for i, low in enumerate(starts):
            high = starts[i + 1] - 1 if i + 1 < len(starts) else top
            conn = self.decide(steps, lambda e: self._covers(e, version, low), conn_of)
            if found and found[-1][2] == conn:
                found[-1] = (found[-1][0], high, conn)
            else:
                found.append((low, high, conn))
        return found

    def _covers(self, entry: Entry, version: int, address: int) -> bool:
        """Whether an entry's peer holds the block that starts at `address` (blocks are cut at every edge)."""
        if not self._holds(entry.peer, version, address):
            return False
        return not any(self._holds(p, version, address) for p in entry.rule.excluded)

    def _holds(self, peer: int, version: int, address: int) -> bool:
        if peer == ANY_PEER:
            return True
        addresses = self.peers[peer].addresses
        if addresses is None:
            return False
        ranges = addresses.family(version)
        i = bisect.bisect_right(ranges, (address, TOP[version] + 1)) - 1
        return i >= 0 and ranges[i][0] <= address <= ranges[i][1]

    def from_outside(self, target: PodClass, version: int = 4) -> list[tuple[int, int, Conn]]:
        return self.outside(target, True, version)

    def to_outside(self, source: PodClass, version: int = 4) -> list[tuple[int, int, Conn]]:
        return self.outside(source, False, version)

    def to_place(self, source: PodClass, place: str) -> Conn | None:
        """What `source` may send to a named place outside the cluster, where a
        rule of its egress names it (None: none does). A block of every IPv4
        address holds the place's addresses too."""
        if not any(self._names(e.peer, place) for e in source.egress):
            return None
        return self.decide(source.egress_steps, lambda e: self._names(e.peer, place) or self._covers(e, 4, 0) and
                           self._everywhere(e.peer), lambda e: self.rule_conn(e.rule, None))

    def _names(self, peer: int, place: str) -> bool:
        return peer != ANY_PEER and any(name == place or fnmatchcase(place, name) for name in self.peers[peer].names)

    def _everywhere(self, peer: int) -> bool:
        if peer == ANY_PEER:
            return True
        addresses = self.peers[peer].addresses
        return addresses is not None and addresses.v4 == ((0, TOP[4]),)

    # --- the rest ------------------------------------------------------------

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

    def ranges(self, found: list[tuple[int, int, Conn]]) -> Iterator[tuple[int, int, Conn]]:
        """The ranges with a connection."""
        return (r for r in found if not ports.empty(r[2]))


def _with_sets(peer: Peer, model: Model, namespace_labels, cache: dict) -> Peer:
    """A peer whose selector also picks labelled sets of addresses: their addresses added."""
    found = peer.addresses
    for key in peer.selection.address_sets:
        if key not in cache:
            cache[key] = _set_addresses(key, model, namespace_labels)
        if cache[key] is not None:
            found = cache[key] if found is None else addresses.union(found, cache[key])
    return replace(peer, addresses=found)


def _set_addresses(key: tuple, model: Model, namespace_labels) -> Addresses | None:
    """The addresses of the sets that ("calico" | "cilium", expression) picks; None: no set."""
    kind, expr = key
    found = None
    for item in model.address_sets:
        if (kind == "cilium") != (item.kind == "CiliumCIDRGroup"):
            continue
        if not holds(expr, _set_labels(item, namespace_labels), is_global=not item.namespace):
            continue
        for block in item.blocks:
            made = addresses.ip_block(block.cidr, block.excepts)
            found = made if found is None else addresses.union(found, made)
    return found


def _set_labels(item, namespace_labels):
    """How a set of addresses is seen by a selector: its labels, its namespace's, its name."""
    labels = dict(item.labels)
    space = {**namespace_labels.get(item.namespace, {}), NAME_LABEL: item.namespace} if item.namespace else {}

    def lookup(which: str, key: str) -> str | None:
        if which == "name":
            return item.name
        return labels.get(key) if which == exprs.POD else space.get(key) if which == exprs.NAMESPACE else None
    return lookup


def _namespace_labels(model: Model, used: set[str]) -> dict[str, dict[str, str]]:
    """Every namespace's labels, always with `kubernetes.io/metadata.name`."""
    labels = {ns: {} for ns in used}
    for namespace in model.namespaces:
        labels[namespace.name] = dict(namespace.labels)
    for name, found in labels.items():
        found[NAME_LABEL] = name
    return labels


def _resolve(pod: Pod, name: str, protocol: str) -> Conn:
    """A named port on a pod: its number, for the protocol asked (any, when none is)."""
    port = pod.named_port(name)
    if port is None or (protocol and port.protocol != protocol):
        return NONE
    return ports.conn(port.protocol, port.number)
