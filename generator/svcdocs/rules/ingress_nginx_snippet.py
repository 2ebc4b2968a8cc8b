"""ingress-nginx-snippet: NGINX configuration injected through an Ingress annotation."""

from __future__ import annotations

from svcdocs.rules.context import Context, Hit, named

ID = "ingress-nginx-snippet"
SEVERITY = "warning"
SUMMARY = "An Ingress with an nginx.ingress.kubernetes.io/*-snippet annotation."
RATIONALE = (
    "Snippet annotations (configuration-snippet, server-snippet, auth-snippet...) paste raw NGINX "
    "configuration into the ingress-nginx controller shared by every Ingress of its class. Whoever can "
    "write an Ingress can then read the controller's secrets or route other tenants' traffic "
    "(CVE-2021-25742, CVE-2025-1974), which is why recent controllers refuse them unless "
    "allow-snippet-annotations is turned on. The ingress-nginx project itself was retired in March "
    "2026 and gets no more fixes."
)
FIX = "Replace the snippet with the dedicated annotation or ConfigMap setting, or move the Ingress to a maintained controller (a Gateway API implementation)."
EXAMPLE = """\
kind: Ingress
metadata:
  annotations:
    nginx.ingress.kubernetes.io/configuration-snippet: |
      more_set_headers "X-Frame-Options: DENY";
"""
USE_INSTEAD = """\
kind: Ingress
metadata:
  annotations:
    nginx.ingress.kubernetes.io/custom-headers: shop/security-headers   # a ConfigMap of headers
"""


def check(ctx: Context):
    for ingress in ctx.model.ingresses:
        for key, line in ingress.snippets:
            yield Hit(ingress, line,
                      f"{named(ingress)} sets {key}, which pastes raw NGINX configuration into the controller "
                      f"that every Ingress shares (recent ingress-nginx controllers refuse it by default), and "
                      f"the ingress-nginx project was retired in March 2026.")
