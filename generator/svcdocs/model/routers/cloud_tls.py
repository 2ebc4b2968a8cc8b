"""TLS where the clouds' Ingress controllers take it from, besides `spec.tls`.

- GKE: certificates on the load balancer itself
  (`ingress.gcp.kubernetes.io/pre-shared-cert`), and ManagedCertificates that
  the Ingress names (`networking.gke.io/managed-certificates`), whose domains
  say the hosts they cover.
  https://cloud.google.com/kubernetes-engine/docs/how-to/ingress-multi-ssl
  https://cloud.google.com/kubernetes-engine/docs/how-to/managed-certs
- AWS Load Balancer Controller: an HTTPS listener (`listen-ports`; by default
  HTTPS 443 when `certificate-arn` is set, else HTTP 80) serves with TLS;
  plain HTTP beside it is served too, unless `ssl-redirect` sends it to HTTPS.
  https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/
  https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/tasks/ssl_redirect/
- Azure Application Gateway Ingress Controller: a certificate installed on
  the gateway (`appgw-ssl-certificate`) covers every host.
  https://azure.github.io/application-gateway-kubernetes-ingress/annotations/
- Kong: `konghq.com/protocols: https` (HTTPS only) or
  `konghq.com/https-redirect-status-code` (HTTP redirected), on the Ingress or
  in the KongIngress it names with `konghq.com/override`.
  https://docs.konghq.com/kubernetes-ingress-controller/latest/reference/annotations/
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from svcdocs.model.objects import object_id
from svcdocs.model.routers.parts import annotation

MANAGED_CERTIFICATES = "networking.gke.io/managed-certificates"
PRE_SHARED_CERT = "ingress.gcp.kubernetes.io/pre-shared-cert"
ALB = "alb.ingress.kubernetes.io/"
ALB_CERTIFICATE = ALB + "certificate-arn"
ALB_LISTEN_PORTS = ALB + "listen-ports"
ALB_SSL_REDIRECT = ALB + "ssl-redirect"
APPGW_CERTIFICATE = "appgw.ingress.kubernetes.io/appgw-ssl-certificate"
KONG_PROTOCOLS = "konghq.com/protocols"
KONG_REDIRECT = "konghq.com/https-redirect-status-code"
KONG_OVERRIDE = "konghq.com/override"
ANNOTATIONS = frozenset({MANAGED_CERTIFICATES, PRE_SHARED_CERT, ALB_CERTIFICATE, ALB_LISTEN_PORTS, ALB_SSL_REDIRECT,
                         APPGW_CERTIFICATE, KONG_PROTOCOLS, KONG_REDIRECT, KONG_OVERRIDE})
ALB_CLASSES = frozenset({"alb"})


@dataclass(frozen=True)
class CloudTLS:
    """What an Ingress's annotations say of TLS, for the hosts `spec.tls` does
    not cover: `every` host TLS (True) or plain (False), or None when it is
    left to `sources` (the ManagedCertificates and KongIngress it names) or
    to nothing at all (then plain, as without `spec.tls`)."""

    every: bool | None = None
    sources: tuple[str, ...] = ()
    decides: bool = False  # the load balancer ignores `spec.tls` for its listeners (an ALB): this answer wins

    def secure(self, covered_by_spec: bool, host: str | None) -> bool | None:
        """TLS for a host, given whether a `spec.tls` entry covers it."""
        if covered_by_spec and not self.decides:
            return True
        return self.tls(host)

    def tls(self, host: str | None) -> bool | None:
        if self.every is not None:
            return self.every
        return None if self.sources else False


def ingress_tls(meta: dict, class_name: str | None) -> CloudTLS:
    namespace = meta["namespace"]
    sources = tuple(object_id("ManagedCertificate", namespace, name.strip())
                    for name in (annotation(meta, MANAGED_CERTIFICATES) or "").split(",") if name.strip())
    if override := (annotation(meta, KONG_OVERRIDE) or "").strip():
        sources += (object_id("KongIngress", namespace, override),)
    if annotation(meta, PRE_SHARED_CERT) or annotation(meta, APPGW_CERTIFICATE):
        return CloudTLS(True, sources)
    kong = kong_tls(annotation(meta, KONG_PROTOCOLS), annotation(meta, KONG_REDIRECT))
    if kong is not None:
        return CloudTLS(kong, sources)
    if class_name in ALB_CLASSES or any(key.startswith(ALB) for key, _ in meta["annotations"]):
        return CloudTLS(alb_tls(meta), sources, decides=True)
    return CloudTLS(None, sources)


def alb_tls(meta: dict) -> bool:
    """Whether an ALB serves with TLS only: an HTTPS listener, and no plain
    HTTP one unless it redirects. The certificate comes from `certificate-arn`
    or is discovered from the Ingress's hosts; either way only `listen-ports`
    opens an HTTPS listener."""
    certificate = bool(annotation(meta, ALB_CERTIFICATE))
    protocols = _listen_protocols(annotation(meta, ALB_LISTEN_PORTS))
    if protocols is None:
        protocols = {"HTTPS"} if certificate else {"HTTP"}
    if "HTTPS" not in protocols:
        return False
    return "HTTP" not in protocols or bool(annotation(meta, ALB_SSL_REDIRECT))


def _listen_protocols(text: str | None) -> set[str] | None:
    """`[{"HTTP": 80}, {"HTTPS": 443}]` -> {HTTP, HTTPS}; None when unset or unreadable."""
    if not text:
        return None
    try:
        ports = json.loads(text)
    except ValueError:
        return None
    if not isinstance(ports, list):
        return None
    return {str(key).upper() for item in ports if isinstance(item, dict) for key in item}


def kong_tls(protocols: str | None, redirect: str | None) -> bool | None:
    """Kong's route protocols: HTTPS only, or HTTP redirected, is TLS; HTTP
    among them (without a redirect) is plain; None when neither is said."""
    if redirect:
        return True
    if not protocols:
        return None
    named = {p.strip().lower() for p in protocols.split(",") if p.strip()}
    return bool(named) and named <= {"https", "grpcs", "tls"}
