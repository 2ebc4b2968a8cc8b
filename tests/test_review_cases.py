"""The review of real pull requests, against verdicts read by hand.

Each tests/review_cases/<name>.json names a real commit of a public
repository (`repo`, `commit`, `parent`, `paths`) whose manifest folders at the
parent and at the commit are tests/review_cases/<name>/{base,head}, and says
what a reviewer reads in its diff (`notes`): whether the gate must fail
(`expected_exit_fail_on_exposure`), how the headline starts, which objects the
review must name (`must_mention`), and which it must not report as a change of
the architecture (`must_not_mention_as_changed`: changes of images, replicas,
probes and the like never change what can reach what), and, where given,
every way in added or removed (`entrypoints`). The cases of
../shared/review, when it is beside the checkout, are checked the same way.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, SHARED

CASES = ROOT / "tests" / "review_cases"
SHARED_CASES = SHARED / "review" / "cases"
NAME = r"[A-Za-z0-9_.\-]"


def cases(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def named(object_id: str, *texts: str) -> bool:
    """The id (`Kind/ns/name`) in the JSON, as `Kind ns/name` in the comment, or a Service as `ns/name:PORT`."""
    kind, rest = object_id.split("/", 1)
    forms = [re.escape(object_id), re.escape(f"{kind} {rest}")]
    if kind == "Service":
        forms.append(re.escape(rest) + r":\d")
    pattern = re.compile(rf"(?<!{NAME})(?:{'|'.join(forms)})(?!{NAME}[^:])")
    return any(pattern.search(text) for text in texts)


def reported_as_changed(document: dict) -> set[str]:
    """Every object the review reports as a change of the architecture."""
    found: set[str] = set()
    for part in document.get("environments") or [document]:
        found |= {c["object"] for c in part["exposure"]} | {c["object"] for c in part["unmodelled"]}
        found |= {w for c in part["reach"] for w in c["workloads"]}
        found |= {x for c in part["entrypoints"] for x in (c["via"], c["service"], *c["workloads"]) if x}
        found |= {x for c in part["edges"] for x in (c["from"], c["to"])}
        found |= {c["object"] for c in part["findings"]}
        found |= {c["object"] for c in part["objects"] if not c["neutral"]}
    return found


def check(cli, monkeypatch, folder: Path, name: str, tmp_path: Path) -> None:
    case = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    monkeypatch.chdir(folder / name)
    summary = tmp_path / "comment.md"  # the comment, from the same run
    result = cli("diff", "--format", "json", "--summary", summary, "--fail-on-exposure", "base", "head")
    assert result.exit_code == case["expected_exit_fail_on_exposure"], result.output
    document = json.loads(result.stdout)
    text = re.sub(r"\\(.)", r"\1", summary.read_text(encoding="utf-8"))
    if "verdict_starts" in case:
        assert document["verdict"].startswith(case["verdict_starts"]), document["verdict"]
    assert [i for i in case["must_mention"] if not named(i, result.stdout, text)] == []
    assert sorted(set(case["must_not_mention_as_changed"]) & reported_as_changed(document)) == []
    if "entrypoints" in case:  # every way in added or removed: [change, kind, via]
        assert [[c["change"], c["kind"], c["via"]] for c in document["entrypoints"]] == case["entrypoints"]


@pytest.mark.parametrize("name", cases(CASES))
def test_a_real_pull_request(cli, monkeypatch, name, tmp_path):
    check(cli, monkeypatch, CASES, name, tmp_path)


@pytest.mark.parametrize("name", cases(SHARED_CASES))
def test_a_shared_real_pull_request(cli, monkeypatch, shared, name, tmp_path):
    check(cli, monkeypatch, SHARED_CASES, name, tmp_path)


def test_every_case_says_where_it_comes_from():
    for name in cases(CASES):
        case = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", case["repo"]) and re.fullmatch(r"[0-9a-f]{40}", case["commit"])
        assert re.fullmatch(r"[0-9a-f]{40}", case["parent"]) and case["notes"] and case["paths"]
        assert (CASES / name / "base").is_dir() and (CASES / name / "head").is_dir()
