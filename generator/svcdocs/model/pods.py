"""Pod templates read into the model: labels, containers, their ports,
probes, and the hosts that their env values name (never the values). Shared
by the built-in workload kinds (`extract`) and by router adapters whose
objects make pods themselves (a Knative Service)."""

from __future__ import annotations

import re

import yaml
from yaml import MappingNode, ScalarNode

from svcdocs.model.objects import Container, ContainerPort, EnvRef, Pairs, Probe
from svcdocs.model.reader import Reader, is_null

MAX_ENV_VALUE = 4096
_HOST = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_TOKEN_SPLIT = re.compile(r"[\s,;]+")


def _gateway_injection(r: Reader, template_meta: yaml.Node | None, containers: tuple[Container, ...]) -> bool:
    """Istio's gateway injection: the pod asks for the `gateway` template and
    leaves the proxy's image to the injector (`auto`)."""
    annotations = r.mapping(r.mapping(template_meta, "metadata").get("annotations"), "metadata.annotations")
    templates = annotations.get("inject.istio.io/templates")
    asked = isinstance(templates, ScalarNode) and "gateway" in (t.strip() for t in templates.value.split(","))
    return asked and any(c.image == "auto" for c in containers)


def pod_template(r: Reader, node: yaml.Node | None, where: str, meta: dict, extra_labels: Pairs = ()) -> dict:
    """The Workload fields of a pod template (`metadata.labels` and `spec`),
    for any object that makes pods from one; `extra_labels` are those its
    controller adds to every pod."""
    template = r.mapping(node, where)
    template_meta = template.get("metadata")
    labels = r.pairs(r.mapping(template_meta, f"{where}.metadata").get("labels"), f"{where}.metadata.labels")
    return pod_fields(r, template_meta, r.mapping(template.get("spec"), f"{where}.spec"), meta,
                      tuple(sorted(dict(extra_labels + labels).items())))


def pod_fields(r: Reader, pod_meta: yaml.Node | None, pod_spec: dict, meta: dict, labels: Pairs) -> dict:
    host_network = pod_spec.get("hostNetwork")
    found = tuple(containers(r, pod_spec))
    return {
        "pod_labels": labels,
        "pod_labels_line": r.key_line(pod_meta, "labels") or meta["line"],
        "containers": found,
        "host_network": r.flag(host_network),
        "host_network_line": r.line(host_network) if host_network is not None else 0,
        "gateway_injection": _gateway_injection(r, pod_meta, found),
    }


def containers(r: Reader, pod_spec: dict):
    for i, item, f in r.mappings(pod_spec.get("containers"), "containers"):
        yield _container(r, item, f, f"containers[{i}]", sidecar=False)
    for i, item, f in r.mappings(pod_spec.get("initContainers"), "initContainers"):
        if r.string(f.get("restartPolicy"), "restartPolicy") == "Always":
            yield _container(r, item, f, f"initContainers[{i}]", sidecar=True)


def _container(r: Reader, node: MappingNode, f: dict, what: str, sidecar: bool) -> Container:
    name_node = f.get("name")
    ports = []
    for i, item, p in r.mappings(f.get("ports"), f"{what}.ports"):
        number = r.integer(p.get("containerPort"), f"{what}.ports[{i}].containerPort")
        if number is not None:
            ports.append(ContainerPort(
                line=r.line(item),
                number=number,
                name=r.string(p.get("name"), f"{what}.ports[{i}].name"),
                protocol=r.string(p.get("protocol"), f"{what}.ports[{i}].protocol") or "TCP",
                host_port=r.integer(p.get("hostPort"), f"{what}.ports[{i}].hostPort"),
            ))
    env_names, env_refs = _env(r, f.get("env"), what)
    probe = f.get("readinessProbe")
    return Container(
        name=r.string(name_node, f"{what}.name") or "",
        line=r.line(name_node if name_node is not None else node),
        image=r.string(f.get("image"), f"{what}.image"),
        ports=tuple(ports),
        readiness_probe=probe is not None and not is_null(probe),
        sidecar=sidecar,
        env_names=env_names,
        env_refs=env_refs,
        probes=tuple(_probes(r, node, f, what)),
    )


def _probes(r: Reader, container: MappingNode, f: dict, what: str):
    """Each probe, with the port of its httpGet, tcpSocket or grpc check."""
    for kind in ("liveness", "readiness", "startup"):
        node = f.get(f"{kind}Probe")
        if node is None or is_null(node):
            continue
        probe = r.mapping(node, f"{what}.{kind}Probe")
        port_node = None
        for handler in ("httpGet", "tcpSocket", "grpc"):
            if handler in probe:
                port_node = r.mapping(probe[handler], f"{what}.{kind}Probe.{handler}").get("port")
                break
        yield Probe(
            kind=kind,
            line=r.key_line(container, f"{kind}Probe"),
            port=r.port_or_name(port_node, f"{what}.{kind}Probe port"),
            port_line=r.line(port_node) if port_node is not None else 0,
        )


def _env(r: Reader, node: yaml.Node | None, what: str) -> tuple[tuple[str, ...], tuple[EnvRef, ...]]:
    """Variable names, and the hosts that literal values name. Values are not kept."""
    names, refs = [], []
    for i, item, f in r.mappings(node, f"{what}.env"):
        name = r.string(f.get("name"), f"{what}.env[{i}].name")
        if not name:
            continue
        names.append(name)
        value = f.get("value")
        if isinstance(value, ScalarNode) and len(value.value) <= MAX_ENV_VALUE:
            refs.extend(EnvRef(name, host, r.line(item)) for host in hosts_in(value.value))
    return tuple(names), tuple(refs)


def hosts_in(value: str) -> list[str]:
    """DNS names in an env value: `svc`, `svc.ns:port`, `http://user@svc.ns.svc/path`, lists."""
    hosts = []
    for token in _TOKEN_SPLIT.split(value):
        token = _SCHEME.sub("", token)
        token = token.split("/", 1)[0].rsplit("@", 1)[-1]
        host = token.split(":", 1)[0].rstrip(".")
        if host and not host.isdigit() and _HOST.fullmatch(host) and host not in hosts:
            hosts.append(host)
    return hosts

