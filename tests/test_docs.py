"""svcdocs's own docs site: it builds with `mkdocs build --strict` (every
internal link and anchor checked), its generated pages (the rules, the CLI) are
current, as kube-linter checks its generated docs, and the README stays a
newcomer's first screens, with the test command that .ci/run runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

from svcdocs.cli.reference import generated_docs
from svcdocs.rules import RULES

DOCS = ROOT / "docs"
README = ROOT / "README.md"


def test_mkdocs_build_strict(tmp_path):
    pytest.importorskip("material")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
                           "-d", str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = tmp_path / "site"
    assert (site / "index.html").is_file()
    page = (site / "reference" / "rules" / "dangling-service.html").read_text(encoding="utf-8")
    assert "Why this matters" in page and "svcdocs.io/ignore" in page
    # Offline: no font or script from another site.
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in home and "fonts.gstatic.com" not in home


def test_generated_pages_are_current(update_golden):
    """docs/reference/rules*.md and docs/_generated/cli.md come from the rule
    modules and the click commands; `pytest --update-golden` rewrites them."""
    stale = []
    for rel, text in generated_docs().items():
        path = DOCS / rel
        if update_golden:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        elif not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(rel)
    if stale:
        import difflib
        first = stale[0]
        diff = "\n".join(difflib.unified_diff((DOCS / first).read_text(encoding="utf-8").splitlines(),
                                              generated_docs()[first].splitlines(), lineterm=""))
        pytest.fail(f"generated docs out of date (run pytest --update-golden): {stale}\n{diff[:3000]}")
    pages = {p.stem for p in (DOCS / "reference" / "rules").glob("*.md")}
    assert pages == {r.id for r in RULES}, "a rule page without its rule, or a rule without its page"


def test_the_nav_names_every_page_that_exists():
    yaml = pytest.importorskip("yaml")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def pages(nav):
        for item in nav:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            yield from pages(value) if isinstance(value, list) else [value]
    named = set(pages(config["nav"]))
    assert all((DOCS / p).is_file() for p in named)
    written = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")
               if not str(p.relative_to(DOCS)).startswith(("_generated/", "reference/rules/"))}
    assert written == named


def test_the_readme_is_short_and_its_links_lead_somewhere():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if not target.startswith(("https://", "http://")):
            assert (ROOT / target).exists(), target


def _readme_test_command() -> str:
    text = README.read_text(encoding="utf-8")
    block = text.split("and run the tests:", 1)[1].split("```sh\n", 1)[1].split("\n```", 1)[0]
    return block.strip()


def test_ci_runs_the_readme_test_command_word_for_word():
    command = _readme_test_command()
    assert command == ".venv/bin/python -m pytest"
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert run.rstrip().splitlines()[-1] == command
    assert (DOCS / "getting-started.md").read_text(encoding="utf-8").count(f"```sh\n{command}\n```") == 1


def test_the_repositorys_placeholder_address_is_written_one_way():
    """Until the repository is public its address is a placeholder, defined in
    pyproject.toml: every copy of it says the same, so the day it changes one
    search finds them all."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and newer
    import svcdocs

    urls = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    assert urls["Homepage"] == svcdocs.REPOSITORY_URL and urls["Documentation"] == svcdocs.DOCS_URL
    owner_repo = svcdocs.REPOSITORY_URL.removeprefix("https://github.com/")
    files = [ROOT / n for n in ("README.md", "CHANGELOG.md", "SECURITY.md", "action.yml", "mkdocs.yml")]
    files += [p for p in DOCS.rglob("*.md")] + sorted((ROOT / "examples").glob("*.yml"))
    files += sorted((ROOT / ".github").rglob("*.yml"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "OWNER/svcdocs" not in text, path
        for other in re.findall(r"github\.com/([\w.-]+/svcdocs)\b", text) + re.findall(r"uses: ([\w.-]+/svcdocs)@", text):
            assert other == owner_repo, f"{path}: {other}"
        for site in re.findall(r"https://[\w.-]+\.github\.io/svcdocs/", text):
            assert site == svcdocs.DOCS_URL, f"{path}: {site}"
