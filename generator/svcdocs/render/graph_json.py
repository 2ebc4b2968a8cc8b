"""`svcdocs graph --format json`: the graph, exposure, entry points, patterns and
findings as the `svcdocs.graph/v1` document of DESIGN.md."""

from __future__ import annotations

import json
from json.encoder import c_make_encoder, encode_basestring
from typing import Any

from svcdocs.analysis import EntryPoint
from svcdocs.analysis.reach import ANY_NAMESPACE, EntryPolicy, Reachers
from svcdocs.analysis.reach.ports import text as conn_text
from svcdocs.graph import Edge
from svcdocs.model import (
    BackendTLSPolicy, Gateway, Ingress, NetworkPolicy, ReferenceGrant, Route, RoutedWorkload, Router, Service,
    ServiceEntry, Workload,
)
from svcdocs.pipeline import Report
from svcdocs.rules import Finding

SCHEMA = "svcdocs.graph/v1"
_NONE = ((), (), ())  # no connection


def graph_document(report: Report) -> dict[str, Any]:
    inputs = report.model.inputs
    exposure = report.analysis.exposure
    return {
        "schema": SCHEMA,
        "inputs": {
            "files": inputs.files,
            "documents": inputs.documents,
            "unusable": inputs.unusable,
            "skipped": inputs.skipped,
            "other_kinds": dict(inputs.other_kinds),
            "routing_kinds": dict(inputs.routing_kinds),
            "problems": [{"file": p.file, "line": p.line, "reason": p.reason} for p in inputs.problems],
            **({"not_read": [{"file": u.file, "reason": u.reason} for u in report.unread]} if report.unread else {}),
            **({"truncated": report.graph.truncated} if report.graph.truncated else {}),
        },
        "nodes": [node_json(node, exposure, report.analysis.router_notes) for node in report.graph.nodes.values()],
        "edges": [edge_json(e) for e in report.graph.edges],
        "exposure": {node_id: e.level for node_id, e in exposure.items()},
        "effective_exposure": report.analysis.reach.effective,
        "reachable_from": {w: reachers_json(r) for w, r in sorted(report.analysis.reach.reachers.items())},
        "entrypoints": [entrypoint_json(e, report.analysis.reach.entry(e)) for e in report.analysis.entrypoints],
        "patterns": [{"id": p.id, "services": list(p.services)} for p in report.analysis.patterns],
        "findings": [finding_json(f) for f in report.findings],
    }


def node_json(node, exposure, notes: dict[str, str] | None = None) -> dict[str, Any]:
    """A node; a router's or Gateway's `note` says when its level was assumed
    (its controller is not in the input) or is narrower than it says."""
    data: dict[str, Any] = {"id": node.id, "kind": node.kind}
    if node.namespace:
        data["namespace"] = node.namespace
    data["name"] = node.name
    file = getattr(node, "file", None)
    if file is None:
        data["declared"] = False if node.kind == "Gateway" else None
        return _compact(data)
    data["file"], data["line"] = file, node.line
    if node.group:
        data["group"] = node.group
    if node.id in exposure:
        data["exposure"] = exposure[node.id].level
    data.update(_details(node))
    if notes and node.id in notes:
        data["note"] = notes[node.id]
    return _compact(data)


def _details(node) -> dict[str, Any]:
    if isinstance(node, Service):
        return {
            "type": node.type,
            "headless": node.headless or None,
            "selector": dict(node.selector) if node.selector else None,
            "ports": [_compact({"name": p.name, "port": p.port, "targetPort": p.target, "nodePort": p.node_port,
                                "protocol": p.protocol}) for p in node.ports],
            "externalName": node.external_name,
            "externalIPs": list(node.external_ips) or None,
        }
    if isinstance(node, Workload):
        details = {"containers": [
            _compact({"name": c.name, "image": c.image, "sidecar": c.sidecar or None,
                      "ports": [_compact({"name": p.name, "containerPort": p.number, "hostPort": p.host_port,
                                          "protocol": p.protocol}) for p in c.ports]})
            for c in node.containers
        ], "hostNetwork": node.host_network or None, "operator": node.operator}
        if isinstance(node, RoutedWorkload):
            details.update(_router_details(node.router))
            details["traffic"] = [_compact({"revision": revision, "percent": percent, "tag": tag})
                                  for revision, percent, tag in node.traffic] or None
        return details
    if isinstance(node, Ingress):
        return {"class": node.class_name, "tls": sorted({h for t in node.tls for h in t.hosts}) or None}
    if isinstance(node, Gateway):
        return {"class": node.class_name, "listeners": [
            _compact({"name": l.name, "port": l.port, "protocol": l.protocol, "hostname": l.hostname})
            for l in node.listeners], "selector": dict(node.selector) if node.selector else None}
    if isinstance(node, Route):
        return {"hostnames": list(node.hostnames) or None}
    if isinstance(node, Router):
        return {"class": node.class_name, **_router_details(node)}
    if isinstance(node, NetworkPolicy):
        return {"policyTypes": list(node.policy_types) or None}
    if isinstance(node, ServiceEntry):
        return {"hosts": list(node.hosts), "location": "MESH_EXTERNAL" if node.external else "MESH_INTERNAL"}
    if isinstance(node, ReferenceGrant):
        return {"from": [{"group": f.group, "kind": f.kind, "namespace": f.namespace} for f in node.grants_from],
                "to": [_compact({"group": t.group, "kind": t.kind, "name": t.name}) for t in node.grants_to]}
    if isinstance(node, BackendTLSPolicy):
        return {"targets": [_compact({"kind": t.kind, "name": t.name, "sectionName": t.section}) for t in node.targets],
                "hostname": node.hostname}
    return {}


