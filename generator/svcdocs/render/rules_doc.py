"""`svcdocs rules`: the rule catalogue as text, Markdown or JSON, rendered from
the rule modules themselves so the docs cannot drift from the code."""

from __future__ import annotations

import json
import textwrap
from typing import Iterable

from svcdocs.rules import RULES, Rule

WIDTH = 88


def to_text(rules: Iterable[Rule] = RULES) -> str:
    blocks = []
    for rule in rules:
        lines = [f"{rule.id} ({rule.severity})", _wrap(rule.summary, "  ")]
        lines += [_wrap(f"Why: {rule.rationale}", "  "), _wrap(f"Fix: {rule.fix}", "  ")]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent)


def to_markdown(rules: Iterable[Rule] = RULES) -> str:
    rules = list(rules)
    lines = ["# Rules", "", "| id | severity | flags |", "|---|---|---|"]
    lines += [f"| [`{r.id}`](#{r.id}) | {r.severity} | {r.summary} |" for r in rules]
    for rule in rules:
        lines += ["", f"## {rule.id}", "", rule_markdown(rule)]
    return "\n".join(lines) + "\n"


def rule_markdown(rule: Rule) -> str:
    """One rule's documentation, ruff style: what, why, how to fix, examples."""
    return "\n".join([
        f"**Default severity:** {rule.severity}", "",
        f"**What it flags.** {rule.summary}", "",
        f"**Why this matters.** {rule.rationale}", "",
        f"**How to fix.** {rule.fix}", "",
        "Flagged:", "", "```yaml", rule.example.rstrip("\n"), "```", "",
        "Use instead:", "", "```yaml", rule.use_instead.rstrip("\n"), "```",
    ])


def rule_text(rule: Rule) -> str:
    """One rule's documentation as plain text (SARIF help.text)."""
    return f"{rule.summary}\n\nWhy this matters: {rule.rationale}\n\nHow to fix: {rule.fix}"


def to_json(rules: Iterable[Rule] = RULES) -> str:
    document = {"rules": [{"id": r.id, "severity": r.severity, "summary": r.summary,
                           "rationale": r.rationale, "fix": r.fix} for r in rules]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
