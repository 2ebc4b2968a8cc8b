"""What a rule's `check(ctx)` reads, and what it yields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from svcdocs.analysis import Analysis
from svcdocs.config import Config
from svcdocs.graph import Graph
from svcdocs.model import Model, Object


@dataclass(frozen=True, slots=True)
class Hit:
    """One problem a rule found: the object that must change, and the line of
    the field at fault. The rules stage turns hits into findings."""

    obj: Object
    line: int
    message: str
    severity: str | None = None  # a weaker case of the rule may lower its default
    file: str | None = None  # another definition than the one in the model (duplicates)


@dataclass(frozen=True)
class Context:
    graph: Graph
    analysis: Analysis
    config: Config
    # Each source's label to its app, where an environment's apps are deployed
    # apart ({}: everything read is one deploy set).
    apps: Mapping[str, str] = field(default_factory=dict)

    @property
    def model(self) -> Model:
        return self.graph.model

    def threshold(self, rule_id: str, default: int) -> int:
        return self.config.thresholds.get(rule_id, default)


def named(obj: Object) -> str:
    """`Kind namespace/name`, the way messages name an object (`Kind.group`
    for a kind svcdocs also models from another group, as in its id)."""
    where = f"{obj.namespace}/{obj.name}" if obj.namespace else obj.name
    return f"{obj.kind}.{obj.group} {where}" if obj.group else f"{obj.kind} {where}"


def listed(names, most: int = 5) -> str:
    """`a, b, c` — or, past `most`, the first ones and how many more, so that a
    message stays one readable sentence whatever the fan-out."""
    names = list(names)
    if len(names) <= most:
        return ", ".join(names)
    return ", ".join(names[:most]) + f" and {len(names) - most} more"


def policy_label(policy_id: str) -> str:
    """A policy as messages name it: a NetworkPolicy by `ns/name` (as before),
    any other kind by `Kind ns/name` or `Kind name`."""
    kind, namespace, name = policy_id.split("/", 2)
    if kind == "NetworkPolicy":
        return f"{namespace}/{name}"
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"
