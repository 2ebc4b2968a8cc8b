"""Environments as JSON: `svcdocs graph --format json` when a repository has
several (schema `svcdocs.environments/v1`: one `svcdocs.graph/v1` document per
environment), and the GitOps pointers and the input that was not rendered,
which the single-environment documents carry too when there are any."""

from __future__ import annotations

from typing import Any

from svcdocs.load.environments import App, Environment
from svcdocs.load.gitops import Pointer
from svcdocs.load.discovery_renders import NotRendered
from svcdocs.pipeline import EnvironmentReports
from svcdocs.render.graph_json import graph_document

SCHEMA = "svcdocs.environments/v1"


def environments_document(reports: EnvironmentReports) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "environments": [{**environment_json(e), "graph": graph_document(r)} for e, r in reports.reports],
        "empty": [environment_json(e) for e in reports.empty],
        "pointers": [pointer_json(p) for p in reports.pointers],
        "not_rendered": [not_rendered_json(n) for n in reports.not_rendered],
        **{k: v for k, v in (("found_by", reports.found_by), ("env_pattern", reports.env_pattern)) if v},
    }


def environment_json(environment: Environment) -> dict[str, Any]:
    data: dict[str, Any] = {"name": environment.name, "path": environment.path, "from": environment.origin,
                            "pointed_by": list(environment.pointed_by)}
    if environment.releases:  # their values never: a digest of those not from a Secret
        data["releases"] = [{"name": r.name, "namespace": r.namespace, "pointer": r.pointer, "chart": r.chart,
                             "version": r.version, "source": r.source, "values_digest": r.values_digest,
                             "status": r.status} for r in environment.releases]
    if environment.apps:
        data["apps"] = [app_json(a) for a in environment.apps]
    if environment.unset:
        data["unset"] = [{"variable": u.name, "file": u.file, "line": u.line, "kustomization": u.kustomization}
                         for u in environment.unset]
    return data


def app_json(app: App) -> dict[str, Any]:
    """What is deployed apart inside an environment: its name, kind, where it
    is read from, the labels of its sources, and where it comes from when not
    this repository (a chart, its version)."""
    data: dict[str, Any] = {"name": app.name, "kind": app.kind, "path": app.path, "sources": list(app.sources)}
    data.update({k: v for k, v in (("source", app.source), ("chart", app.chart), ("version", app.version),
                                   ("namespace", app.namespace)) if v})
    if app.declared[0]:
        data["file"], data["line"] = app.declared
    return data


def discovery_json(reports: EnvironmentReports) -> dict[str, Any]:
    """What a single environment's document adds when discovery found any."""
    extra: dict[str, Any] = {}
    if reports.pointers:
        extra["pointers"] = [pointer_json(p) for p in reports.pointers]
    if reports.not_rendered:
        extra["not_rendered"] = [not_rendered_json(n) for n in reports.not_rendered]
    return extra


def pointer_json(pointer: Pointer) -> dict[str, Any]:
    """Where a pointer is and where it leads; never a chart's inline values or parameters."""
    data: dict[str, Any] = {"kind": pointer.kind, "namespace": pointer.namespace, "name": pointer.name,
                            "file": pointer.file, "line": pointer.line, "repo_url": pointer.repo_url,
                            "revision": pointer.revision, "path": pointer.path}
    if any(pointer.source):
        data["source"] = {"kind": pointer.source[0], "namespace": pointer.source[1], "name": pointer.source[2]}
    if pointer.chart is not None:
        chart = pointer.chart
        data["chart"] = {k: v for k, v in (("chart", chart.chart), ("version", chart.version),
                                           ("repository", chart.repository), ("release", chart.release),
                                           ("values_files", list(chart.values_files))) if v}
    data.update(target=pointer.target, environment=pointer.environment, status=pointer.status)
    return {k: v for k, v in data.items() if v not in ("", None)}


def not_rendered_json(item: NotRendered) -> dict[str, Any]:
    data = {"what": item.what, "kind": item.kind, "file": item.file, "line": item.line, "reason": item.reason,
            "instead": item.instead, "environment": item.environment}
    return {k: v for k, v in data.items() if v != ""}
