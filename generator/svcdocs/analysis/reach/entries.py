"""Which ways in the NetworkPolicies really admit: each entry point is open,
restricted, or blocked.

The traffic of a way in comes from somewhere:

- a LoadBalancer, externalIPs, a NodePort or a hostPort: addresses outside
  the cluster (within loadBalancerSourceRanges when set). This assumes the
  client's address reaches the pod; with `externalTrafficPolicy: Cluster`
  (the default) kube-proxy may rewrite it to a node's address, which ipBlock
  rules then see instead. A pod on the host network is not governed by
  NetworkPolicies at all: its hostPorts are open;
- an Ingress, a Gateway route or another router: the controller's pods when
  the input holds them, otherwise an unknown pod in another namespace, as
  netpol-analyzer assumes. Such a pod is admitted only by rules that admit
  any pod of another namespace; a rule that names the controller's namespace
  by label admits it where it runs, so the way in is *restricted* to that.

It reaches each workload behind the Service on the container port its
targetPort leads to. A way in is `open` when every workload admits all of its
traffic, `blocked` when none admits any, and `restricted` otherwise (some
sources, or some workloads): with which.
"""

from __future__ import annotations

from dataclasses import dataclass

from svcdocs.analysis.entrypoints import EntryPoint
from svcdocs.analysis.reach import addresses, intervals, ports
from svcdocs.analysis.reach.addresses import EVERYWHERE, FAMILIES, NOWHERE, Addresses
from svcdocs.analysis.reach.controllers import Controllers
from svcdocs.analysis.reach.deciders import Peer
from svcdocs.analysis.reach.engine import ANY_PEER, NAME_LABEL, Engine, PodClass
from svcdocs.graph import Graph
from svcdocs.model import LabelSelector, Service, Workload
from svcdocs.model.policies import selectors as exprs

STATES = ("open", "restricted", "blocked")
OUTSIDE_KINDS = ("loadbalancer", "external-ip", "nodeport", "host-port")
OUTSIDE = "addresses outside the cluster"
UNKNOWN_CONTROLLER = "an ingress controller not in these manifests (assumed in another namespace)"
HOST_NETWORK = "the pod uses the host network, which NetworkPolicies do not govern"


@dataclass(frozen=True, slots=True)
class EntryPolicy:
    state: str  # open | restricted | blocked
    sources: tuple[str, ...] = ()  # restricted: what is admitted (CIDRs, controller workloads, rule peers in words)
    workloads: tuple[tuple[str, str], ...] = ()  # (workload id, its state) for each workload behind the way in
    policies: tuple[str, ...] = ()  # the NetworkPolicies that decide: those selecting its workloads for ingress
    carrier: str = ""  # where the traffic comes from

    def state_of(self, workload_id: str) -> str:
        return next((state for w, state in self.workloads if w == workload_id), self.state)


def entry_policies(engine: Engine, graph: Graph, entries: tuple[EntryPoint, ...]) -> dict[EntryPoint, EntryPolicy]:
    controllers = Controllers(graph, engine.pods)
    return {entry: entry_policy(engine, graph, controllers, entry) for entry in entries}


