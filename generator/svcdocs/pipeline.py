"""The pipeline in one place: sources -> model -> graph -> analysis -> findings.

`report_for_paths` and `report_for_sources` make one report. Above them,
`reports_for_paths` makes one report per environment of a repository (see
`load.environments`): the same pipeline, run once for each.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import BinaryIO, Iterable, Sequence

from svcdocs.analysis import Analysis, analyze
from svcdocs.config import Config
from svcdocs.graph import Graph, build_graph
from svcdocs.load import Discovered, LoadOptions, Problem, Rendering, Source, Unread, discover
from svcdocs.load.environments import Environment, EnvironmentOptions, Environments, discover_environments
from svcdocs.load.gitops import CONFIG_KINDS, Pointer
from svcdocs.load.discovery_renders import NotRendered
from svcdocs.model import Model, build_model, build_models
from svcdocs.rules import Finding, run_rules
from svcdocs.runtime import gc_paused


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
    model = build_model(sources, namespace=namespace, skipped_files=skipped_files, jobs=jobs,
                        router_kinds_configured=config.router_kinds)
    with gc_paused():
        graph = build_graph(model)
        analysis = analyze(graph, config.internal_classes)
        return Report(model, graph, analysis, run_rules(graph, analysis, config))


@dataclass(frozen=True)
class EnvironmentReports:
    """A report for each environment, and what discovery found around them."""

    reports: tuple[tuple[Environment, Report], ...]  # environments holding manifests, in order
    pointers: tuple[Pointer, ...] = ()
    not_rendered: tuple[NotRendered, ...] = ()
    empty: tuple[Environment, ...] = ()  # environments that hold no manifest svcdocs reads
    discovered: bool = True
    unread: tuple[Unread, ...] = ()  # files kubectl would apply that svcdocs did not read
    notes: tuple[str, ...] = ()  # for the user, from load: a chart read as plain files
    dropped: tuple[Problem, ...] = ()  # documents not read, of every environment (those left empty too), once each
    found_by: str = ""  # how discovery found the environments (Environments.found_by)
    env_pattern: str = ""  # the --env option that would group them (Environments.env_pattern)

    @property
    def single(self) -> Report | None:
        """The report, when there is exactly one environment: the output is then
        what it has always been."""
        return self.reports[0][1] if len(self.reports) == 1 else None

    @property
    def usable(self) -> bool:
        return any(report.usable for _, report in self.reports)


def reports_for_paths(paths: Iterable[str], config: Config, *, namespace: str = "default",
                      stdin: BinaryIO | None = None, options: EnvironmentOptions = EnvironmentOptions(),
                      jobs: int | None = None) -> EnvironmentReports:
    if options.render is None:
        options = replace(options, render=LoadOptions(render=config.render))
    found = discover_environments(tuple(paths), stdin, options)
    return reports_for_environments(found, config, namespace=namespace, jobs=jobs)


def reports_for_environments(found: Environments, config: Config, *, namespace: str = "default",
                             jobs: int | None = None) -> EnvironmentReports:
    """The pipeline once per environment; every environment's files are parsed
    in one pass, so many small environments use every core as one large one does."""
    return reports_for_each((found,), config, namespace=namespace, jobs=jobs)[0]


def reports_for_each(founds: Sequence[Environments], config: Config, *, namespace: str = "default",
                     jobs: int | None = None) -> list[EnvironmentReports]:
    """`reports_for_environments` of each, all their files parsed in one pass
    and each distinct file once: BASE and HEAD of a review share most."""
    environments = [e for found in founds for e in found.environments]
    models = iter(build_models([(e.sources, e.skipped_files, e.namespaces(namespace))
                                for e in environments], jobs=jobs, router_kinds_configured=config.router_kinds))
    return [_reports(found, [next(models) for _ in found.environments], config) for found in founds]


def _reports(found: Environments, models: list[Model], config: Config) -> EnvironmentReports:
    reports, empty = [], []
    dropped = dict.fromkeys(p for model in models for p in model.inputs.dropped)
    for environment, model in zip(found.environments, models):
        with gc_paused():
            graph = build_graph(model)
            analysis = analyze(graph, config.internal_classes)
            report = Report(model, graph, analysis, run_rules(graph, analysis, config, environment.apps_of_sources()))
        if not found.discovered:  # read as before: the report says what load said of the PATHs
            report = replace(report, unread=found.unread, renderings=found.renderings, notes=found.notes)
        reports.append((environment, report))
    if found.discovered and any(_deploys(r) for _, r in reports):
        empty = [e for e, r in reports if not _deploys(r)]
        reports = [(e, r) for e, r in reports if _deploys(r)]
    return EnvironmentReports(tuple(reports), found.pointers, found.not_rendered, tuple(empty), found.discovered,
                              found.unread, found.notes, tuple(dropped), found.found_by, found.env_pattern)


def _deploys(report: Report) -> bool:
    """Whether an environment holds anything but GitOps configuration (which
    the pointers list already): an environment of Argo CD Applications alone
    is no environment of its own."""
    if any(True for _ in report.model.objects()):
        return True
    return any(kind not in CONFIG_KINDS for kind, _ in report.model.inputs.other_kinds)
