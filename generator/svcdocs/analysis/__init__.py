"""Analysis: functions of the graph. Nothing here changes the graph."""

from __future__ import annotations

from dataclasses import dataclass, field

from svcdocs.analysis.entrypoints import EntryPoint, entrypoints, toward_absent
from svcdocs.analysis.exposure import (
    LEVELS, RANK, Exposure, exposure_of, host_bindings, is_internal_lb, own_level, router_levels,
)
from svcdocs.analysis.patterns import PATTERN_IDS, Pattern, patterns
from svcdocs.analysis.reach import Reachability, reachability
from svcdocs.graph import Graph

__all__ = [
    "LEVELS", "PATTERN_IDS", "RANK", "Analysis", "EntryPoint", "Exposure", "Pattern", "Reachability", "analyze",
    "entrypoints", "exposure_of", "host_bindings", "is_internal_lb", "own_level", "patterns", "router_levels",
    "toward_absent",
]


@dataclass(frozen=True)
class Analysis:
    exposure: dict[str, Exposure]
    entrypoints: tuple[EntryPoint, ...]
    patterns: tuple[Pattern, ...]
    router_levels: dict[str, str]  # router, Gateway and ListenerSet ids -> the level they open
    reach: Reachability  # who can reach whom under the NetworkPolicies
    # router and Gateway ids -> what to say of their level: assumed (their
    # controller is not in the input), or reached only inside the cluster
    router_notes: dict[str, str] = field(default_factory=dict)

    def level(self, node_id: str) -> str | None:
        found = self.exposure.get(node_id)
        return found.level if found else None


def analyze(graph: Graph, internal_classes: frozenset[str] = frozenset()) -> Analysis:
    notes: dict[str, str] = {}
    levels = router_levels(graph, internal_classes, notes)  # once: every stage below reads them
    exposure = exposure_of(graph, internal_classes, levels)
    entries = entrypoints(graph, levels)
    return Analysis(
        exposure=exposure,
        entrypoints=entries,
        patterns=patterns(graph, exposure, levels),
        router_levels=levels,
        reach=reachability(graph, levels, entries, exposure),
        router_notes=dict(sorted(notes.items())),
    )
