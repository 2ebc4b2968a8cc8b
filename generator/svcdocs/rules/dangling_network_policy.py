"""dangling-network-policy: a network policy selector that matches nothing in the input."""

from __future__ import annotations

from svcdocs.graph.labels import matches
from svcdocs.model import LabelSelector, NetworkPolicy, PolicyPeer
from svcdocs.model.policies import selectors as exprs
from svcdocs.rules.context import Context, Hit, listed, named

ID = "dangling-network-policy"
SEVERITY = "warning"
SUMMARY = ("A NetworkPolicy whose podSelector, or a peer's podSelector or namespaceSelector, matches nothing "
           "in the input.")
RATIONALE = (
    "A NetworkPolicy protects the pods its podSelector matches and lets in (or out) the peers its rules "
    "select. A podSelector that matches no pod protects nothing, and a peer that matches no pod or no "
    "namespace allows nothing, so the traffic the policy was written for is still open, or still "
    "blocked. It usually means labels were renamed on the workloads, or a namespace is selected by a "
    "label it does not carry. A peer is judged only where the input can tell: a namespaceSelector on "
    "labels that the Namespace objects in the input carry (a namespace selected by its name may live "
    "elsewhere), a podSelector in namespaces whose workloads the input holds. The pods that an "
    "AdminNetworkPolicy, ClusterNetworkPolicy, Cilium or Calico policy applies to are judged the same way: "
    "by their pod labels, in namespaces of the input that hold workloads."
)
FIX = "Make the selector match the labels of the pod templates (or of the Namespace objects) it is meant for, or remove the policy or the rule."
EXAMPLE = """\
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api-v1}}   # no pod carries app=api-v1
"""
USE_INSTEAD = """\
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
"""
NAME_LABEL = "kubernetes.io/metadata.name"


def check(ctx: Context):
    peers = _Peers(ctx)
    for policy in ctx.model.network_policies:
        selector = policy.pod_selector
        if not selector.selects_all and not ctx.graph.edges_from(policy.id, "isolates"):
            yield Hit(policy, policy.pod_selector_line,
                      f"{named(policy)} selects pods by {describe(selector)}, which no workload in namespace "
                      f"{policy.namespace} makes, so it isolates nothing.")
        for direction, peer in policy.peers():
            yield from peers.check(policy, direction, peer)
    yield from _other_kinds(ctx)


def _other_kinds(ctx: Context):
    """Policies of the other kinds whose pods (by pod labels, in namespaces of
    the input that hold workloads) are none."""
    engine = ctx.analysis.reach.engine
    for decider in engine.deciders:
        policy = decider.source
        if isinstance(policy, NetworkPolicy) or decider.subject.pods in (None, exprs.NONE):
            continue
        scope, labels = _split(decider.subject.pods)
        if labels is None or labels == exprs.ALL:
            continue  # not a plain `and`, or no pod label: which pods it means depends on what the input lacks
        if not engine.sets.of(scope) & engine.workload_bits or engine.pods_of_peer(decider.subject) & engine.workload_bits:
            continue
        yield Hit(policy, decider.subject.selection.line if decider.subject.selection else policy.line,
                  f"{named(policy)} applies to pods by {exprs.describe(labels)}, which no workload in "
                  f"{exprs.describe(scope) if scope != exprs.ALL else 'the input'} makes, so it applies to nothing.")


def _split(expr):
    """(namespace part, the rest) of an `and` of single-space terms; (None, None) otherwise."""
    parts = expr[1:] if expr[0] == "and" else (expr,)
    scope, labels = [], []
    for part in parts:
        spaces = _spaces(part)
        if spaces is None or len(spaces) > 1:
            return None, None
        (scope if spaces == {exprs.NAMESPACE} else labels).append(part)
    return exprs.conj(*scope), exprs.conj(*labels)


def _spaces(expr):
    if expr[0] in ("all", "none", "global"):
        return set()
    if expr[0] in ("and", "or", "not"):
        found = set()
        for part in expr[1:]:
            inner = _spaces(part)
            if inner is None:
                return None
            found |= inner
        return found
    return {expr[1]}


class _Peers:
    """Peers are judged only where the input can tell: a namespaceSelector on
    labels that the input's Namespace objects carry (a namespace selected by
    name, or by a label no Namespace here carries, may well exist elsewhere),
    and a podSelector in namespaces whose workloads the input holds. Each
    distinct selector is matched once: policies repeat them."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.namespaces = _namespaces(ctx)
        self.declared_keys = {k for ns in ctx.model.namespaces for k, _ in ns.labels}
        self.populated = {w.namespace for w in ctx.model.workloads}
        self.scopes: dict[LabelSelector, tuple[str, ...]] = {}
        self.pods: dict[tuple, bool] = {}

    def check(self, policy: NetworkPolicy, direction: str, peer: PolicyPeer):
        where = "allows traffic from" if direction == "ingress" else "allows traffic to"
        if peer.namespace_selector is None:
            scope: tuple[str, ...] = (policy.namespace,)
        else:
            scope = self.scope(peer.namespace_selector)
            if not scope:
                if self.judged(peer.namespace_selector):
                    yield Hit(policy, peer.namespace_selector_line or peer.line,
                              f"{named(policy)} {where} namespaces by {describe(peer.namespace_selector)}, which "
                              f"no Namespace in the input carries, so that rule matches nothing.")
                return
        selector = peer.pod_selector
        if selector is None or selector.selects_all or not all(ns in self.populated for ns in scope):
            return
        if self.any_pods(selector, peer.namespace_selector, scope):
            return
        places = f"namespace {scope[0]}" if len(scope) == 1 else f"namespaces {listed(scope)}"
        yield Hit(policy, peer.pod_selector_line or peer.line,
                  f"{named(policy)} {where} pods by {describe(selector)}, which no workload in {places} makes, "
                  f"so that rule matches nothing.")

    def judged(self, selector: LabelSelector) -> bool:
        """Whether the input's Namespace objects carry every label the selector asks about."""
        keys = {k for k, _ in selector.match_labels} | {r.key for r in selector.match_expressions}
        return bool(keys) and keys <= self.declared_keys

    def scope(self, selector: LabelSelector) -> tuple[str, ...]:
        if selector not in self.scopes:
            self.scopes[selector] = tuple(ns for ns, labels in self.namespaces.items() if matches(labels, selector))
        return self.scopes[selector]

    def any_pods(self, selector: LabelSelector, namespaces: LabelSelector | None, scope: tuple[str, ...]) -> bool:
        key = (selector, namespaces if namespaces is not None else scope)
        if key not in self.pods:
            index = self.ctx.graph.pods
            self.pods[key] = index is None or any(index.selecting(ns, selector) for ns in scope)
        return self.pods[key]


def _namespaces(ctx: Context) -> dict[str, dict[str, str]]:
    """Every namespace the input declares or puts objects in, with its labels."""
    found: dict[str, dict[str, str]] = {}
    for obj in ctx.model.objects():
        if obj.namespace:
            found.setdefault(obj.namespace, {NAME_LABEL: obj.namespace})
    for namespace in ctx.model.namespaces:
        found[namespace.name] = {**dict(namespace.labels), NAME_LABEL: namespace.name}
    return dict(sorted(found.items()))


def describe(selector: LabelSelector) -> str:
    """`app=web, tier In (a, b)`: a selector as a person would say it."""
    parts = [f"{k}={v}" for k, v in selector.match_labels]
    for r in selector.match_expressions:
        parts.append(f"{r.key} {r.operator}" + (f" ({', '.join(r.values)})" if r.values else ""))
    return ", ".join(parts)
