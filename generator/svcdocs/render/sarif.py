"""`svcdocs check --format sarif`: SARIF 2.1.0 that GitHub code scanning accepts.

Rule metadata comes from the rule modules; result locations are relative to the
repository root (`%SRCROOT%`), and each result has a fingerprint built from its
rule and object, so code scanning follows an alert when lines move.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Sequence
from urllib.parse import quote

from svcdocs import __version__
from svcdocs.render.locations import relative_to
from svcdocs.render.rules_doc import rule_markdown, rule_page, rule_text
from svcdocs.rules import RULES, Finding, Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
ROOT_BASE = "%SRCROOT%"
# What GitHub code scanning accepts in one upload: past these it rejects the file.
MAX_RESULTS = 25_000  # results per run
MAX_GZIPPED = 10_000_000  # bytes of the gzip-compressed file
_RANK = {"error": 0, "warning": 1, "note": 2}


def sarif_document(findings: Iterable[Finding], root: str, environments: Sequence[str] | None = None) -> dict[str, Any]:
    """`environments`, when given, names each finding's environment (in order)."""
    driver: dict[str, Any] = {"name": "svcdocs", "version": __version__, "semanticVersion": __version__}
    homepage = _homepage()
    if homepage:
        driver["informationUri"] = homepage
    driver["rules"] = [rule_json(r) for r in RULES]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "originalUriBaseIds": {ROOT_BASE: {"uri": Path(root).as_uri().rstrip("/") + "/"}},
            "results": list(_results(findings, root, environments)),
        }],
    }


def rule_json(rule: Rule) -> dict[str, Any]:
    """A rule, with its page on the docs site (helpUri) and, for the rules about
    exposure, the security-severity that code scanning shows as low to critical."""
    properties: dict[str, Any] = {"tags": ["kubernetes"]}
    if rule.security_severity is not None:
        properties = {"tags": ["kubernetes", "security"], "security-severity": rule.security_severity}
    return {
        "id": rule.id,
        "name": "".join(word.capitalize() for word in rule.id.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": rule_text(rule), "markdown": rule_markdown(rule)},
        "helpUri": rule_page(rule.id),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": properties,
    }


def _results(findings: Iterable[Finding], root: str, environments: Sequence[str] | None):
    index = {r.id: i for i, r in enumerate(RULES)}
    seen: Counter = Counter()
    for i, finding in enumerate(findings):
        environment = environments[i] if environments is not None else None
        # an object is the same object in two environments: the environment tells them apart
        key = (finding.rule, finding.object if environment is None else f"{environment}\0{finding.object}")
        seen[key] += 1  # the n-th finding of this rule on this object, in line order
        yield {
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": LEVELS[finding.severity],
            "message": {"text": finding.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": artifact(finding.file, root),
                    "region": {"startLine": finding.line},
                },
                "logicalLocations": [{"fullyQualifiedName": finding.object, "kind": "resource"}],
            }],
            "partialFingerprints": {"svcdocsFinding/v1": _fingerprint(*key, seen[key])},
            **({"properties": {"environment": environment}} if environment is not None else {}),
        }


def artifact(file: str, root: str) -> dict[str, str]:
    relative = relative_to(root, file)
    if relative is not None:
        return {"uri": quote(relative), "uriBaseId": ROOT_BASE}
    if file.startswith("<"):
        return {"uri": quote(file)}
    return {"uri": Path(file).resolve().as_uri()}


def _fingerprint(rule: str, obj: str, occurrence: int) -> str:
    return hashlib.sha256(f"{rule}\0{obj}\0{occurrence}".encode()).hexdigest()[:32]


def _homepage() -> str | None:
    """The project's home page from the installed package's metadata, if any."""
    try:
        meta = metadata.metadata("svcdocs")
    except metadata.PackageNotFoundError:
        return None
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "source", "repository"):
            return url.strip()
    return meta.get("Home-page")


def fit_code_scanning(document: dict[str, Any]) -> str | None:
    """Keep the document within what code scanning accepts: at most MAX_RESULTS
    results and MAX_GZIPPED bytes gzipped, the most severe kept (in their
    order). Says what was left out, in the document and in the returned text."""
    run = document["runs"][0]
    results = run["results"]
    kept = _most_severe(results, MAX_RESULTS)
    while kept and _gzipped_size(document, kept) > MAX_GZIPPED:
        kept = _most_severe(kept, len(kept) * 9 // 10)
    if len(kept) == len(results):
        return None
    note = (f"{len(results):,} findings; the SARIF holds the {len(kept):,} most severe, as GitHub code scanning "
            f"accepts at most {MAX_RESULTS:,} results and {MAX_GZIPPED // 1_000_000} MB gzipped per upload "
            "(svcdocs check --format json has them all)")
    run["results"] = kept
    run["invocations"] = [{"executionSuccessful": True, "toolExecutionNotifications": [
        {"level": "warning", "message": {"text": note}}]}]
    return note


def _most_severe(results: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    if len(results) <= limit:
        return results
    chosen = sorted(range(len(results)), key=lambda i: (_RANK.get(results[i]["level"], 3), i))[:limit]
    return [results[i] for i in sorted(chosen)]


def _gzipped_size(document: dict[str, Any], results: list[dict[str, Any]]) -> int:
    text = dumps({**document, "runs": [{**document["runs"][0], "results": results}]}).encode("utf-8")
    if len(text) <= MAX_GZIPPED // 2:  # gzip adds a few bytes per 64 KB at worst: no need to compress
        return len(text)
    return len(gzip.compress(text, compresslevel=6))


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
