"""Rules: the best-practice catalogue. Each rule is one module (see DESIGN.md)."""

from __future__ import annotations

from dataclasses import dataclass

from svcdocs.analysis import Analysis
from svcdocs.config import Config
from svcdocs.graph import Graph

SEVERITY_ORDER = ("info", "warning", "error")


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


def run_rules(graph: Graph, analysis: Analysis, config: Config) -> tuple[Finding, ...]:
    """Every enabled rule over the graph; findings sorted by file and line."""
    return ()
