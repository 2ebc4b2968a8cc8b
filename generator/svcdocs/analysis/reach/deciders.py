"""Every policy of every kind, compiled into one decision order.

The stages, in order: the admin tier (AdminNetworkPolicy, ClusterNetworkPolicy
Admin, Calico's admin tier) by priority; Calico's tiers by order, the default
tier among them at 1,000,000 holding the Kubernetes NetworkPolicies (order
1000), Cilium's policies (deny rules first) and Calico's untiered policies;
then the baseline tier (BaselineAdminNetworkPolicy, ClusterNetworkPolicy
Baseline). A stage where a policy isolates the pod ends in its end action
(Deny, or Pass for a Calico tier that says so); the others pass on what they
do not decide. What no stage decides is allowed.

A `Decider` is one part of one policy: the pods it selects (a `Selection`),
where it applies and isolates, and its rules. Kubernetes NetworkPolicies are
compiled here too, so the engine reads one model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from svcdocs.analysis.reach import ports
from svcdocs.analysis.reach.addresses import Addresses, ip_block, union
from svcdocs.analysis.reach.ports import ALL, NONE, Conn
from svcdocs.model import Model, NetworkPolicy, PolicyPeer, PolicyPort, PolicyRule
from svcdocs.model.policies import Selection, TieredPolicy, TieredRule
from svcdocs.model.policies import selectors as exprs
from svcdocs.model.policies.calico import KUBERNETES_ORDER

DEFAULT_TIER = "default"
DEFAULT_TIER_ORDER = 1_000_000.0
LAST = float("inf")


@dataclass(frozen=True, slots=True)
class Stage:
    name: str  # admin | the Calico tier's name | default | baseline
    end: str  # Deny or Pass: what happens to what it leaves undecided, where a policy of it isolates the pod


@dataclass(frozen=True, slots=True)
class Peer:
    """A compiled selection: pods by an expression, addresses, names of places."""

    policy: int  # the decider
    selection: Selection | None  # None for an item of a NetworkPolicy, described by `item`
    pods: tuple | None = None
    host_network: str = "include"
    addresses: Addresses | None = None
    names: tuple[str, ...] = ()
    services: tuple = ()
    item: PolicyPeer | None = None  # a NetworkPolicy's `from`/`to` item
    same_labels: tuple[str, ...] = ()  # namespaces valued as the subject's namespace for these labels
    not_same_labels: tuple[str, ...] = ()

    @property
    def relation(self) -> tuple[str, ...]:
        """The namespace labels it compares with the subject's; () for none."""
        return tuple(sorted(set(self.same_labels) | set(self.not_same_labels)))

    @property
    def readable(self) -> bool:
        return self.pods is not None or self.addresses is not None or bool(self.names) or bool(self.services)


@dataclass(frozen=True, slots=True, eq=False)
class Rule:
    policy: int
    ingress: bool
    index: int  # 0-based within its direction
    line: int
    action: str  # Allow | Deny | Pass | Log
    peers: tuple[int, ...] | None  # into Decisions.peers; None: every peer
    excluded: tuple[int, ...] = ()
    static: Conn = ALL  # the numbered ports (ALL: no ports listed)
    named: tuple[tuple[str, str], ...] = ()  # (port name, protocol or "" for any), resolved per destination
    excluded_static: Conn = NONE
    excluded_named: tuple[tuple[str, str], ...] = ()
    local: int | None = None  # a peer that the policy's own pod must match
    name: str = ""
    layer7: str = ""
    first: bool = False


@dataclass(eq=False)
class Decider:
    source: NetworkPolicy | TieredPolicy
    part: int
    stage: int
    rank: tuple  # order within the stage
    subject: Peer
    applies: tuple[bool, bool]  # (ingress, egress)
    isolates: tuple[bool, bool]
    rules: tuple[list[Rule], list[Rule]] = field(default_factory=lambda: ([], []))

    @property
    def id(self) -> str:
        return self.source.id