def _router_details(router: Router) -> dict[str, Any]:
    """The hosts a router names, and the controller's listeners it is served on."""
    hosts = sorted({h for way in router.ways for h in way.hosts})
    return {"hosts": hosts or None, "listeners": list(router.listeners) or None}


def edge_json(edge: Edge) -> dict[str, Any]:
    data = {"from": edge.source, "to": edge.target, "kind": edge.kind, "host": edge.host, "path": edge.path,
            "port": edge.port, "listener": edge.listener, "env": list(edge.env) or None}
    if edge.ports:
        data["ports"] = [_compact({"port": p.port, "targetPort": p.target_port, "containerPort": p.container_port})
                         for p in edge.ports]
    return _compact(data)


def entrypoint_json(entry: EntryPoint, policy: EntryPolicy | None = None) -> dict[str, Any]:
    data = {
        "via": entry.via, "kind": entry.kind, "exposure": entry.level, "host": entry.host, "path": entry.path,
        "service": entry.service, "port": entry.port, "nodePort": entry.node_port,
        "gateways": list(entry.gateways) or None, "workloads": list(entry.workloads),
        "listeners": list(entry.listeners) or None, "tls": entry.tls,
    }
    if policy is not None:
        data["policy"] = policy.state
        data["admitted"] = list(policy.sources) or None
        if policy.state == "restricted":
            data["blocked_for"] = [w for w, state in policy.workloads if state == "blocked"] or None
    return _compact(data)


def reachers_json(reachers: Reachers) -> dict[str, Any]:
    """Who can reach a workload: `internet`, `namespaces` (`*`: any namespace),
    `workloads`, each with its connection; `policies` that isolate it."""
    namespaces = {ANY_NAMESPACE: conn_text(reachers.any_namespace)} if reachers.any_namespace != _NONE else {}
    namespaces.update((ns, conn_text(c)) for ns, c in reachers.namespaces)
    return _compact({
        "internet": conn_text(reachers.internet) if reachers.internet != _NONE else None,
        "namespaces": namespaces or None,
        "workloads": {w: conn_text(c) for w, c in reachers.workloads} or None,
        "policies": list(reachers.policies) or None,
    })


def finding_json(finding: Finding) -> dict[str, Any]:
    return {"rule": finding.rule, "severity": finding.severity, "object": finding.object,
            "file": finding.file, "line": finding.line, "message": finding.message}


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def _item_encoder():
    """json's C encoder, made once: `json.dumps` per item would rebuild it 40,000 times."""
    if c_make_encoder is None:
        return json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    iterencode = c_make_encoder(None, None, encode_basestring, None, ": ", ", ", False, False, True)
    return lambda value: "".join(iterencode(value, 0))


def dumps(document: dict[str, Any]) -> str:
    """One top-level key per line and one list item per line: readable, diffable,
    and fast (each item goes through the C encoder)."""
    encode = _item_encoder()
    lines = ["{"]
    keys = list(document)
    for i, key in enumerate(keys):
        comma = "," if i < len(keys) - 1 else ""
        value = document[key]
        if isinstance(value, list) and value:
            lines.append(f" {encode(key)}: [")
            lines.append(",\n".join("  " + encode(item) for item in value))
            lines.append(f" ]{comma}")
        else:
            lines.append(f" {encode(key)}: {encode(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"
