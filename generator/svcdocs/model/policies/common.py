"""What the policy families read alike: CIDRs, ports, label selectors."""

from __future__ import annotations

import ipaddress

import yaml

from svcdocs.model.objects import IPBlock, PolicyPort
from svcdocs.model.policies import selectors
from svcdocs.model.policies.selectors import ALL, NAMESPACE, POD, Expr
from svcdocs.model.policies.types import Selection
from svcdocs.model.reader import Reader, label_selector

PROTOCOLS = ("TCP", "UDP", "SCTP")
EVERYWHERE = (IPBlock("0.0.0.0/0"), IPBlock("::/0"))


def cidr(r: Reader, node: yaml.Node | None, what: str) -> str | None:
    text = r.string(node, what)
    try:
        return str(ipaddress.ip_network((text or "").strip(), strict=False))
    except ValueError:
        r.warn(node, f"{what} {text!r} is not a CIDR; ignored")
        return None


def covers_everything(blocks: tuple[IPBlock, ...]) -> bool:
    """A block of every address of a family: it holds every pod's address too."""
    return any(b.cidr.endswith("/0") and not b.excepts for b in blocks)


def networks(line: int, blocks: tuple[IPBlock, ...]) -> Selection:
    """Addresses; a block of every address of a family holds every pod too
    (their addresses are in it, whatever they are), host network or not."""
    if covers_everything(blocks):
        return Selection(line, pods=ALL, addresses=blocks, host_network="include")
    return Selection(line, addresses=blocks)


def selector(r: Reader, node: yaml.Node | None, what: str, space: str = POD) -> Expr:
    return selectors.from_label_selector(label_selector(r, node, what), space)


def namespaced_pods(r: Reader, node: yaml.Node | None, what: str) -> Expr:
    """`{namespaceSelector, podSelector}`: pods of the selected namespaces."""
    f = r.mapping(node, what)
    return selectors.conj(selector(r, f.get("namespaceSelector"), f"{what}.namespaceSelector", NAMESPACE),
                          selector(r, f.get("podSelector"), f"{what}.podSelector"))


def port_range(r: Reader, line: int, protocol: str, start: yaml.Node | None, end: yaml.Node | None,
               what: str) -> PolicyPort:
    """A range of ports; one that cannot be read matches nothing (the name "")."""
    low = r.integer(start, f"{what}.start")
    high = r.integer(end, f"{what}.end")
    if low is None or high is None or high < low:
        r.warn(start if start is not None else end, f"{what} is not a range of ports; it matches nothing")
        return PolicyPort(line, protocol, "")
    return PolicyPort(line, protocol, low, high)


def protocol_of(r: Reader, node: yaml.Node | None, what: str, default: str = "TCP") -> str | None:
    text = (r.string(node, what) or default).upper()
    if text == "ANY":
        return ""
    if text not in PROTOCOLS:
        r.warn(node, f"{what} {text!r} is not TCP, UDP or SCTP; the rule matches no such connection")
        return None
    return text
