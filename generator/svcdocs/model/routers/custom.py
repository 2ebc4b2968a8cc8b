"""Router kinds that `.svcdocs.yaml` describes (`router-kinds`): in-house or
rarer CRDs, read from the field paths the config names. Only those fields
are read, as data: nothing from the config or the manifest is evaluated."""

from __future__ import annotations

from functools import partial

import yaml
from yaml import MappingNode, ScalarNode, SequenceNode

from svcdocs.config import RouterKind
from svcdocs.model.objects import BackendRef, Router, Way
from svcdocs.model.reader import Reader
from svcdocs.model.routers.parts import unique


def nodes_at(r: Reader, node: yaml.Node | None, path: tuple[str, ...]) -> list[yaml.Node]:
    """The nodes a field path leads to from `node`; a list met on the way is
    read item by item."""
    found = [node] if node is not None else []
    for name in path:
        following = []
        for item in found:
            following += _items(item)
        found = [r.mapping(item, name).get(name) for item in following if isinstance(item, MappingNode)]
        found = [n for n in found if n is not None]
    return [leaf for n in found for leaf in _items(n)]


def _items(node: yaml.Node) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, SequenceNode) else [node]


def _strings(r: Reader, node: yaml.Node | None, path: tuple[str, ...]) -> list[tuple[str, int]]:
    return [(n.value, r.line(n)) for n in nodes_at(r, node, path) if isinstance(n, ScalarNode) and n.value]


def router(spec: RouterKind, r: Reader, root: dict, meta: dict) -> Router:
    document = r.doc.node
    hosts = tuple(h for h, _ in _strings(r, document, spec.hosts))
    host_line = next((line for _, line in _strings(r, document, spec.hosts)), 0)
    items = nodes_at(r, document, spec.rules) if spec.rules else [document]
    ways = []
    for item in items:
        paths = unique(p for p, _ in _strings(r, item, spec.path)) if spec.path else ("/",)
        ports = [n for n in nodes_at(r, item, spec.port)] if spec.port else []
        backends = []
        for i, (name, line) in enumerate(_strings(r, item, spec.service)):
            port = ports[i] if i < len(ports) else (ports[0] if len(ports) == 1 else None)
            backends.append(BackendRef("Service", meta["namespace"], name, line,
                                       port=r.port_or_name(port, "port") if port is not None else None,
                                       port_line=r.line(port) if port is not None else 0))
        ways.append(Way(line=r.line(item), hosts=hosts, host_line=host_line, paths=paths or ("/",),
                        backends=tuple(backends), protocol="HTTP"))
    return Router(**meta, ways=tuple(ways), opens="internet" if spec.public else "network")


def builders(kinds: tuple[RouterKind, ...]) -> dict:
    return {(k.group, k.kind): partial(router, k) for k in kinds}
