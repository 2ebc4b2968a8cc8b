"""`svcdocs rules`: the rule catalogue as text, Markdown or JSON, rendered from
the rule modules themselves so the docs cannot drift from the code."""

from __future__ import annotations

import json
import textwrap
from typing import Iterable

from svcdocs import DOCS_URL
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


# --- The rules pages of svcdocs's own docs site ---------------------------------------

DOCS_FOLDER = "reference/rules"  # under docs/: one page per rule, beside reference/rules.md


def rule_page(rule_id: str) -> str:
    """The rule's page on the docs site (no directory URLs: it opens offline too)."""
    return f"{DOCS_URL}{DOCS_FOLDER}/{rule_id}.html"
_GENERATED = ("<!-- Generated from the rule modules by svcdocs.render.rules_doc: "
              "edit the rule's module, then run pytest --update-golden. -->")


def docs_pages(rules: Iterable[Rule] = RULES) -> dict[str, str]:
    """docs/reference/rules.md (the catalogue) and a page per rule, by path under docs/."""
    rules = list(rules)
    pages = {"reference/rules.md": _catalogue(rules)}
    for rule in rules:
        pages[f"{DOCS_FOLDER}/{rule.id}.md"] = _rule_page(rule)
    return pages


def _catalogue(rules: list[Rule]) -> str:
    lines = [_GENERATED, "", "# Rules", "",
             "`svcdocs check` runs these rules; `svcdocs rules` lists them (`--format markdown` prints this "
             "table and each rule's rationale, fix and examples), the site's Rules page shows what each "
             "found, and SARIF links each finding to its rule's page here. Severities are "
             "defaults: the [config](config.md) can change them, turn a rule off or set its threshold, and "
             "an object can [silence a rule](config.md#silencing-a-finding) for itself.", "",
             "| id | severity | flags |", "|---|---|---|"]
    lines += [f"| [`{r.id}`](rules/{r.id}.md) | {r.severity} | {r.summary} |" for r in rules]
    return "\n".join(lines) + "\n"


def _rule_page(rule: Rule) -> str:
    """ruff's sections: what it flags, why, how to fix, an example and what to use instead."""
    severity = f"**Default severity:** {rule.severity}"
    if rule.security_severity is not None:
        severity += f" · **Security severity:** {rule.security_severity} ({_cvss(rule.security_severity)}, in code scanning)"
    lines = [_GENERATED, "", f"# {rule.id}", "", rule.summary, "", severity, "",
             "## Why this matters", "", rule.rationale, "", "## How to fix", "", rule.fix, "",
             "## Example", "", "Flagged:", "", "```yaml", rule.example.rstrip("\n"), "```", "",
             "Use instead:", "", "```yaml", rule.use_instead.rstrip("\n"), "```", "",
             "## Configure", "", "In `.svcdocs.yaml`:", "", "```yaml",
             f"severity:\n  {rule.id}: error             # error, warning or info (default: {rule.severity})"]
    if rule.threshold is not None:
        lines.append(f"thresholds:\n  {rule.id}: {rule.threshold}                 # the default")
    lines += [f"disable: [{rule.id}]         # or turn it off", "```", "",
              "Or on one object (see [Silencing a finding](../config.md#silencing-a-finding)):", "", "```yaml", "metadata:", "  annotations:",
              f'    svcdocs.io/ignore: "{rule.id}"', "```", "",
              "See [Configuration](../config.md) and [all rules](../rules.md)."]
    return "\n".join(lines) + "\n"


def _cvss(score: str) -> str:
    """GitHub code scanning's names for a security-severity."""
    value = float(score)
    return "critical" if value >= 9 else "high" if value >= 7 else "medium" if value >= 4 else "low"
