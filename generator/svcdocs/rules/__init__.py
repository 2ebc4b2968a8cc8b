"""Rules: the best-practice catalogue. Each rule is one module (see DESIGN.md).

A rule module carries, in one place, its stable `ID`, default `SEVERITY`, a
one-line `SUMMARY` (what it flags), `RATIONALE` (why this matters), `FIX` (how
to fix, one sentence ending with a period), an `EXAMPLE` that it flags and the
manifest to `USE_INSTEAD`, an optional `THRESHOLD`, for the rules about
exposure a `SECURITY_SEVERITY` (a CVSS-like score from 0.0 to 10.0, which code
scanning shows as low, medium, high or critical), and `check(ctx)`, a
generator of hits. `svcdocs rules`, the site's rules page and the SARIF rule
metadata are all rendered from `RULES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Callable, Iterable, Mapping

from svcdocs.analysis import Analysis
from svcdocs.config import Config
from svcdocs.errors import SvcdocsError
from svcdocs.graph import Graph
from svcdocs.rules import (
    dangling_ingress_backend, dangling_network_policy, dangling_service, duplicate_object,
    entrypoint_blocked_by_policy, externalname_invalid, host_network, host_port, ingress_nginx_snippet,
    ingress_route_conflict, ingress_without_tls, loadbalancer_open_to_world, many_loadbalancers,
    missing_readiness_probe, no_network_policy, nodeport_service, probe_port_mismatch,
    reachable_from_all_namespaces, sensitive_port_exposed, statefulset_service_name, unresolved_target_port,
)
from svcdocs.rules.context import Context, Hit

SEVERITY_ORDER = ("info", "warning", "error")

# The order of the table in DESIGN.md: errors first, then warnings, then info.
_MODULES: tuple[ModuleType, ...] = (
    dangling_service, dangling_ingress_backend, unresolved_target_port, duplicate_object,
    externalname_invalid, ingress_route_conflict, probe_port_mismatch, sensitive_port_exposed,
    entrypoint_blocked_by_policy, nodeport_service, many_loadbalancers, no_network_policy, missing_readiness_probe,
    ingress_without_tls, dangling_network_policy, host_network, host_port, statefulset_service_name,
    ingress_nginx_snippet, loadbalancer_open_to_world, reachable_from_all_namespaces,
)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: str
    summary: str
    rationale: str
    fix: str
    example: str
    use_instead: str
    threshold: int | None
    check: Callable[[Context], Iterable[Hit]]
    security_severity: str | None = None

    @classmethod
    def from_module(cls, module: ModuleType) -> Rule:
        return cls(
            id=module.ID, severity=module.SEVERITY, summary=module.SUMMARY, rationale=module.RATIONALE,
            fix=module.FIX, example=module.EXAMPLE, use_instead=module.USE_INSTEAD,
            threshold=getattr(module, "THRESHOLD", None), check=module.check,
            security_severity=getattr(module, "SECURITY_SEVERITY", None),
        )


RULES: tuple[Rule, ...] = tuple(Rule.from_module(m) for m in _MODULES)
RULE_IDS: tuple[str, ...] = tuple(r.id for r in RULES)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: str
    object: str
    file: str
    line: int
    message: str

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.rule, self.object, self.message)


def run_rules(graph: Graph, analysis: Analysis, config: Config,
              apps: Mapping[str, str] | None = None) -> tuple[Finding, ...]:
    """Every enabled rule over the graph; findings sorted by file and line.
    `apps`: each source's label to its app, where apps are deployed apart."""
    check_config(config)
    ctx = Context(graph, analysis, config, apps or {})
    findings = []
    for rule in RULES:
        if rule.id in config.disable:
            continue
        severity = config.severity.get(rule.id)
        for hit in rule.check(ctx):
            if rule.id not in hit.obj.ignored_rules:
                findings.append(Finding(
                    rule=rule.id, severity=severity or hit.severity or rule.severity, object=hit.obj.id,
                    file=hit.file or hit.obj.file, line=hit.line or hit.obj.name_line, message=hit.message,
                ))
    return tuple(sorted(set(findings), key=Finding.sort_key))


def check_config(config: Config) -> None:
    """Every rule id the config names must be in the catalogue: a typo would
    otherwise silently leave a rule on."""
    where = config.path or "config"
    named = [("disable", r) for r in sorted(config.disable)]
    named += [("severity", r) for r in sorted(config.severity)]
    named += [("thresholds", r) for r in sorted(config.thresholds)]
    for key, rule_id in named:
        if rule_id not in RULE_IDS:
            raise SvcdocsError(f"{where}: {key} names unknown rule {rule_id!r}; `svcdocs rules` lists them")
    with_thresholds = [r.id for r in RULES if r.threshold is not None]
    for rule_id in sorted(config.thresholds):
        if rule_id not in with_thresholds:
            raise SvcdocsError(f"{where}: rule {rule_id!r} has no threshold; thresholds apply to {', '.join(with_thresholds)}")


def at_or_above(findings: Iterable[Finding], severity: str) -> bool:
    """Whether any finding is at least as severe as `severity`."""
    floor = SEVERITY_ORDER.index(severity)
    return any(SEVERITY_ORDER.index(f.severity) >= floor for f in findings)
