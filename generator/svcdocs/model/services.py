"""A Service's spec read into the model: its type, selector, ports and the
fields that change its exposure. Kept apart from `extract` so that router
adapters that read Service-shaped templates (GKE's MultiClusterService) use
the same reading without importing the document dispatcher."""

from __future__ import annotations

import yaml

from svcdocs.model.objects import Service, ServicePort
from svcdocs.model.reader import Reader

SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")


def service(r: Reader, root: dict, meta: dict) -> Service:
    spec = r.mapping(root.get("spec"), "spec")
    type_node = spec.get("type")
    svc_type = r.string(type_node, "spec.type") or "ClusterIP"
    if svc_type not in SERVICE_TYPES:
        r.warn(type_node, f"spec.type {svc_type!r} is not a Service type; read as ClusterIP")
        svc_type = "ClusterIP"
    selector_node = spec.get("selector")
    selector = r.pairs(selector_node, "spec.selector") or None
    external_name = r.string(spec.get("externalName"), "spec.externalName")
    return Service(
        **meta,
        type=svc_type,
        type_line=r.line(type_node) if type_node is not None else 0,
        headless=r.string(spec.get("clusterIP"), "spec.clusterIP") == "None",
        selector=selector,
        selector_line=r.key_line(root.get("spec"), "selector") if selector else 0,
        ports=tuple(service_ports(r, spec.get("ports"))),
        external_name=external_name.rstrip(".") if external_name else None,
        external_name_line=r.line(spec["externalName"]) if external_name else 0,
        external_ips=r.strings(spec.get("externalIPs"), "spec.externalIPs"),
        external_ips_line=r.line(spec["externalIPs"]) if "externalIPs" in spec else 0,
        source_ranges=r.strings(spec.get("loadBalancerSourceRanges"), "spec.loadBalancerSourceRanges"),
        external_traffic_policy=r.string(spec.get("externalTrafficPolicy"), "spec.externalTrafficPolicy"),
        load_balancer_class=r.string(spec.get("loadBalancerClass"), "spec.loadBalancerClass"),
    )


def service_ports(r: Reader, node: yaml.Node | None):
    for i, item, f in r.mappings(node, "spec.ports"):
        what = f"spec.ports[{i}]"
        port = r.integer(f.get("port"), f"{what}.port")
        if port is None:
            if "port" not in f:
                r.warn(item, f"{what} has no port; ignored")
            continue
        target = f.get("targetPort")
        yield ServicePort(
            line=r.line(item),
            port=port,
            target_port=r.port_or_name(target, f"{what}.targetPort"),
            target_port_line=r.line(target) if target is not None else 0,
            name=r.string(f.get("name"), f"{what}.name"),
            protocol=r.string(f.get("protocol"), f"{what}.protocol") or "TCP",
            node_port=r.integer(f.get("nodePort"), f"{what}.nodePort"),
        )

