"""ingress-without-tls: an Ingress host that no spec.tls entry covers."""

from __future__ import annotations

from svcdocs.model import Ingress
from svcdocs.rules.context import Context, Hit, named

ID = "ingress-without-tls"
SEVERITY = "warning"
SUMMARY = "An Ingress host that no spec.tls entry covers."
RATIONALE = (
    "An Ingress serves the hosts of its rules over HTTPS only when a spec.tls entry lists the host "
    "(or a wildcard that covers it) with a certificate Secret. A host without one is served over "
    "plain HTTP: passwords, session cookies and personal data cross the network readable by anyone "
    "on the path, and browsers mark the site as not secure."
)
FIX = "List the host under spec.tls[].hosts with a secretName (cert-manager can issue the certificate), or move it to an Ingress that does."
EXAMPLE = """\
spec:
  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
  rules:
    - host: admin.shop.example.com    # not covered by spec.tls
"""
USE_INSTEAD = """\
spec:
  tls: [{hosts: [shop.example.com, admin.shop.example.com], secretName: shop-tls}]
  rules:
    - host: admin.shop.example.com
"""


def check(ctx: Context):
    for ingress in ctx.model.ingresses:
        reported = set()
        for rule in ingress.rules:
            if rule.host and rule.host not in reported and not covered(ingress, rule.host):
                reported.add(rule.host)
                yield Hit(ingress, rule.host_line or rule.line,
                          f"{named(ingress)} serves {rule.host} over plain HTTP, since no spec.tls entry "
                          f"covers that host.")


def covered(ingress: Ingress, host: str) -> bool:
    """A TLS entry without hosts covers every host (the controller's default
    certificate); `*.example.com` covers one label under example.com."""
    host = host.lower()
    for tls in ingress.tls:
        if not tls.hosts:
            return True
        for name in (h.lower() for h in tls.hosts):
            if name == host or (name.startswith("*.") and host.partition(".")[2] == name[2:] and "." in host):
                return True
    return False
