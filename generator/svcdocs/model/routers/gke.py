"""GKE multi-cluster ingress (networking.gke.io/v1).

- `MultiClusterService`: a Service that spans the fleet's clusters: the
  selector and ports of its `template` pick the pods, as a Service's do.
- `MultiClusterIngress`: an Ingress (its `template.spec`) on a Google Cloud
  load balancer, whose backends name MultiClusterServices.
- `ManagedCertificate`: the domains a Google-managed certificate covers, for
  the Ingresses that name it.
"""

from __future__ import annotations

from svcdocs.model.services import service_ports
from svcdocs.model.objects import BackendRef, IngressTLS, Router, Service, TLSSource, Way
from svcdocs.model.reader import Reader
from svcdocs.model.routers.ingress import covered
from svcdocs.model.routers.parts import annotation

GROUP = "networking.gke.io"
MCS = "MultiClusterService"
PRE_SHARED_CERTS = "networking.gke.io/pre-shared-certs"  # certificates on the load balancer itself


def _template_spec(r: Reader, root: dict) -> tuple[dict, object]:
    template = r.mapping(r.mapping(root.get("spec"), "spec").get("template"), "spec.template")
    return r.mapping(template.get("spec"), "spec.template.spec"), template.get("spec")


def multi_cluster_service(r: Reader, root: dict, meta: dict) -> Service:
    spec, node = _template_spec(r, root)
    selector = r.pairs(spec.get("selector"), "spec.template.spec.selector") or None
    return Service(**meta, selector=selector, selector_line=r.key_line(node, "selector") if selector else 0,
                   ports=tuple(service_ports(r, spec.get("ports"))))


def _backend(r: Reader, node, what: str, namespace: str) -> BackendRef | None:
    f = r.mapping(node, what)
    name_node, port_node = f.get("serviceName"), f.get("servicePort")
    name = r.string(name_node, f"{what}.serviceName")
    if not name:
        return None
    return BackendRef(MCS, namespace, name, r.line(name_node), port=r.port_or_name(port_node, f"{what}.servicePort"),
                      port_line=r.line(port_node) if port_node is not None else 0)


def multi_cluster_ingress(r: Reader, root: dict, meta: dict) -> Router:
    spec, _ = _template_spec(r, root)
    namespace = meta["namespace"]
    tls = tuple(IngressTLS(line=r.line(item), hosts=r.strings(f.get("hosts"), "hosts"))
                for _, item, f in r.mappings(spec.get("tls"), "spec.template.spec.tls"))
    if annotation(meta, PRE_SHARED_CERTS):
        tls += (IngressTLS(line=meta["line"]),)
    ways = []
    default = _backend(r, spec.get("backend"), "spec.template.spec.backend", namespace)
    if default is not None:
        ways.append(Way(line=default.line, backends=(default,), protocol="HTTP", tls=covered(tls, None)))
    for i, item, f in r.mappings(spec.get("rules"), "spec.template.spec.rules"):
        host = r.string(f.get("host"), f"spec.template.spec.rules[{i}].host")
        http = r.mapping(f.get("http"), f"spec.template.spec.rules[{i}].http")
        for j, pitem, p in r.mappings(http.get("paths"), f"spec.template.spec.rules[{i}].http.paths"):
            found = _backend(r, p.get("backend"), f"spec.template.spec.rules[{i}].http.paths[{j}].backend", namespace)
            if found is not None:
                ways.append(Way(line=r.line(pitem), hosts=(host,) if host else (),
                                host_line=r.line(f["host"]) if host else 0,
                                paths=(r.string(p.get("path"), "path") or "/",), backends=(found,), protocol="HTTP",
                                tls=covered(tls, host)))
    return Router(**meta, ways=tuple(ways))


def managed_certificate(r: Reader, root: dict, meta: dict) -> TLSSource:
    """A Google-managed certificate for `spec.domains`, served by the GKE
    Ingresses that name it (`networking.gke.io/managed-certificates`)."""
    spec = r.mapping(root.get("spec"), "spec")
    return TLSSource(**meta, hosts=r.strings(spec.get("domains"), "spec.domains"))


BUILDERS = {(GROUP, MCS): multi_cluster_service, (GROUP, "MultiClusterIngress"): multi_cluster_ingress,
            (GROUP, "ManagedCertificate"): managed_certificate}
QUIET = {(GROUP, kind) for kind in ("FrontendConfig", "ServiceNetworkEndpointGroup",
                                    "GCPBackendPolicy", "GCPGatewayPolicy", "HealthCheckPolicy")}
