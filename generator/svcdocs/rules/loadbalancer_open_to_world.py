"""loadbalancer-open-to-world: an internet LoadBalancer that accepts any source address."""

from __future__ import annotations

from svcdocs.analysis import is_internal_lb
from svcdocs.rules.context import Context, Hit, named

ID = "loadbalancer-open-to-world"
SEVERITY = "info"
SECURITY_SEVERITY = "4.3"  # code scanning: a load balancer open to every address
SUMMARY = "An internet-facing LoadBalancer Service without loadBalancerSourceRanges."
RATIONALE = (
    "A LoadBalancer Service without source ranges accepts connections from every address on the "
    "internet. That is right for a public website, but for an admin tool, a database, a webhook "
    "receiver or a partner API it leaves the door open to scanners and brute force. Cloud providers "
    "turn spec.loadBalancerSourceRanges into firewall rules on the load balancer itself."
)
FIX = ("Set spec.loadBalancerSourceRanges to the address ranges that should connect, or, if the "
       "Service is public on purpose, silence the rule with the annotation "
       "`svcdocs.io/ignore: loadbalancer-open-to-world`.")
EXAMPLE = """\
kind: Service
metadata: {name: reports, namespace: ops}
spec:
  type: LoadBalancer
"""
USE_INSTEAD = """\
kind: Service
metadata: {name: reports, namespace: ops}
spec:
  type: LoadBalancer
  loadBalancerSourceRanges: [203.0.113.0/24]   # the office network
"""
SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges"


def check(ctx: Context):
    for service in ctx.model.services:
        if (service.type == "LoadBalancer" and not is_internal_lb(service) and not service.source_ranges
                and not service.annotation(SOURCE_RANGES_ANNOTATION)):
            yield Hit(service, service.type_line,
                      f"{named(service)} is an internet LoadBalancer without loadBalancerSourceRanges, "
                      f"so every address on the internet can connect to it.")