def entry_policy(engine: Engine, graph: Graph, controllers: Controllers, entry: EntryPoint) -> EntryPolicy:
    outside = entry.kind in OUTSIDE_KINDS
    carriers = [] if outside else controllers.of(entry.via, entry.gateways)
    carrier = OUTSIDE if outside else (
        ", ".join(sorted(p.workload for p in carriers)) if carriers else UNKNOWN_CONTROLLER)
    results: list[tuple[str, str, tuple[str, ...]]] = []  # (workload, state, sources)
    deciding: set[str] = set()
    for workload_id in entry.workloads:
        pod = engine.pod_of.get(workload_id)
        workload = graph.nodes.get(workload_id)
        if pod is None or not isinstance(workload, Workload):
            continue
        target = engine.pod_class(pod)
        deciding.update(engine.policies[i].id for i in target.ingress_policies)
        wanted = targets_of(graph, entry, workload)
        if not wanted:
            continue  # the port leads nowhere (an unresolved named targetPort): not the policies' doing
        if entry.kind == "host-port" and workload.host_network:
            results.append((workload_id, "open", (HOST_NETWORK,)))
        elif outside:
            results.append((workload_id, *_from_outside(engine, target, wanted, _space(graph, entry))))
        elif carriers:
            results.append((workload_id, *_from_controllers(engine, target, wanted, carriers)))
        else:
            results.append((workload_id, *_from_unknown_controller(engine, target, wanted)))
    states = {state for _, state, _ in results}
    state = "open" if states <= {"open"} else "blocked" if states == {"blocked"} else "restricted"
    sources = tuple(dict.fromkeys(s for _, st, found in results if st == "restricted" for s in found))
    return EntryPolicy(state, sources if state == "restricted" else (),
                       tuple((w, st) for w, st, _ in results), tuple(sorted(deciding)), carrier)


def targets_of(graph: Graph, entry: EntryPoint, workload: Workload) -> list[tuple[str, int]]:
    """(protocol, container port) where the way in reaches the workload."""
    if entry.kind == "host-port":
        return [(p.protocol, p.number) for c in workload.containers for p in c.ports
                if p.host_port == entry.port or (workload.host_network and p.number == entry.port)][:1]
    service = graph.nodes.get(entry.service or "")
    if not isinstance(service, Service):
        return []
    edge = next((e for e in graph.edges_from(service.id, "selects") if e.target == workload.id), None)
    if edge is None:
        return []
    found = []
    for port, mapping in zip(service.ports, edge.ports):
        if entry.port is None or entry.port in (port.port, port.name):
            if mapping.container_port is not None:
                found.append((port.protocol, mapping.container_port))
    return found


def _space(graph: Graph, entry: EntryPoint) -> Addresses:
    """The sources of a way in from outside: loadBalancerSourceRanges when set."""
    service = graph.nodes.get(entry.service or "")
    if entry.kind != "loadbalancer" or not isinstance(service, Service) or not service.source_ranges:
        return EVERYWHERE
    found = NOWHERE
    for cidr in service.source_ranges:
        try:
            found = addresses.union(found, addresses.ip_block(cidr.strip()))
        except ValueError:
            continue
    return EVERYWHERE if found.empty else found


def admitted_addresses(engine: Engine, target: PodClass, protocol: str, port: int) -> Addresses:
    """The addresses outside the cluster that `target` admits on a port."""
    found = []
    for version in FAMILIES:
        found.append(intervals.normal((low, high) for low, high, conn in engine.from_outside(target, version)
                                      if ports.allows(conn, protocol, port)))
    return Addresses(*found)


def _from_outside(engine, target, wanted, space: Addresses) -> tuple[str, tuple[str, ...]]:
    admitted = NOWHERE
    for protocol, port in wanted:
        admitted = addresses.union(admitted, addresses.intersection(
            admitted_addresses(engine, target, protocol, port), space))
    if admitted.empty:
        return "blocked", ()
    if (space.v4 and admitted.v4 == space.v4) or (not space.v4 and admitted.v6 == space.v6):
        return "open", ()
    return "restricted", tuple(addresses.cidrs(admitted))


def _from_controllers(engine, target, wanted, carriers) -> tuple[str, tuple[str, ...]]:
    admitted = [p.workload for p in carriers
                if _allows_any(engine.conn(engine.pod_class(p), target), wanted)]
    if not admitted:
        return "blocked", ()
    return ("open", ()) if len(admitted) == len(carriers) else ("restricted", tuple(sorted(admitted)))


def _from_unknown_controller(engine, target, wanted) -> tuple[str, tuple[str, ...]]:
    if _allows_any(engine.conn(engine.pod_class(engine.stand_in), target), wanted):
        return "open", ()
    found = [describe_peer(engine, e.peer) for e in target.ingress
             if e.rule.action == "Allow" and _allows_any(e.conn, wanted) and _reaches_other_namespaces(engine, e.peer)]
    return ("restricted", tuple(dict.fromkeys(found))) if found else ("blocked", ())


