"""The pipeline in one place: sources -> model -> graph -> analysis -> findings."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import BinaryIO, Iterable

from svcdocs.analysis import Analysis, analyze
from svcdocs.config import Config
from svcdocs.graph import Graph, build_graph
from svcdocs.load import Discovered, LoadOptions, Rendering, Source, Unread, discover
from svcdocs.model import Model, build_model
from svcdocs.rules import Finding, run_rules


@dataclass(frozen=True)
class Report:
    model: Model
    graph: Graph
    analysis: Analysis
    findings: tuple[Finding, ...]
    unread: tuple[Unread, ...] = ()  # files kubectl would apply that svcdocs did not read
    renderings: tuple[Rendering, ...] = ()  # how each PATH was read: files, kustomize, helm...
    notes: tuple[str, ...] = ()  # for the user, from load: a chart read as plain files

    @property
    def usable(self) -> bool:
        """Whether any manifest at all could be read."""
        inputs = self.model.inputs
        return any(True for _ in self.model.objects()) or bool(inputs.other_kinds)


def report_for_paths(paths: Iterable[str], config: Config, *, namespace: str = "default",
                     stdin: BinaryIO | None = None, jobs: int | None = None,
                     options: LoadOptions | None = None) -> Report:
    found = discover(tuple(paths), stdin, options or LoadOptions(render=config.render))
    return report_for_discovered(found, config, namespace=namespace, jobs=jobs)


def report_for_discovered(found: Discovered, config: Config, *, namespace: str = "default",
                          jobs: int | None = None) -> Report:
    report = report_for_sources(found.sources, config, namespace=namespace, skipped_files=found.skipped_files,
                                jobs=jobs)
    return replace(report, unread=found.unread, renderings=found.renderings, notes=found.notes)


def report_for_sources(sources: Iterable[Source], config: Config, *, namespace: str = "default",
                       skipped_files: int = 0, jobs: int | None = None) -> Report:
    model = build_model(sources, namespace=namespace, skipped_files=skipped_files, jobs=jobs)
    graph = build_graph(model)
    analysis = analyze(graph, config.internal_classes)
    return Report(model, graph, analysis, run_rules(graph, analysis, config))
