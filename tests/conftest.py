"""Shared test helpers. Tests that read ../shared skip cleanly when it is absent."""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from svcdocs.cli import main
from svcdocs.config import Config
from svcdocs.pipeline import Report, report_for_paths
from svcdocs.render.graph_json import graph_document

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLES = ROOT / "sample-manifests"
KUSTOMIZE = shutil.which("kubectl") or shutil.which("kustomize")  # what renders kustomizations, if any
needs_kustomize = pytest.mark.skipif(KUSTOMIZE is None, reason="needs kubectl or kustomize")


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """svcdocs's cache (and its secret) in a folder of the test session, for
    svcdocs run in this process and in subprocesses alike."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    os.environ.pop("SVCDOCS_CACHE_DIR", None)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from the current output")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture
def shared() -> Path:
    if not (SHARED / "corpus").is_dir():
        pytest.skip("../shared is not here (a user's clone has none)")
    return SHARED


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def manifests(tmp_path):
    """Write manifests (name -> YAML text) into a folder and build the report."""
    def build(files: dict[str, str] | str, config: Config = Config(), **kwargs) -> Report:
        if isinstance(files, str):
            files = {"manifests.yaml": files}
        for name, text in files.items():
            write(tmp_path, name, text)
        return report_for_paths([str(tmp_path)], config, **kwargs)
    return build


@pytest.fixture
def graph_json(manifests):
    def build(files, **kwargs) -> dict:
        return graph_document(manifests(files, **kwargs))
    return build


@pytest.fixture
def cli():
    runner = CliRunner()

    def run(*args, input: bytes | str | None = None):
        return runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)
    return run


def edges_of(document: dict, kind: str) -> list[tuple[str, str]]:
    return [(e["from"], e["to"]) for e in document["edges"] if e["kind"] == kind]


def load_json(text: str) -> dict:
    return json.loads(text)
