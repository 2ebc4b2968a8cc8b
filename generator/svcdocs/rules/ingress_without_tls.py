"""ingress-without-tls: a host reachable from the internet over plain HTTP."""

from __future__ import annotations

from svcdocs.model import Ingress, Router
from svcdocs.rules.context import Context, Hit, named

ID = "ingress-without-tls"
SEVERITY = "warning"
SECURITY_SEVERITY = "5.9"  # code scanning: plain HTTP from the internet: traffic readable and changeable on the way
SUMMARY = ("An Ingress host that no spec.tls entry covers, or any other router's internet host served over plain "
           "HTTP.")
RATIONALE = (
    "An Ingress serves the hosts of its rules over HTTPS only when a spec.tls entry lists the host "
    "(or a wildcard that covers it) with a certificate Secret; other routers have their own switch (a Gateway "
    "listener or Istio Gateway server with TLS, an HTTPProxy's virtualhost.tls, an IngressRoute's tls, an "
    "OpenShift Route's tls, a VirtualServer's tls.secret). A host without one is served over "
    "plain HTTP: passwords, session cookies and personal data cross the network readable by anyone "
    "on the path, and browsers mark the site as not secure."
)
FIX = ("List the host under spec.tls[].hosts with a secretName (cert-manager can issue the certificate), or turn on "
       "TLS where the router or the listener it hangs on configures it.")
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
WEB = (None, "HTTP", "HTTPS", "GRPC")


def check(ctx: Context):
    routers = {r.id: r for r in ctx.model.every_router()}
    reported = set()
    for hop in ctx.graph.hops:
        if (hop.tls is False and hop.host and not hop.inherited and hop.protocol in WEB
                and ctx.analysis.router_levels.get(hop.router) == "internet"
                and (hop.router, hop.host) not in reported):
            reported.add((hop.router, hop.host))
            router = routers[hop.router]
            yield Hit(router, hop.host_line or hop.line, _message(router, hop.host))


def _message(router: Router, host: str) -> str:
    if isinstance(router, Ingress):
        return f"{named(router)} serves {host} over plain HTTP, since no spec.tls entry covers that host."
    return (f"{named(router)} serves {host} over plain HTTP to the internet, since neither it nor the listener it "
            f"hangs on sets up TLS for that host.")
