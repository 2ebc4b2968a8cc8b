"""many-loadbalancers: more internet LoadBalancers than the threshold."""

from __future__ import annotations

from svcdocs.analysis import is_internal_lb
from svcdocs.rules.context import Context, Hit, named

ID = "many-loadbalancers"
SEVERITY = "warning"
SUMMARY = ("Each internet-facing LoadBalancer Service, when there are more of them than the "
           "threshold (default 1).")
RATIONALE = (
    "Every LoadBalancer Service gets its own cloud load balancer and public address, billed by the "
    "hour, with its own firewall rules and certificates to keep up to date. One Ingress or Gateway "
    "in front of ClusterIP Services serves many applications through one load balancer, with TLS, "
    "host and path routing in one place. Internal (private-address) load balancers are not counted."
)
FIX = ("Put HTTP Services behind one Ingress or Gateway and make them ClusterIP, keeping "
       "LoadBalancer Services for protocols that an Ingress cannot carry.")
EXAMPLE = """\
kind: Service
metadata: {name: spark-ui-proxy}
spec: {type: LoadBalancer}
---
kind: Service
metadata: {name: zeppelin}
spec: {type: LoadBalancer}
"""
USE_INSTEAD = """\
kind: Ingress
metadata: {name: web}
spec:
  rules:
    - host: spark.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: spark-ui-proxy, port: {number: 80}}}}]}
    - host: zeppelin.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: zeppelin, port: {number: 80}}}}]}
"""
THRESHOLD = 1  # flag internet LoadBalancers when there are more than this many


def check(ctx: Context):
    public = [s for s in ctx.model.services if s.type == "LoadBalancer" and not is_internal_lb(s)]
    if len(public) <= ctx.threshold(ID, THRESHOLD):
        return
    for service in public:
        yield Hit(service, service.type_line,
                  f"{named(service)} is one of {len(public)} internet LoadBalancers, each with a cloud load "
                  f"balancer and public address of its own, where one Ingress or Gateway could serve them all.")
