"""nodeport-service: a Service of type NodePort."""

from __future__ import annotations

from svcdocs.rules.context import Context, Hit, named

ID = "nodeport-service"
SEVERITY = "warning"
SECURITY_SEVERITY = "5.3"  # code scanning: a port open on every node
SUMMARY = "A Service of type NodePort."
RATIONALE = (
    "A NodePort Service opens the same port, from 30000-32767, on every node of the cluster, "
    "including nodes that run none of its pods. Anyone who can reach a node reaches the Service, "
    "past any load balancer, TLS or authentication in front of the cluster; the port numbers are "
    "awkward for clients and collide across Services. NodePort is meant for building your own "
    "load balancing, not for exposing applications in production."
)
FIX = ("Use a ClusterIP Service behind an Ingress or a Gateway for HTTP, a LoadBalancer Service "
       "for other protocols, or `kubectl port-forward` for debugging.")
EXAMPLE = """\
kind: Service
metadata: {name: pgweb, namespace: ops}
spec:
  type: NodePort
  ports: [{port: 8081, nodePort: 30081}]
"""
USE_INSTEAD = """\
kind: Service
metadata: {name: pgweb, namespace: ops}
spec:
  type: ClusterIP              # reach it with kubectl port-forward svc/pgweb 8081
  ports: [{port: 8081}]
"""


def check(ctx: Context):
    for service in ctx.model.services:
        if service.type == "NodePort":
            node_ports = [str(p.node_port) for p in service.ports if p.node_port]
            opens = f"port {', '.join(node_ports)}" if node_ports else "a port from 30000-32767"
            yield Hit(service, service.type_line,
                      f"{named(service)} is type NodePort: it opens {opens} on every node, past any "
                      f"load balancer or TLS in front of the cluster.")
