"""The one policy model that every policy kind besides NetworkPolicy maps onto.

A `TieredPolicy` sits at one stage of the decision order (`admin`, a Calico
`tier`, `default` beside the NetworkPolicies, `baseline`), at an `order`
within it, selects pods (`subject`), and holds ordered rules per direction.
A rule matches its peers (None: every peer) on its ports (None: every port)
and says `Allow`, `Deny`, `Pass` (on to the next stage) or `Log` (nothing).
`isolates` names the directions in which a pod the policy selects is denied
what no rule of its stage decides.
"""

from __future__ import annotations

from svcdocs.model.objects import IPBlock, Object, PolicyPort
from svcdocs.runtime import record

STAGES = ("admin", "tier", "default", "baseline")
ACTIONS = ("Allow", "Deny", "Pass", "Log")


@record
class Selection:
    """Who a subject or a peer stands for: pods (a selector expression, see
    `selectors`; None: no pod), addresses outside the cluster, and names of
    places outside it (Cilium's toFQDNs). `host_network`: whether pods on the
    host network are among the pods (`include`), left out (`exclude`, as
    every API but NetworkPolicy has it) or the only ones (`only`: Cilium's
    host and remote-node entities). `unseen` names what it selects that the
    manifests cannot show (nodes, the API server)."""

    line: int
    pods: tuple | None = None
    addresses: tuple[IPBlock, ...] = ()
    names: tuple[str, ...] = ()
    host_network: str = "exclude"
    services: tuple[tuple[str, str, tuple | None], ...] = ()  # the pods of Services: (namespace, name, or a selector of their labels)
    address_sets: tuple = ()  # labelled sets of addresses it selects: ("calico", pods expression), ("cilium", name or labels)
    same_labels: tuple[str, ...] = ()  # pods of namespaces with these labels, valued as the subject's namespace
    not_same_labels: tuple[str, ...] = ()  # pods of namespaces with these labels, one valued otherwise
    unseen: str = ""


@record
class TieredRule:
    line: int
    action: str
    peers: tuple[Selection, ...] | None = None  # None: every peer
    excluded: tuple[Selection, ...] = ()  # Calico notSelector / notNets: these never match
    ports: tuple[PolicyPort, ...] | None = None  # None: every port; protocol "" is any protocol
    excluded_ports: tuple[PolicyPort, ...] = ()  # Calico notPorts / notProtocol
    name: str = ""  # the rule's own name (AdminNetworkPolicy, ClusterNetworkPolicy)
    layer7: str = ""  # HTTP, Kafka, DNS...: a rule at layer 7 narrows what this L4 rule admits
    first: bool = False  # decided before every other rule of its stage (Cilium's deny rules)
    local: Selection | None = None  # the pods of the subject it is about (Calico's destination of an ingress rule)


@record
class PolicyPart:
    """Pods a policy selects and its rules for them (a CiliumNetworkPolicy's `specs` are several)."""

    subject: Selection
    ingress: tuple[TieredRule, ...] = ()
    egress: tuple[TieredRule, ...] = ()
    directions: tuple[str, ...] = ()  # Ingress, Egress: where it applies
    isolates: tuple[str, ...] = ()  # where the pods it selects are denied what no rule of its stage decides


@record(kw_only=True)
class TieredPolicy(Object):
    stage: str
    tier: str = ""
    order: float | None = None  # priority or order: lower first; None: after every ordered one
    parts: tuple[PolicyPart, ...] = ()
    notes: tuple[str, ...] = ()  # what of it svcdocs does not apply


@record(kw_only=True)
class PolicyTier(Object):
    """A Calico Tier: its order, and what happens to what its policies select but do not decide."""

    order: float | None = None
    default_action: str = "Deny"


@record(kw_only=True)
class AddressSet(Object):
    """Labelled addresses that policies select by label or name: Calico's
    NetworkSet and GlobalNetworkSet, Cilium's CiliumCIDRGroup."""

    blocks: tuple[IPBlock, ...] = ()
