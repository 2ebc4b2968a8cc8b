"""externalname-invalid: an ExternalName that is an IP address or not a DNS name."""

from __future__ import annotations

import ipaddress
import re

from svcdocs.rules.context import Context, Hit, named

ID = "externalname-invalid"
SEVERITY = "error"
SUMMARY = "An ExternalName Service whose externalName is an IP address, or not a DNS name."
RATIONALE = (
    "An ExternalName Service is a DNS CNAME: cluster DNS answers its name with the externalName. A "
    "CNAME must point at a DNS name, so an IP address does not work (clients get the address as a "
    "host name that nothing resolves) and the API server rejects names that are not valid RFC 1123 "
    "DNS names (lower-case letters, digits, '-' and '.', at most 253 characters)."
)
FIX = ("Set externalName to the DNS name of the external service, or, for an IP address, use a "
       "Service without a selector and an EndpointSlice that lists the address.")
EXAMPLE = """\
kind: Service
metadata: {name: orders-db, namespace: data}
spec:
  type: ExternalName
  externalName: 10.20.0.15
"""
USE_INSTEAD = """\
kind: Service
metadata: {name: orders-db, namespace: data}
spec:
  type: ExternalName
  externalName: orders.cluster-abc.eu-west-1.rds.amazonaws.com
"""
_LABEL = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"
_DNS_NAME = re.compile(rf"{_LABEL}(\.{_LABEL})*")


def check(ctx: Context):
    for service in ctx.model.services:
        if service.type == "ExternalName":
            problem = invalid(service.external_name)
            if problem:
                yield Hit(service, service.external_name_line or service.type_line,
                          f"{named(service)} has {problem}, so cluster DNS cannot alias it to anything.")


def invalid(name: str | None) -> str | None:
    """What is wrong with an externalName, or None when it is a DNS name."""
    if not name:
        return "no externalName"
    try:
        ipaddress.ip_address(name.strip("[]"))
        return f"externalName {name}, an IP address where a DNS name is needed"
    except ValueError:
        pass
    if len(name) > 253 or not _DNS_NAME.fullmatch(name):
        return f"externalName {name!r}, which is not a valid DNS name"
    return None
