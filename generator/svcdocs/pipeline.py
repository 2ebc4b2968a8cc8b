"""The pipeline in one place: sources -> model -> graph -> analysis -> findings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Iterable

from svcdocs.analysis import Analysis, analyze
from svcdocs.config import Config
from svcdocs.graph import Graph, build_graph
from svcdocs.load import Source, discover
from svcdocs.model import Model, build_model
from svcdocs.rules import Finding, run_rules


@dataclass(frozen=True)
class Report:
    model: Model
    graph: Graph
    analysis: Analysis
    findings: tuple[Finding, ...]

    @property
    def usable(self) -> bool:
        """Whether any manifest at all could be read."""
        inputs = self.model.inputs
        return any(True for _ in self.model.objects()) or bool(inputs.other_kinds)


def report_for_paths(paths: Iterable[str], config: Config, *, namespace: str = "default",
                     stdin: BinaryIO | None = None, jobs: int | None = None) -> Report:
    found = discover(tuple(paths), stdin)
    return report_for_sources(found.sources, config, namespace=namespace,
                              skipped_files=found.skipped_files, jobs=jobs)


def report_for_sources(sources: Iterable[Source], config: Config, *, namespace: str = "default",
                       skipped_files: int = 0, jobs: int | None = None) -> Report:
    model = build_model(sources, namespace=namespace, skipped_files=skipped_files, jobs=jobs,
                        router_kinds_configured=config.router_kinds)
    graph = build_graph(model)
    analysis = analyze(graph, config.internal_classes)
    return Report(model, graph, analysis, run_rules(graph, analysis, config))
