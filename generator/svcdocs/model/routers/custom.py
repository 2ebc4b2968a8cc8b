"""Router kinds that `.svcdocs.yaml` describes (`router-kinds`): in-house or
rarer CRDs, read from the field paths the config names. Only those fields
are read, as data: nothing from the config or the manifest is evaluated."""

from __future__ import annotations

from functools import partial

import yaml
from yaml import MappingNode, ScalarNode, SequenceNode

from svcdocs.config import RouterKind
from svcdocs.errors import SvcdocsError
from svcdocs.model.objects import BackendRef, Router, Way
from svcdocs.model.reader import Reader
from svcdocs.model.routers.parts import unique
from svcdocs.runtime import record


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


@record(kw_only=True)
class DescribedRouter(Router):
    """A router of a kind the config describes, and which of its field paths
    found something in this object (a path that finds nothing in any object
    of the kind is a mistake in the config)."""

    described: tuple[str, str] = ("", "")  # (group, kind) as the config names it
    matched: tuple[str, ...] = ()  # the config keys whose path found a value here


def router(spec: RouterKind, r: Reader, root: dict, meta: dict) -> Router:
    """Each rule (or the document) is one way in; every field is read from the
    rule, unless the config writes it from the object's root."""
    document = r.doc.node
    items = nodes_at(r, document, spec.rules) if spec.rules else [document]
    matched = {"rules"} if items and spec.rules else set()

    def start(key: str, item):
        return document if key in spec.from_root else item

    ways = []
    for item in items:
        found_hosts = _strings(r, start("hosts", item), spec.hosts) if spec.hosts else []
        paths = unique(p for p, _ in _strings(r, start("path", item), spec.path)) if spec.path else ("/",)
        ports = [n for n in nodes_at(r, start("port", item), spec.port)] if spec.port else []
        names = _strings(r, start("service", item), spec.service)
        matched.update(key for key, found in (("hosts", found_hosts), ("path", paths if spec.path else ()),
                                              ("port", ports), ("service", names)) if found)
        backends = []
        for i, (name, line) in enumerate(names):
            port = ports[i] if i < len(ports) else (ports[0] if len(ports) == 1 else None)
            backends.append(BackendRef("Service", meta["namespace"], name, line,
                                       port=r.port_or_name(port, "port") if port is not None else None,
                                       port_line=r.line(port) if port is not None else 0))
        ways.append(Way(line=r.line(item), hosts=tuple(unique(h for h, _ in found_hosts)),
                        host_line=found_hosts[0][1] if found_hosts else 0, paths=paths or ("/",),
                        backends=tuple(backends), protocol="HTTP"))
    return DescribedRouter(**meta, ways=tuple(ways), opens="internet" if spec.public else "network",
                           described=(spec.group, spec.kind), matched=tuple(sorted(matched)))


def check_paths(kinds: tuple[RouterKind, ...], routers) -> None:
    """A field path of the config that finds nothing in any object of its
    kind is an error naming the path: a typo would otherwise leave those
    ways in unread without a word."""
    for spec in kinds:
        found = [r for r in routers if isinstance(r, DescribedRouter) and r.described == (spec.group, spec.kind)]
        if not found:
            continue
        matched = set().union(*(r.matched for r in found))
        for key, path in spec.paths().items():
            if key not in matched:
                written = ("/" if key in spec.from_root else "") + ".".join(path)
                relative = " in any rule" if spec.rules and key != "rules" and key not in spec.from_root else ""
                raise SvcdocsError(f"{spec.where}.{key}: field path {written} finds nothing{relative} of the "
                                   f"{len(found)} {spec.kind} object{'s' if len(found) != 1 else ''} read")


def builders(kinds: tuple[RouterKind, ...]) -> dict:
    return {(k.group, k.kind): partial(router, k) for k in kinds}
