"""Every count a review comment says is the count of the rows it shows.

Over every real pull request of tests/review_cases (and ../shared/review's)
and over every fixture of tests/fixtures made into pull requests (half of its
files added; every Service made a LoadBalancer), the comment is read back:
each table's heading ("Exposure: 2 lowered", "Objects: 1 added, 3 changed")
counts exactly the rows beneath it with that sign, plus those left out to fit
("… and N more"), and the headline's numbers of ways in, of what became less
exposed and of objects changed are those of the tables.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from svcdocs.render.review_markdown import CHANGES, SIGNS

from conftest import ROOT, SHARED

CASES = ROOT / "tests" / "review_cases"
SHARED_CASES = SHARED / "review" / "cases"
FIXTURES = ROOT / "tests" / "fixtures"
SECTIONS = {"Exposure": "exposure", "Entry points": "entrypoints", "Reachability": "reach",
            "Files svcdocs does not read": "unread", "Objects of kinds svcdocs does not model": "unmodelled",
            "Objects": "objects", "Edges": "edges", "Findings": "findings"}
WORDS = {**{name: changes for name, changes in CHANGES.items()}, "exposure": ("raised", "lowered")}
HEADING = re.compile(r"^(?:#### (?P<title>[^:]+): (?P<tally>.*)"
                     r"|<details(?: open)?><summary><b>(?P<summary>[^<]+)</b>: (?P<summary_tally>.*)</summary>)$")
HIDDEN = re.compile(r"^(?:… and (\d+) more|All (\d+)|The (one)) ")
ENDS = ("#", "<details", "</details>", "<sub>", "> ")


def sections(comment: str) -> list[dict]:
    """Each table of the comment: its heading's counts, its rows' signs, the rows left out,
    and the headline above it."""
    found: list[dict] = []
    current = None
    headline = ""
    for line in comment.splitlines():
        if line.startswith(("### ", "## ")):
            headline, current = line, None
            continue
        match = HEADING.match(line)
        if match and (match["title"] or match["summary"]) in SECTIONS:
            name = SECTIONS[match["title"] or match["summary"]]
            tally = Counter()
            for part in (match["tally"] or match["summary_tally"]).split(", "):
                n, _, word = part.partition(" ")
                tally[word] += int(n)
            current = {"name": name, "tally": tally, "signs": Counter(), "hidden": 0, "headline": headline,
                       "heading": line}
            found.append(current)
            continue
        if current is None:
            continue
        if line.startswith(ENDS):
            current = None
            continue
        if line.startswith("| "):
            sign = line.split("|")[1].strip()
            if sign in SIGNS.values():
                current["signs"][sign] += 1
        elif hidden := HIDDEN.match(line):
            current["hidden"] += int(hidden[1] or hidden[2] or 1)
    return found


def headline_counts(headline: str) -> dict[str, int]:
    """What a headline counts that a table lists too."""
    counts: dict[str, int] = {}
    if m := re.search(r"(\d+) new entry points?", headline):
        counts["entrypoints_added"] = int(m[1])
    if m := re.search(r"(?:(\d+) entry points? removed|new entry points?, (\d+) removed)", headline):
        counts["entrypoints_removed"] = int(m[1] or m[2])
    if m := re.search(r"((?:\d+ Services?)?(?: and )?(?:\d+ workloads?)?) less exposed", headline):
        counts["exposure_lowered"] = sum(int(n) for n in re.findall(r"\d+", m[1]))
    if m := re.search(r"(\d+) objects? ((?:added|removed|changed)(?:, \d+ (?:added|removed|changed))*)", headline):
        counts[f"objects_{m[2].split(',')[0]}"] = int(m[1])
        for n, word in re.findall(r", (\d+) (added|removed|changed)", m[0]):
            counts[f"objects_{word}"] = int(n)
    return counts


def check_comment(comment: str) -> int:
    """The tables of a comment against their headings and headline; how many tables."""
    tables = sections(comment)
    by_headline: dict[str, dict[str, Counter]] = {}
    for table in tables:
        name, tally, signs, hidden = table["name"], table["tally"], table["signs"], table["hidden"]
        assert sum(tally.values()) == sum(signs.values()) + hidden, (table["heading"], signs, hidden)
        if not hidden:
            assert {SIGNS[w]: n for w, n in tally.items() if n} == {s: n for s, n in signs.items() if n}, \
                (table["heading"], signs)
        by_headline.setdefault(table["headline"], {})[name] = tally
    for headline, tallies in by_headline.items():
        for key, n in headline_counts(headline).items():
            name, word = key.split("_")
            if name in tallies:  # a table the comment shows (it may be left out to fit)
                assert tallies[name][word] == n, (headline, key, tallies[name])
    check_environments(comment)
    return len(tables)


def check_environments(comment: str) -> None:
    """A comment over several environments: the headline's "N of M environments changed"
    and "in N of M environments: a, b" against the table of environments."""
    lines = comment.splitlines()
    if "| Environment | Change |" not in lines:
        return
    headline = next(line for line in lines if line.startswith("## "))
    start = lines.index("| Environment | Change |") + 2
    rows = [line.split(" | ") for line in lines[start:] if line.startswith("| ")]
    rows = rows[:next((i for i, line in enumerate(lines[start:]) if not line.startswith("| ")), len(rows))]
    changed = [r for r in rows if r[1].strip(" |") != "No architectural changes"]
    unchanged = sum(_named(r[0].strip("| ")) for r in rows if r not in changed)
    if m := re.search(r"(\d+) of (\d+) environments? changed", headline):
        assert (int(m[1]), int(m[2])) == (len(changed), len(changed) + unchanged), (headline, rows)
    for n, total, names in re.findall(r"in (\d+) of (\d+) environments?: ([^;]+)", headline):
        assert int(n) == _named(names) and int(total) == len(changed) + unchanged, headline


def _named(names: str) -> int:
    """How many `a, b and 3 more` names."""
    more = re.search(r" and (\d+) more$", names)
    return len(names.split(", ")) + (int(more[1]) if more else 0)


def review_comment(cli, base: Path, head: Path) -> str:
    result = cli("diff", base, head)
    if result.exit_code == 2 and "no Kubernetes manifests found" in result.output:
        pytest.skip("charts only: nothing read without --render helm")
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def cases(folder: Path) -> list[Path]:
    return sorted(p.parent / p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


@pytest.mark.parametrize("case", cases(CASES), ids=lambda p: p.name)
def test_a_real_pull_request_counts_what_it_shows(cli, monkeypatch, case):
    monkeypatch.chdir(case)
    check_comment(review_comment(cli, Path("base"), Path("head")))


@pytest.mark.parametrize("case", cases(SHARED_CASES), ids=lambda p: p.name)
def test_a_shared_pull_request_counts_what_it_shows(cli, monkeypatch, shared, case):
    monkeypatch.chdir(case)
    check_comment(review_comment(cli, Path("base"), Path("head")))


def _manifests(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
                  and not p.name.startswith(("kustomization", "Chart", "values")))


@pytest.mark.parametrize("fixture", sorted(p for p in FIXTURES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_a_fixture_made_a_pull_request_counts_what_it_shows(cli, monkeypatch, tmp_path, fixture):
    full, half, exposed = tmp_path / "full", tmp_path / "half", tmp_path / "exposed"
    for copy in (full, half, exposed):
        shutil.copytree(fixture, copy, symlinks=True)
    for path in _manifests(half)[::2]:
        path.unlink()
    for path in _manifests(exposed):
        text = path.read_text(encoding="utf-8", errors="replace")
        path.write_text(re.sub(r"(?m)^(\s+)type: (ClusterIP|NodePort)$", r"\1type: LoadBalancer", text),
                        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    check_comment(review_comment(cli, Path("half"), Path("full")))
    check_comment(review_comment(cli, Path("full"), Path("exposed")))


def test_the_reader_finds_a_heading_that_disagrees():
    comment = ("### ✅ No new exposure: 2 objects changed\n\n"
               "<details><summary><b>Objects</b>: 2 changed</summary>\n\n| | Object | What changed |\n"
               "|:-:|---|---|\n| ✏️ | Service a/b | type: A → B |\n\n</details>\n")
    with pytest.raises(AssertionError):
        check_comment(comment)
    assert check_comment(comment.replace("2 ", "1 ")) == 1
    with pytest.raises(AssertionError):
        check_comment(comment.replace("<b>Objects</b>: 2", "<b>Objects</b>: 1"))