class Decisions:
    """The stages, deciders, rules and peers of a model's policies, deciders
    in the decision order."""

    def __init__(self, model: Model):
        self.stages: list[Stage] = []
        self.deciders: list[Decider] = []
        self.peers: list[Peer] = []
        self.rules: list[Rule] = []
        self.named: dict[tuple[str, str], None] = {}
        stage_of = self._stages(model)
        pending = [(stage_of[DEFAULT_TIER], (KUBERNETES_ORDER, 1, p.id, 0), p, 0) for p in model.network_policies]
        for policy in model.policies:
            stage = self._stage(policy, stage_of)
            order = policy.order if policy.order is not None else LAST
            pending += [(stage, (order, 2 if policy.stage == "default" else 0, policy.id, k), policy, k)
                        for k in range(len(policy.parts))]
        pending.sort(key=lambda item: (item[0], item[1]))
        for stage, rank, policy, k in pending:
            if isinstance(policy, NetworkPolicy):
                self._network_policy(policy, stage, rank)
            else:
                self._tiered(policy, k, stage, rank)

    # --- stages ----------------------------------------------------------------

    def _stages(self, model: Model) -> dict[str, int]:
        tiers = {t.name: t for t in model.policy_tiers}
        used = ({p.tier for p in model.policies if p.stage == "tier"} | set(tiers)) - set(TIER_STAGES)
        ordered = sorted([*used, DEFAULT_TIER], key=lambda name: (
            DEFAULT_TIER_ORDER if name == DEFAULT_TIER else _tier_order(tiers.get(name)), name))
        self.stages = [Stage("admin", "Pass")]
        for name in ordered:
            declared = tiers.get(name)
            self.stages.append(Stage(name, declared.default_action if declared is not None else "Deny"))
        self.stages.append(Stage("baseline", "Pass"))
        return {s.name: i for i, s in enumerate(self.stages)}

    @staticmethod
    def _stage(policy: TieredPolicy, stage_of: dict[str, int]) -> int:
        if policy.stage == "tier":
            return stage_of.get(policy.tier, stage_of[DEFAULT_TIER])
        return stage_of[policy.stage if policy.stage in ("admin", "baseline") else DEFAULT_TIER]

    # --- NetworkPolicy ---------------------------------------------------------------

    def _network_policy(self, policy: NetworkPolicy, stage: int, rank: tuple) -> None:
        index = len(self.deciders)
        subject = exprs.conj(exprs.in_namespace(policy.namespace), exprs.from_label_selector(policy.pod_selector))
        decider = Decider(policy, 0, stage, rank, Peer(index, None, pods=subject),
                          (policy.affects_ingress, policy.affects_egress),
                          (policy.affects_ingress, policy.affects_egress))
        self.deciders.append(decider)
        for ingress, rules in ((True, policy.ingress), (False, policy.egress)):
            if decider.applies[0 if ingress else 1]:
                decider.rules[0 if ingress else 1].extend(
                    self._k8s_rule(index, policy, ingress, j, rule) for j, rule in enumerate(rules))

    def _k8s_rule(self, index: int, policy: NetworkPolicy, ingress: bool, j: int, rule: PolicyRule) -> Rule:
        peers = None
        if rule.peers is not None:
            peers = tuple(self._keep(self._k8s_peer(index, policy, item)) for item in rule.peers)
        static, named = self._ports(rule.ports)
        return self._add(Rule(index, ingress, j, rule.line, "Allow", peers, static=static, named=named))

    @staticmethod
    def _k8s_peer(index: int, policy: NetworkPolicy, item: PolicyPeer) -> Peer:
        if item.ip_block is not None:
            return Peer(index, None, addresses=ip_block(item.ip_block.cidr, item.ip_block.excepts), item=item)
        if item.pod_selector is None and item.namespace_selector is None:
            return Peer(index, None, item=item)  # unreadable: matches nothing
        scope = exprs.in_namespace(policy.namespace) if item.namespace_selector is None else \
            exprs.from_label_selector(item.namespace_selector, exprs.NAMESPACE)
        return Peer(index, None, pods=exprs.conj(scope, exprs.from_label_selector(item.pod_selector)), item=item)

    # --- every other kind ------------------------------------------------------------

    def _tiered(self, policy: TieredPolicy, k: int, stage: int, rank: tuple) -> None:
        part = policy.parts[k]
        index = len(self.deciders)
        decider = Decider(policy, k, stage, rank, _selection(index, part.subject),
                          ("Ingress" in part.directions, "Egress" in part.directions),
                          ("Ingress" in part.isolates, "Egress" in part.isolates))
        self.deciders.append(decider)
        for ingress, rules in ((True, part.ingress), (False, part.egress)):
            if decider.applies[0 if ingress else 1]:
                decider.rules[0 if ingress else 1].extend(
                    self._tiered_rule(index, ingress, j, rule) for j, rule in enumerate(rules))

    def _tiered_rule(self, index: int, ingress: bool, j: int, rule: TieredRule) -> Rule:
        peers = None if rule.peers is None else tuple(self._keep(_selection(index, s)) for s in rule.peers)
        excluded = tuple(self._keep(_selection(index, s)) for s in rule.excluded)
        static, named = self._ports(rule.ports)
        excluded_static, excluded_named = self._ports(rule.excluded_ports) if rule.excluded_ports else (NONE, ())
        local = self._keep(_selection(index, rule.local)) if rule.local is not None else None
        return self._add(Rule(index, ingress, j, rule.line, rule.action, peers, excluded, static, named,
                              excluded_static, excluded_named, local, rule.name, rule.layer7, rule.first))

    def _keep(self, peer: Peer) -> int:
        self.peers.append(peer)
        return len(self.peers) - 1

    def _ports(self, items: tuple[PolicyPort, ...] | None) -> tuple[Conn, tuple[tuple[str, str], ...]]:
        if items is None:
            return ALL, ()
        static, names = NONE, []
        for port in items:
            protocols = (port.protocol,) if port.protocol else ports.PROTOCOLS
            if port.port is None:
                for protocol in protocols:
                    static = ports.union(static, ports.every_port(protocol))
            elif isinstance(port.port, int):
                for protocol in protocols:
                    static = ports.union(static, ports.conn(protocol, port.port, port.end_port))
            elif port.port:
                names.append((port.port, port.protocol))
                self.named[(port.port, port.protocol)] = None
        return static, tuple(names)

    def _add(self, rule: Rule) -> Rule:
        self.rules.append(rule)
        return rule


TIER_STAGES = ("default", "adminnetworkpolicy", "kube-admin", "baselineadminnetworkpolicy", "kube-baseline")


def _selection(index: int, selection: Selection) -> Peer:
    found = None
    for block in selection.addresses:
        try:
            made = ip_block(block.cidr, block.excepts)
        except ValueError:
            continue
        found = made if found is None else union(found, made)
    return Peer(index, selection, selection.pods, selection.host_network, found, selection.names,
                selection.services, None, selection.same_labels, selection.not_same_labels)


def _tier_order(tier) -> float:
    return tier.order if tier is not None and tier.order is not None else LAST