def _allows_any(conn, wanted) -> bool:
    return any(ports.allows(conn, protocol, port) for protocol, port in wanted)


def _reaches_other_namespaces(engine: Engine, peer: int) -> bool:
    """A peer that may admit pods outside its policy's namespace."""
    if peer == ANY_PEER:
        return False
    found = engine.peers[peer]
    if found.item is not None:
        return found.item.namespace_selector is not None
    return found.pods is not None and not _one_namespace(found.pods)


def _one_namespace(expr) -> bool:
    """An expression that names one namespace, by name, in an `and`."""
    parts = expr[1:] if expr[0] == "and" else (expr,)
    return any(p[0] == "eq" and p[1] == exprs.NAMESPACE and p[2] == NAME_LABEL for p in parts)


def describe_peer(engine: Engine, peer: int) -> str:
    """A rule's peer in words: `pods app=web in namespaces team=a`, `10.0.0.0/8`."""
    if peer == ANY_PEER:
        return "every pod and address"
    found: Peer = engine.peers[peer]
    if found.item is None:
        return describe_selection(found)
    item = found.item
    if item.ip_block is not None:
        return ", ".join(addresses.cidrs(found.addresses)) or "no address"
    if not found.readable:
        return "nothing (an unreadable peer)"
    pods = "pods" if item.pod_selector is None or item.pod_selector.selects_all \
        else f"pods {selector_text(item.pod_selector)}"
    if item.namespace_selector is None:
        return f"{pods} of namespace {engine.policies[found.policy].namespace}"
    if item.namespace_selector.selects_all:
        return f"{pods} of every namespace"
    named = named_namespaces(item.namespace_selector)
    if named:
        return f"{pods} of namespace{'s' * (len(named) > 1)} {', '.join(named)}"
    return f"{pods} of namespaces {selector_text(item.namespace_selector)}"


def describe_selection(peer: Peer) -> str:
    """A peer of any other policy kind in words."""
    parts = []
    if peer.pods is not None:
        what = "every pod" if peer.pods == exprs.ALL else f"pods {exprs.describe(peer.pods)}"
        if peer.host_network == "only":
            what = "pods on the host network"
        parts.append(what)
    if peer.addresses is not None:
        parts.append(", ".join(addresses.cidrs(peer.addresses)) or "no address")
    parts += [f"{name} (outside the cluster)" for name in peer.names]
    parts += [f"the pods of Service {ns}/{name}" if name else f"the pods of Services {exprs.describe(labels)}"
              + (f" in namespace {ns}" if ns else "") for ns, name, labels in peer.services]
    if peer.selection is not None and peer.selection.unseen:
        parts.append(f"{peer.selection.unseen} (not in the manifests)")
    return "; ".join(parts) or "nothing"


def named_namespaces(selector: LabelSelector) -> tuple[str, ...]:
    """The namespaces a selector names by `kubernetes.io/metadata.name` alone."""
    if len(selector.match_labels) + len(selector.match_expressions) != 1:
        return ()
    if selector.match_labels and selector.match_labels[0][0] == NAME_LABEL:
        return (selector.match_labels[0][1],)
    requirement = selector.match_expressions[0] if selector.match_expressions else None
    if requirement is not None and requirement.key == NAME_LABEL and requirement.operator == "In":
        return requirement.values
    return ()


def selector_text(selector: LabelSelector) -> str:
    """`app=web, tier in (a, b)`."""
    parts = [f"{k}={v}" for k, v in selector.match_labels]
    for r in selector.match_expressions:
        operator = {"In": "in", "NotIn": "not in", "Exists": "exists", "DoesNotExist": "does not exist"}[r.operator]
        values = f" ({', '.join(r.values)})" if r.values else ""
        parts.append(f"{r.key} {operator}{values}")
    return ", ".join(parts)
