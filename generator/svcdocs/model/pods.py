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
MAX_ARGS = 256  # args and command items read for calls and settings
MAX_SETTING = 253
_HOST = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*:)+//")  # http://, jdbc:postgresql://
_TOKEN_SPLIT = re.compile(r"[\s,;]+")
# A port a value names: `host:8080`, `0.0.0.0:8444`, `:8080`.
_PORT_IN_VALUE = re.compile(r"(?<![\w.])[\w.-]*:(\d{2,5})(?![\w.])")
_FLAG = re.compile(r"^--?([A-Za-z0-9][A-Za-z0-9_.-]*)(?:=(.*))?$", re.S)
# Flags and variables that say which class of routers a controller serves and
# which Service fronts it; their values are class and object names, kept as
# settings (no other argument or variable value is kept).
SETTINGS = {
    "ingress-class": "ingress-class", "ingress.class": "ingress-class", "ingress-class-name": "ingress-class",
    "providers.kubernetesingress.ingressclass": "ingress-class", "CONTROLLER_INGRESS_CLASS": "ingress-class",
    "controller-class": "controller-class",
    "publish-service": "publish-service", "CONTROLLER_PUBLISH_SERVICE": "publish-service",
    "providers.kubernetesingress.ingressendpoint.publishedservice": "publish-service",
    "AMBASSADOR_ID": "ambassador-id",
}


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
    env_names, env_refs, env_settings, env_ports = _env(r, f.get("env"), what)
    arg_refs, arg_settings, arg_ports = _args(r, f, what)
    probe = f.get("readinessProbe")
    return Container(
        name=r.string(name_node, f"{what}.name") or "",
        line=r.line(name_node if name_node is not None else node),
        image=r.string(f.get("image"), f"{what}.image"),
        ports=tuple(ports),
        readiness_probe=probe is not None and not is_null(probe),
        sidecar=sidecar,
        env_names=env_names,
        env_refs=env_refs + arg_refs,
        probes=tuple(_probes(r, node, f, what)),
        env_from=tuple(_env_from(r, f.get("envFrom"), what)),
        settings=tuple(sorted(set(env_settings + arg_settings))),
        named_ports=tuple(sorted(set(env_ports + arg_ports))),
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


def _env(r: Reader, node: yaml.Node | None, what: str):
    """Variable names; the hosts and ports that literal values name; the
    settings among them (SETTINGS). No other value is kept."""
    names, refs, settings, ports = [], [], [], []
    for i, item, f in r.mappings(node, f"{what}.env"):
        name = r.string(f.get("name"), f"{what}.env[{i}].name")
        if not name:
            continue
        names.append(name)
        value = f.get("value")
        if isinstance(value, ScalarNode) and len(value.value) <= MAX_ENV_VALUE:
            refs.extend(EnvRef(name, host, r.line(item)) for host in hosts_in(value.value))
            ports += ports_in(value.value, "PORT" in name.upper())
            if name in SETTINGS and len(value.value) <= MAX_SETTING:
                settings.append((SETTINGS[name], value.value.strip()))
    return tuple(names), tuple(refs), settings, ports


def _args(r: Reader, f: dict, what: str):
    """From `command` and `args`: the hosts that URLs and `host:port` words
    name (a bare word could be anything), under the flag that carries them;
    the settings among the flags; the ports they name."""
    refs, settings, ports = [], [], []
    for key in ("command", "args"):
        items = [n for n in r.sequence(f.get(key), f"{what}.{key}")[:MAX_ARGS] if isinstance(n, ScalarNode)]
        taken = False  # the item is the value of the flag before it
        for i, item in enumerate(items):
            text = item.value
            if taken or len(text) > MAX_ENV_VALUE:
                taken = False
                continue
            flag = _FLAG.match(text)
            name, value = (flag.group(1), flag.group(2)) if flag else (None, text)
            if flag and value is None and i + 1 < len(items) and not items[i + 1].value.startswith("-"):
                value, taken = items[i + 1].value, True  # `--flag value`
            if name in SETTINGS and value and len(value) <= MAX_SETTING:
                settings.append((SETTINGS[name], value.strip()))
            if value is None:
                continue
            ports += ports_in(value, bool(name) and "port" in name.lower())
            variable = f"--{name}" if name else key
            refs.extend(EnvRef(variable, host, r.line(item)) for host in addressed_hosts(value))
    return tuple(refs), settings, ports


def _env_from(r: Reader, node: yaml.Node | None, what: str):
    """The ConfigMaps whose keys become variables: (name, prefix)."""
    for i, _, f in r.mappings(node, f"{what}.envFrom"):
        ref = r.mapping(f.get("configMapRef"), f"{what}.envFrom[{i}].configMapRef")
        name = r.string(ref.get("name"), f"{what}.envFrom[{i}].configMapRef.name")
        if name:
            yield name, r.string(f.get("prefix"), f"{what}.envFrom[{i}].prefix") or ""


def repository(image: str | None) -> str:
    """An image's repository, without tag or digest, lowercase: `docker.io/bitnami/postgresql`."""
    path = (image or "").split("@", 1)[0]
    if ":" in path.rsplit("/", 1)[-1]:
        path = path.rsplit(":", 1)[0]
    return path.lower()


def image_is(image: str | None, names) -> bool:
    """Whether an image is one of `names` (a repository's last path parts),
    whatever its registry, tag or digest."""
    path = repository(image)
    return bool(path) and any(path == n or path.endswith("/" + n) for n in names)


def ports_in(value: str, is_port: bool = False) -> list[int]:
    """The ports a value names: after a colon (`0.0.0.0:8444`, `:8080`), or
    the whole value when it is a port's (`PORT=8080`, `--http-port=8080`)."""
    found = [int(m) for m in _PORT_IN_VALUE.findall(value)]
    if is_port and value.strip().isdigit():
        found.append(int(value.strip()))
    return [p for p in found if 0 < p < 65536]


def addressed_hosts(value: str) -> list[str]:
    """The hosts of the URLs and `host:port` words of a value: a word with
    neither a scheme nor a port is not taken for an address."""
    return [host for token in _TOKEN_SPLIT.split(value) if _SCHEME.match(token) or _PORT_IN_VALUE.fullmatch(
        token.split("/", 1)[0].rsplit("@", 1)[-1]) for host in hosts_in(token)]


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

