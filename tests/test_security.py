"""Safe on untrusted pull requests (issue 10): each attack of the security
review, as the attacker would mount it, run against svcdocs as a subprocess.

The attacker controls every file of the checkout: manifests, `.svcdocs.yaml`,
links, a committed `review.md`, `site/` or `.svcdocs-cache/`. Each test plants
what a pull request could, runs the command a workflow or a laptop would, and
checks that nothing leaks, nothing outside the output is written or deleted,
the review gate sees the change, and nothing hangs: the hanging inputs run
under 10 s and 1 GiB.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, write

TIMEOUT_S = 60
HANG_TIMEOUT_S = 10  # the issue's bound for the inputs that hung every command
MEMORY_BYTES = 2**30
SECRET_TEXT = "-----BEGIN OPENSSH PRIVATE KEY----- svcdocs-test-secret-key"
PLANTED = "svcdocs-planted-by-a-pull-request"

SERVICE = """\
apiVersion: v1
kind: Service
metadata: {{name: {name}}}
spec: {{type: {type}, selector: {{app: web}}, ports: [{{port: 80}}]}}
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}
"""


# --- Running svcdocs as a workflow or a laptop would ----------------------------------

# A small Python that sets the limits, then becomes svcdocs (exec keeps them):
# address space, and optionally the largest file it may write (a full disk).
# `-P`, as the `svcdocs` script runs: nothing imported from the working directory.
LIMITED = ("import os, resource, signal, sys; memory, fsize = int(sys.argv[1]), int(sys.argv[2]); "
           "resource.setrlimit(resource.RLIMIT_AS, (memory, memory)); "
           "fsize and signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
           "fsize and resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize)); "
           "safe = ['-P'] if sys.version_info >= (3, 11) else []; "
           "os.execv(sys.executable, [sys.executable, *safe, '-m', 'svcdocs', *sys.argv[3:]])")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def svcdocs(cwd: Path, *args: str, timeout: float = TIMEOUT_S, env: dict[str, str] | None = None,
            fsize: int = 0) -> Run:
    """svcdocs under 1 GiB of address space, killed with what it started past `timeout`."""
    full_env = dict(os.environ, MALLOC_ARENA_MAX="2", PYTHONUTF8="1", **(env or {}))
    started = time.monotonic()
    with subprocess.Popen([sys.executable, "-c", LIMITED, str(MEMORY_BYTES), str(fsize), *map(str, args)], cwd=cwd,
                          env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          start_new_session=True) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            stderr += f"\n(killed after {timeout} s)".encode()
    return Run(process.returncode, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"),
               time.monotonic() - started)


def one_line_error(run: Run, *words: str) -> None:
    """Exit 2 with one `svcdocs: ...` line that says what, no traceback."""
    assert run.code == 2, (run.code, run.stderr[-3000:])
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("svcdocs: ") and all(w in last for w in words), last


def finished_in_time(run: Run, bound: float = HANG_TIMEOUT_S) -> None:
    assert "killed after" not in run.stderr and run.seconds < bound, run.seconds
    assert "Traceback" not in run.stderr and "MemoryError" not in run.stderr, run.stderr[-3000:]


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
                                   GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")).stdout


@pytest.fixture
def secret_file(tmp_path) -> Path:
    """A file outside the checkout that must never be read, written or deleted."""
    return write(tmp_path, "home/.ssh/id_rsa", SECRET_TEXT + "\n")


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A repository with k8s/ committed at HEAD (a ClusterIP Service and its
    Deployment): the base a pull request changes."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    write(repo, "k8s/web.yaml", SERVICE.format(name="web", type="ClusterIP") + "---\n" + DEPLOYMENT)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    return repo


def review(checkout: Path, *args: str) -> tuple[Run, dict]:
    """The workflow's gate: `diff --git HEAD k8s --fail-on-exposure`, as JSON,
    on the pull request's files as a checkout has them: tracked."""
    _git(checkout, "add", "-A")
    run = svcdocs(checkout, "diff", "--git", "HEAD", "k8s", "--fail-on-exposure", "--format", "json", *args)
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    return run, (json.loads(run.stdout) if run.stdout.strip() else {})


# --- 1. Output is never written through a link ------------------------------------------

def test_diff_refuses_an_output_that_is_a_link_and_leaves_its_target_alone(tmp_path, secret_file):
    """A fork commits review.md as a link to ~/.ssh/id_rsa; the workflow runs
    `svcdocs diff ... -o review.md`."""
    write(tmp_path, "base/web.yaml", SERVICE.format(name="web", type="ClusterIP"))
    write(tmp_path, "head/web.yaml", SERVICE.format(name="web", type="LoadBalancer"))
    (tmp_path / "review.md").symlink_to(secret_file)
    run = svcdocs(tmp_path, "diff", "base", "head", "-o", "review.md")
    one_line_error(run, "review.md", "symbolic link")
    assert secret_file.read_text() == SECRET_TEXT + "\n"
    assert (tmp_path / "review.md").is_symlink()


def test_an_output_file_is_replaced_whole_never_written_into(tmp_path):
    """svcdocs writes a temporary file beside the output and renames it over:
    another name for the same file (a hard link) keeps its bytes."""
    write(tmp_path, "base/web.yaml", SERVICE.format(name="web", type="ClusterIP"))
    write(tmp_path, "head/web.yaml", SERVICE.format(name="web", type="LoadBalancer"))
    victim = write(tmp_path, "victim.txt", "keep me\n")
    os.link(victim, tmp_path / "review.md")
    run = svcdocs(tmp_path, "diff", "base", "head", "-o", "review.md")
    assert run.code == 0, run.stderr
    assert victim.read_text() == "keep me\n"
    assert "<!-- svcdocs-review -->" in (tmp_path / "review.md").read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".review.md")] == []


def test_check_writes_sarif_with_o_and_never_through_a_link(tmp_path, secret_file):
    """`check > svcdocs.sarif` lets the shell write through a committed link;
    `check -o FILE` replaces FILE, and refuses a link."""
    write(tmp_path, "k8s/web.yaml", SERVICE.format(name="web", type="NodePort"))
    run = svcdocs(tmp_path, "check", "k8s", "--format", "sarif", "--fail-on", "never", "-o", "svcdocs.sarif")
    assert run.code == 0 and run.stdout == "", run.stderr
    sarif = json.loads((tmp_path / "svcdocs.sarif").read_text())
    assert "nodeport-service" in {r["ruleId"] for r in sarif["runs"][0]["results"]}
    (tmp_path / "svcdocs.sarif").unlink()
    (tmp_path / "svcdocs.sarif").symlink_to(secret_file)
    run = svcdocs(tmp_path, "check", "k8s", "--format", "sarif", "--fail-on", "never", "-o", "svcdocs.sarif")
    one_line_error(run, "svcdocs.sarif", "symbolic link")
    assert secret_file.read_text() == SECRET_TEXT + "\n"


def _workflow_commands(path: Path) -> list[tuple[str, str]]:
    """(where, text) of every run script and every `with:` value of a workflow,
    or of the steps of a composite action."""
    found = []
    document = yaml.safe_load(path.read_text())
    jobs = document["jobs"] if "jobs" in document else {"action": document["runs"]}
    for job_name, job in jobs.items():
        for i, step in enumerate(job.get("steps", [])):
            where = f"{path.name}:{job_name}:{step.get('name', i)}"
            if "run" in step:
                found.append((where, step["run"]))
            for key, value in (step.get("with") or {}).items():
                found.append((f"{where}:{key}", str(value)))
    return found


RUNNER_TEMP = re.compile(r'^"?(\$RUNNER_TEMP|\$\{RUNNER_TEMP\}|\$\{\{ runner\.temp \}\})/')


@pytest.mark.parametrize("workflow", [ROOT / "action.yml", ROOT / "examples" / "pages.yml",
                                      ROOT / ".github" / "workflows" / "pages.yml"], ids=lambda p: p.name)
def test_the_workflows_write_outside_the_checkout_and_read_back_only_that(workflow):
    """What svcdocs writes goes to $RUNNER_TEMP (emptied for each job), never
    to a path in the checkout that a pull request could have committed (a link
    to a key, or a forged review), and every file read back is from there."""
    outputs, reads = [], []
    for where, text in _workflow_commands(workflow):
        for match in re.finditer(r"(?:^|\s)(?:-o|--output)\s+(\S*\$\{\{[^}]*\}\}\S*|\S+)", text):
            outputs.append((where, match.group(1)))
        if re.search(r"(?m)^\s*svcdocs\s[^\n]*\s>\s*[^&\s]", text):
            outputs.append((where, "a shell redirection"))
        reads += [(where, m.group(1)) for m in re.finditer(r"(?:\bcat\s+|body=@)(\"?[^\s>]+)", text)]
        reads += [(where, m.group(1)) for m in re.finditer(r'\[ -f (\S+) \]', text)]
        if where.endswith((":sarif_file", ":path")):
            reads.append((where, text))
    assert outputs or reads
    read_paths = [(w, p) for w, p in reads if p != '"$GITHUB_STEP_SUMMARY"']
    # review="$RUNNER_TEMP/review.md"; out=$(mktemp -d "${RUNNER_TEMP:-/tmp}/svcdocs.XXXXXXXX") (a new private folder)
    variables = {m.group(1) for _, text in _workflow_commands(workflow)
                 for m in re.finditer(r'(\w+)=(?:"\$RUNNER_TEMP/|\$\(mktemp -d "\$\{RUNNER_TEMP)', text)}
    variables |= {"FOLDER"}  # the Action's steps get the folder its first step made (env: FOLDER)

    def in_temp(path: str) -> bool:
        return (bool(RUNNER_TEMP.match(path)) or path.startswith("${{ steps.run.outputs.")  # the Action's own folder
                or path.strip('"').lstrip("$").strip("{}").split("/")[0] in variables)
    assert [(w, p) for w, p in outputs if not in_temp(p)] == []
    assert [(w, p) for w, p in read_paths if not in_temp(p)] == []


# --- 2. serve serves what it built, never what the repository ships -------------------------

def _start_serve(cwd: Path, *args: str) -> tuple[subprocess.Popen, str, list[str]]:
    process = subprocess.Popen([sys.executable, "-m", "svcdocs", "serve", *args, "--port", "0"], cwd=cwd,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    lines: list[str] = []
    found = threading.Event()

    def read() -> None:
        for line in process.stderr:
            lines.append(line)
            if "Serving on" in line:
                found.set()
    threading.Thread(target=read, daemon=True).start()
    if not found.wait(TIMEOUT_S):
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("".join(lines))
    url = re.search(r"http://127\.0\.0\.1:\d+/", "".join(lines)).group(0)
    return process, url, lines


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, ""


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_serve_builds_afresh_and_never_serves_a_site_the_repository_ships(tmp_path, secret_file):
    """A clone carries `.svcdocs-cache/serve/site/`, built by the attacker
    (a marker anyone could compute), plus a link to a key and a script."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "sample-manifests" / "shop", repo / "k8s")
    shipped = repo / ".svcdocs-cache" / "serve" / "site"
    assert svcdocs(repo, "build", "k8s", "-o", shipped).code == 0
    (shipped / "leak").symlink_to(secret_file)
    index = shipped / "index.html"
    index.write_text(index.read_text().replace("</body>", f"<script>{PLANTED}</script></body>"))
    process, url, lines = _start_serve(repo, "k8s")
    try:
        status, page = _get(url)
        assert status == 200 and PLANTED not in page and "shop" in page
        status, leaked = _get(url + "leak")
        assert status == 404 and SECRET_TEXT not in leaked
        assert not any("up to date" in line for line in lines), lines
    finally:
        _stop(process)


def test_the_preview_server_follows_no_link(tmp_path, secret_file):
    from svcdocs.render.site.serve import start_server

    site = tmp_path / "site"
    write(site, "index.html", "<p>home</p>")
    (site / "leak").symlink_to(secret_file)
    (site / "folder").symlink_to(secret_file.parent, target_is_directory=True)
    server = start_server(site, 0)
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        assert _get(base) == (200, "<p>home</p>")
        assert _get(base + "leak")[0] == 404
        assert _get(base + "folder/id_rsa")[0] == 404
    finally:
        server.shutdown()


# --- 3. build: nothing in the checkout stands in for svcdocs's state ---------------------------

@pytest.fixture
def small_input(tmp_path) -> Path:
    return write(tmp_path, "repo/k8s/web.yaml", SERVICE.format(name="web", type="LoadBalancer")
                 + "---\n" + DEPLOYMENT).parent.parent


def test_build_never_deletes_through_links_planted_in_its_cache(small_input, tmp_path):
    """The cache's folders are committed as links to folders outside; a build
    that trusted them deleted files there. Here the cache is even asked to be
    in the checkout (SVCDOCS_CACHE_DIR), as a CI cache step might."""
    env = {"SVCDOCS_CACHE_DIR": str(small_input / ".svcdocs-cache")}
    assert svcdocs(small_input, "build", "k8s", "-o", "site", env=env).code == 0
    victims = {}
    planted = [p for p in (small_input / ".svcdocs-cache").rglob("*")
               if p.is_dir() and p.name in ("project", "diagrams")]
    assert planted
    for folder in planted:
        victim = tmp_path / "victims" / f"{len(victims)}-{folder.name}"
        write(victim, "docs/keep.md", "keep me\n")
        write(victim, "keep.svg", "keep me\n")
        shutil.rmtree(folder)
        folder.symlink_to(victim, target_is_directory=True)
        victims[victim] = sorted(p.relative_to(victim) for p in victim.rglob("*"))
    run = svcdocs(small_input, "build", "k8s", "-o", "site", "--title", "Another title", env=env)
    assert run.code == 0, run.stderr
    for victim, files in victims.items():
        assert sorted(p.relative_to(victim) for p in victim.rglob("*")) == files
        assert (victim / "keep.svg").read_text() == "keep me\n"
    assert "Another title" in (small_input / "site" / "index.html").read_text()


def test_a_cached_diagram_is_used_only_when_its_proof_holds(small_input):
    """A cached SVG with a script in it (planted, or edited in the cache)
    reached every page with 0 diagrams redrawn."""
    if shutil.which("dot") is None:
        pytest.skip("needs Graphviz dot")
    env = {"SVCDOCS_CACHE_DIR": str(small_input / ".svcdocs-cache")}
    assert svcdocs(small_input, "build", "k8s", "-o", "site", env=env).code == 0
    cached = list((small_input / ".svcdocs-cache").rglob("*.svg"))
    assert cached
    for svg in cached:
        first = svg.read_text().split("\n", 1)[0]
        keep = first + "\n" if not first.startswith("<") else ""  # whatever proof it carried, kept
        svg.write_text(f"{keep}<svg><script>alert('{PLANTED}')</script></svg>\n")
    shutil.rmtree(small_input / "site")
    run = svcdocs(small_input, "build", "k8s", "-o", "site", env=env)
    assert run.code == 0, run.stderr
    assert f"({len(cached)} drawn)" in run.stderr, run.stderr
    for page in (small_input / "site").rglob("*.html"):
        assert PLANTED not in page.read_text(), page


def test_a_site_is_kept_only_when_svcdocs_can_prove_it_built_it(small_input, tmp_path):
    """A committed site/ with a marker that matches the input was kept as it
    was, scripts and all."""
    assert svcdocs(small_input, "build", "k8s", "-o", "site").code == 0
    index = small_input / "site" / "index.html"
    index.write_text(index.read_text().replace("</body>", f"<script>{PLANTED}</script></body>"))
    run = svcdocs(small_input, "build", "k8s", "-o", "site")
    assert run.code == 0 and "up to date" not in run.stderr, run.stderr
    assert PLANTED not in index.read_text()
    # the same site in a fresh clone on another machine (another cache, another secret)
    clone = tmp_path / "clone"
    shutil.copytree(small_input, clone, symlinks=True)
    run = svcdocs(clone, "build", "k8s", "-o", "site", env={"SVCDOCS_CACHE_DIR": str(tmp_path / "other-cache")})
    assert run.code == 0 and "up to date" not in run.stderr, run.stderr
    # and an untouched site on the machine that built it is kept
    run = svcdocs(small_input, "build", "k8s", "-o", "site")
    assert run.code == 0 and "up to date" in run.stderr, run.stderr


def test_a_secret_that_came_with_the_checkout_is_never_used(small_input):
    """A cache folder committed to the repository (as a CI cache step might
    restore it there) brings its own secret, known to the attacker: git checks
    it out readable by others, and svcdocs makes a new one instead."""
    cache = small_input / ".svcdocs-cache"
    known = b"k" * 32
    write(cache, "secret", "")
    (cache / "secret").write_bytes(known)
    (cache / "secret").chmod(0o644)
    run = svcdocs(small_input, "build", "k8s", "-o", "site", env={"SVCDOCS_CACHE_DIR": str(cache)})
    assert run.code == 0, run.stderr
    assert (cache / "secret").read_bytes() != known
    assert (cache / "secret").stat().st_mode & 0o777 == 0o600


def test_build_refuses_an_output_folder_that_is_a_link(small_input, tmp_path):
    victim = tmp_path / "victim"
    write(victim, "keep.txt", "keep me\n")
    (small_input / "site").symlink_to(victim, target_is_directory=True)
    run = svcdocs(small_input, "build", "k8s", "-o", "site", "--force")
    one_line_error(run, "symbolic link")
    assert [p.name for p in victim.iterdir()] == ["keep.txt"]


# --- 4. The review counts everything kubectl would apply -------------------------------------

LOAD_BALANCER = SERVICE.format(name="sneaky", type="LoadBalancer")


@pytest.mark.parametrize("where", [".hidden/lb.yaml", ".lb.yaml", "values.yaml", "Chart.yml", "public/lb.yaml"])
def test_a_load_balancer_added_where_svcdocs_used_not_to_look_fails_the_gate(checkout, where):
    """`kubectl apply -R -f k8s/` applies each of these; the review said "No
    architectural changes" and exited 0."""
    write(checkout / "k8s", where, LOAD_BALANCER)
    if where.startswith("public/"):
        write(checkout / "k8s", "public/.svcdocs-site", "")  # an empty site marker
    run, doc = review(checkout)
    assert run.code == 1, run.output
    assert ("Service/default/sneaky", None, "internet") in [(c["object"], c["before"], c["after"])
                                                              for c in doc["exposure"]]
    assert doc["verdict"].startswith("⚠")


def test_a_file_svcdocs_cannot_read_or_an_unmodelled_kind_fails_the_gate(checkout, tmp_path):
    elsewhere = write(tmp_path, "elsewhere/lb.yaml", LOAD_BALANCER)
    (checkout / "k8s" / "linked.yaml").symlink_to(elsewhere)
    run, doc = review(checkout)
    assert run.code == 1, run.output
    assert doc["not_read"] == [{"change": "added", "file": "k8s/linked.yaml",
                                "reason": "a symbolic link to outside the PATH it was found in"}]
    assert "k8s/linked.yaml: not read: a symbolic link to outside the PATH it was found in" in run.stderr
    (checkout / "k8s" / "linked.yaml").unlink()
    write(checkout / "k8s", "endpoint.yaml", "apiVersion: example.com/v1\nkind: PublicEndpoint\n"
                                             "metadata: {name: open}\nspec: {service: web, public: true}\n")
    run, doc = review(checkout)
    assert run.code == 1, run.output
    assert doc["unmodelled"] == [{"change": "added", "object": "PublicEndpoint/default/open",
                                  "kind": "PublicEndpoint", "inert": False}]
    markdown = svcdocs(checkout, "diff", "--git", "HEAD", "k8s").stdout
    assert "Objects of kinds svcdocs does not model" in markdown and "PublicEndpoint" in markdown


def test_the_gate_applies_the_base_config_not_the_one_the_pull_request_brings(checkout):
    """A pull request that adds an unmodelled object and, with it, a config
    that lets such objects pass, still fails the gate; the base's config can
    let them pass."""
    write(checkout / "k8s", "endpoint.yaml", "apiVersion: example.com/v1\nkind: PublicEndpoint\n"
                                             "metadata: {name: open}\n")
    write(checkout, ".svcdocs.yaml", "fail-on-unmodelled: false\ninert-kinds: [PublicEndpoint]\n")
    run, doc = review(checkout)
    assert run.code == 1, run.output
    assert doc["notes"] and "as of HEAD" in doc["notes"][0]
    _git(checkout, "add", ".svcdocs.yaml")
    _git(checkout, "commit", "-q", "-m", "the maintainers agree", "--", ".svcdocs.yaml")
    run, doc = review(checkout)
    assert run.code == 0, run.output
    assert doc["unmodelled"][0]["inert"] is True


# --- 5. A pull request cannot make svcdocs reach outside the repository ------------------------

def test_a_kustomization_with_a_git_file_resource_fetches_nothing_and_fails_the_gate(checkout, tmp_path):
    """The pull request turns k8s/ into a kustomization whose resource is
    another repository on the runner: kustomize pulled it in."""
    if not (shutil.which("kubectl") or shutil.which("kustomize")):
        pytest.skip("needs kubectl or kustomize")
    other = tmp_path / "other-repo"
    write(other, "base/svc.yaml", SERVICE.format(name="outside-sentinel", type="LoadBalancer"))
    write(other, "base/kustomization.yaml", "resources: [svc.yaml]\n")
    _git(other, "init", "-q")
    _git(other, "add", "-A")
    _git(other, "commit", "-q", "-m", "elsewhere")
    write(checkout, "k8s/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                                              f"resources:\n- web.yaml\n- git::file://{other}//base\n")
    run, _ = review(checkout)
    assert run.code != 0 and "outside-sentinel" not in run.output
    assert re.search(r"k8s/kustomization.yaml:5: resources entry 'git::file://.*': names a remote or file:// "
                     r"location, which kustomize would fetch", run.stderr), run.stderr
    allowed = svcdocs(checkout, "graph", "k8s", "--allow-remote")  # the user's choice, not the pull request's
    assert allowed.code == 0 and "outside-sentinel" in allowed.stdout, allowed.stderr


def test_plain_files_that_become_a_kustomization_fail_the_gate_and_say_so(checkout):
    if not (shutil.which("kubectl") or shutil.which("kustomize")):
        pytest.skip("needs kubectl or kustomize")
    write(checkout, "k8s/kustomization.yaml", "resources: [web.yaml]\n")
    run, doc = review(checkout)
    assert run.code == 1, run.output
    assert doc["rendering"] == [{"path": "k8s", "before": "files", "after": "kustomize"}]
    assert doc["exposure"] == [] and doc["verdict"] == "⚠ k8s now read as a kustomization"
    markdown = svcdocs(checkout, "diff", "--git", "HEAD", "k8s").stdout
    assert "> k8s is read differently: plain files at BASE, a kustomization at HEAD." in markdown


def test_a_kustomization_that_climbs_out_of_the_repository_is_refused(checkout, tmp_path, secret_file):
    write(tmp_path, "outside/svc.yaml", SERVICE.format(name="outside-sentinel", type="LoadBalancer"))
    write(tmp_path, "outside/kustomization.yaml", "resources: [svc.yaml]\n")
    write(checkout, "k8s/kustomization.yaml", "resources: [web.yaml, ../../outside]\n")
    run = svcdocs(checkout, "graph", "k8s")
    assert "outside-sentinel" not in run.output
    assert "k8s/kustomization.yaml:1: resources entry '../../outside': leads outside the repository" in run.stderr
    # a file kustomize would read for a generator or a patch, linked to outside
    write(checkout, "k8s/kustomization.yaml", "resources: [web.yaml]\n"
                                              "configMapGenerator: [{name: keys, files: [id_rsa]}]\n")
    (checkout / "k8s" / "id_rsa").symlink_to(secret_file)
    run = svcdocs(checkout, "graph", "k8s")
    assert SECRET_TEXT not in run.output
    assert "k8s/id_rsa:1: a symbolic link to outside the repository" in run.stderr, run.stderr


class _Counting(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):
        _Counting.requests.append(self.path)
        body = SERVICE.format(name="fetched-sentinel", type="LoadBalancer").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def _counting_server():
    """A server on 127.0.0.1 that counts its requests; yields its address."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Counting.requests = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_an_http_resource_is_never_fetched(tmp_path):
    if not (shutil.which("kubectl") or shutil.which("kustomize")):
        pytest.skip("needs kubectl or kustomize")
    with _counting_server() as address:
        url = f"{address}/svc.yaml"
        write(tmp_path, "k8s/kustomization.yaml", f"resources: [{url}]\n")
        run = svcdocs(tmp_path, "graph", "k8s")
    assert _Counting.requests == []
    assert "fetched-sentinel" not in run.output
    one_line_error(run, "no Kubernetes manifests found")
    assert "resources entry 'http://127.0.0.1:" in run.stderr


def _fake_helm(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """helm on PATH that notes it ran and prints a Service."""
    ran = tmp_path / "helm-ran"
    write(tmp_path, "bin/helm", f'#!/bin/sh\necho "$@" > "{ran}"\n'
                                f'printf "apiVersion: v1\\nkind: Service\\nmetadata: {{name: from-helm}}\\n"\n')
    (tmp_path / "bin" / "helm").chmod(0o755)
    return {"PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}"}, ran


def test_helm_runs_only_when_the_user_asks(tmp_path):
    """A pull request that adds Chart.yaml to a plain folder made svcdocs run helm on it."""
    env, ran = _fake_helm(tmp_path)
    write(tmp_path, "k8s/Chart.yaml", "apiVersion: v2\nname: x\nversion: 0.1.0\n")
    write(tmp_path, "k8s/web.yaml", SERVICE.format(name="web", type="ClusterIP"))
    run = svcdocs(tmp_path, "graph", "k8s", env=env)
    assert run.code == 0 and not ran.exists(), run.stderr
    assert "k8s holds a Helm chart; it is read as plain files" in run.stderr
    assert "Service/default/web" in run.stdout
    run = svcdocs(tmp_path, "graph", "k8s", "--render", "helm", env=env)
    assert run.code == 0 and "from-helm" in run.stdout, run.stderr
    assert ran.read_text().split()[-2:] == ["--", str(tmp_path / "k8s")]


def test_helm_never_runs_on_a_chart_with_a_link_outside_it(tmp_path, secret_file):
    env, ran = _fake_helm(tmp_path)
    write(tmp_path, "chart/Chart.yaml", "apiVersion: v2\nname: x\nversion: 0.1.0\n")
    write(tmp_path, "chart/templates/cm.yaml", "{{ .Files.Get \"files/key\" }}\n")
    (tmp_path / "chart" / "files").mkdir()
    (tmp_path / "chart" / "files" / "key").symlink_to(secret_file)
    run = svcdocs(tmp_path, "graph", "chart", "--render", "helm", env=env)
    assert not ran.exists() and SECRET_TEXT not in run.output
    assert "chart/files/key:1: a symbolic link to outside the chart" in run.stderr, run.stderr


def test_a_folder_named_like_a_flag_reaches_kubectl_as_a_path(tmp_path):
    if shutil.which("kubectl") is None:
        pytest.skip("needs kubectl")
    write(tmp_path, "kustomization.yaml", "resources: [cwd.yaml]\n")
    write(tmp_path, "cwd.yaml", SERVICE.format(name="from-the-working-directory", type="ClusterIP"))
    write(tmp_path, "--enable-helm/kustomization.yaml", "resources: [svc.yaml]\n")
    write(tmp_path, "--enable-helm/svc.yaml", SERVICE.format(name="from-the-folder", type="ClusterIP"))
    run = svcdocs(tmp_path, "graph", "--", "--enable-helm")
    assert run.code == 0, run.stderr
    assert "from-the-folder" in run.stdout and "from-the-working-directory" not in run.stdout


def test_kubectl_errors_are_shown_whole_on_one_line(tmp_path):
    if shutil.which("kubectl") is None:
        pytest.skip("needs kubectl")
    write(tmp_path, "k8s/kustomization.yaml", "resources: [svc.yaml]\npatches:\n- path: nope.yaml\n")
    write(tmp_path, "k8s/svc.yaml", SERVICE.format(name="web", type="ClusterIP"))
    run = svcdocs(tmp_path, "graph", "k8s")
    one_line_error(run, "kubectl kustomize", "failed", "nope.yaml", "no such file or directory")
    assert len(run.stderr.strip().splitlines()) == 1


def test_names_longer_than_kubernetes_allows_are_load_problems(tmp_path):
    """A 4,000-character name reached the review comment."""
    long_name = "a" * 4000
    write(tmp_path, "base/web.yaml", SERVICE.format(name="web", type="ClusterIP"))
    write(tmp_path, "head/web.yaml", SERVICE.format(name="web", type="ClusterIP") + "---\n"
          + SERVICE.format(name=long_name, type="LoadBalancer"))
    run = svcdocs(tmp_path, "diff", "base", "head")
    assert run.code == 0 and long_name not in run.output
    assert "head/web.yaml:8: metadata.name is 4,000 characters long; Kubernetes allows at most 253" in run.stderr


# --- 6. Inputs that hung every command: 10 s and 1 GiB each ----------------------------------
# (The quadratic route analysis, an HTTPRoute of 2,400 hostnames x 2,400
# backends, is fixed and tested with the router rewrite, issue 11.)

def test_a_long_run_of_blanks_before_a_yaml_error_is_read_in_linear_time(tmp_path):
    write(tmp_path, "r.yaml", "kind: Service\nmetadata: {name: x}\nx: " + " " * 80000 + "y\nbad: [\n")
    run = svcdocs(tmp_path, "graph", "r.yaml", timeout=HANG_TIMEOUT_S)
    finished_in_time(run)
    assert run.stderr.startswith("r.yaml:4: invalid YAML"), run.stderr[:300]


def _calling_each_other(n: int) -> str:
    """n Services, and n Deployments whose env names every Service."""
    env = ", ".join(f"{{name: SVC_{j}, value: 'http://svc{j}:80'}}" for j in range(n))
    return "---\n".join(f"""\
apiVersion: v1
kind: Service
metadata: {{name: svc{i}}}
spec: {{selector: {{app: a{i}}}, ports: [{{port: 80}}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: d{i}}}
spec:
  selector: {{matchLabels: {{app: a{i}}}}}
  template:
    metadata: {{labels: {{app: a{i}}}}}
    spec: {{containers: [{{name: c, image: x, env: [{env}]}}]}}
""" for i in range(n))


def test_a_namespace_where_every_workload_calls_every_service_builds_in_time(tmp_path):
    """40 Services, each Deployment's env naming every Service (69 KB): `dot`
    took 135 s; with 70 Services, more than 590 s."""
    if shutil.which("dot") is None:
        pytest.skip("needs Graphviz dot")
    write(tmp_path, "k8s/all.yaml", _calling_each_other(40))
    graph = json.loads(svcdocs(tmp_path, "graph", "k8s").stdout)
    # the graph keeps every call; each Deployment's own Service is none (issue 23)
    assert sum(1 for e in graph["edges"] if e["kind"] == "calls") == 40 * 39
    run = svcdocs(tmp_path, "build", "k8s", "-o", "site", timeout=HANG_TIMEOUT_S)
    finished_in_time(run)
    assert run.code == 0, run.stderr
    page = (tmp_path / "site" / "namespaces" / "default" / "index.html").read_text()
    assert "The 1,560 calls found in environment variables are not drawn here" in page
    assert "<svg" in page  # the rest of the namespace is drawn


def test_an_alias_bomb_in_the_config_is_one_line(tmp_path):
    """A 375-byte .svcdocs.yaml grew to gigabytes: the error printed the value's repr."""
    lines = ["disable:", '- &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"- &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    lines.append("severity: {nodeport-service: *i}")
    write(tmp_path, ".svcdocs.yaml", "\n".join(lines) + "\n")
    write(tmp_path, "k8s/web.yaml", SERVICE.format(name="web", type="NodePort"))
    run = svcdocs(tmp_path, "check", "k8s", timeout=HANG_TIMEOUT_S)
    finished_in_time(run)
    one_line_error(run, "severity of nodeport-service must be one of error, warning, info, not a list")


def test_a_deeply_nested_config_is_one_line(tmp_path):
    write(tmp_path, ".svcdocs.yaml", "disable: " + "[" * 3000 + "]" * 3000 + "\n")
    write(tmp_path, "k8s/web.yaml", SERVICE.format(name="web", type="NodePort"))
    run = svcdocs(tmp_path, "check", "k8s", timeout=HANG_TIMEOUT_S)
    finished_in_time(run)
    one_line_error(run, ".svcdocs.yaml:1:", "nested")


# --- 7. The smaller problems --------------------------------------------------------------

def test_site_url_is_checked_and_quoted(small_input):
    run = svcdocs(small_input, "build", "k8s", "-o", "site", "--site-url", 'https://e.x/"><script>alert(2)</script>')
    assert run.code == 0, run.stderr
    for page in (small_input / "site").rglob("*.html"):
        assert "<script>alert(2)" not in page.read_text(), page
    exposure = (small_input / "site" / "exposure" / "index.html").read_text()
    assert '<link rel="canonical" href="https://e.x/%22%3E%3Cscript%3Ealert%282%29%3C/script%3E/exposure/">' \
        in exposure
    one_line_error(svcdocs(small_input, "build", "k8s", "-o", "site", "--site-url", "javascript:alert(1)//"),
                   "--site-url must start with https:// or http://")


def test_the_github_format_shows_control_characters_as_escapes(tmp_path):
    write(tmp_path, "k8s/web.yaml", SERVICE.format(name='"web\\e[31m\\a\\u202eexe.txt"', type="NodePort"))
    run = svcdocs(tmp_path, "check", "k8s", "--format", "github", "--fail-on", "never")
    assert run.code == 0, run.stderr
    assert not any(c in run.stdout for c in ("\x1b", "\x07", "\u202e"))
    assert "web\\u001b[31m\\u0007\\u202eexe.txt" in run.stdout


def test_links_that_lead_outside_path_are_named_not_followed(tmp_path):
    write(tmp_path, "elsewhere/lb.yaml", SERVICE.format(name="from-outside", type="LoadBalancer"))
    write(tmp_path, "repo/k8s/web.yaml", SERVICE.format(name="web", type="ClusterIP"))
    (tmp_path / "repo" / "k8s" / "outside.yaml").symlink_to(tmp_path / "elsewhere" / "lb.yaml")
    (tmp_path / "repo" / "k8s" / "inside.yaml").symlink_to("web.yaml")
    run = svcdocs(tmp_path / "repo", "graph", "k8s")
    assert run.code == 0 and "from-outside" not in run.stdout, run.stderr
    assert "k8s/outside.yaml: not read: a symbolic link to outside the PATH it was found in" in run.stderr
    assert json.loads(run.stdout)["inputs"]["not_read"] == [
        {"file": "k8s/outside.yaml", "reason": "a symbolic link to outside the PATH it was found in"}]
    (tmp_path / "repo" / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    run = svcdocs(tmp_path / "repo", "graph", "linked")
    one_line_error(run, "linked: a symbolic link to", "outside the working directory")


def test_annotation_values_reach_the_review_only_for_the_keys_svcdocs_reads(tmp_path):
    annotated = """\
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    example.com/loadbalancer-token: {value}
    svcdocs.io/anything: {value}
    service.beta.kubernetes.io/aws-load-balancer-internal: "{internal}"
spec: {{type: LoadBalancer, ports: [{{port: 80}}]}}
"""
    write(tmp_path, "base/web.yaml", annotated.format(value="svcdocs-secret-before", internal="true"))
    write(tmp_path, "head/web.yaml", annotated.format(value="svcdocs-secret-after", internal="false"))
    run = svcdocs(tmp_path, "diff", "base", "head")
    assert run.code == 0, run.stderr
    assert "svcdocs-secret" not in run.output
    assert "aws-load-balancer-internal" in run.stdout  # what changes exposure is still shown


def test_alias_names_never_reach_a_message(monkeypatch):
    """PyYAML's pure-Python parser quotes the alias it trips on; without libyaml
    an alias named after a secret reached stderr and the site."""
    import yaml as pyyaml

    from svcdocs.load import Source, parse
    from svcdocs.load import yamldocs

    monkeypatch.setattr(yamldocs, "Loader", pyyaml.SafeLoader)
    data = (b"apiVersion: v1\nkind: Service\nmetadata: {name: *hunter2-db-password}\n---\n"
            b"a: &dup-secret-anchor 1\nb: &dup-secret-anchor 2\n")
    reasons = [p.reason for p in parse(Source(label="in.yaml", data=data, size=len(data))).problems]
    assert len(reasons) == 2
    assert not any("hunter2" in r or "dup-secret" in r for r in reasons), reasons
    assert reasons[0] == "invalid YAML: found undefined alias"


def test_a_folder_tree_a_thousand_levels_deep_is_read(tmp_path):
    """os.walk recursed once per level: a 1,100-level tree was a traceback."""
    deep = tmp_path / "k8s"
    deep.mkdir()
    for _ in range(1100):
        deep = deep / "a"
        deep.mkdir()
    (deep / "web.yaml").write_text(SERVICE.format(name="at-the-bottom", type="ClusterIP"))
    try:
        run = svcdocs(tmp_path, "graph", "k8s")
        assert run.code == 0 and "Service/default/at-the-bottom" in run.stdout, run.stderr[-2000:]
    finally:  # shutil.rmtree (and so pytest's clean-up) recurses once per level too
        (deep / "web.yaml").unlink()
        while deep != tmp_path:
            deep.rmdir()
            deep = deep.parent


def test_a_full_disk_is_one_line_and_leaves_the_previous_output(small_input):
    """ENOSPC or a read-only disk while writing: one line, exit 2, no traceback
    (a full disk is made here by a limit on the size of a file)."""
    assert svcdocs(small_input, "build", "k8s", "-o", "site").code == 0
    before = (small_input / "site" / "index.html").read_text()
    run = svcdocs(small_input, "build", "k8s", "-o", "site", "--title", "Another", fsize=4096)
    one_line_error(run, "File too large")
    assert (small_input / "site" / "index.html").read_text() == before
    write(small_input, "base/web.yaml", SERVICE.format(name="web", type="ClusterIP"))
    run = svcdocs(small_input, "diff", "base", "k8s", "-o", "review.md", fsize=100)
    one_line_error(run, "File too large")
    assert not (small_input / "review.md").exists()
    assert [p.name for p in small_input.iterdir() if p.name.startswith(".review.md")] == []


# mkdocs as the build runs it (`python -m mkdocs`), standing in to hang once it
# has started, so that a test can act while a build is under way.
HANGING_MKDOCS = """\
import os, sys, time
with open(os.environ["FAKE_MKDOCS_PID"], "w") as f:
    f.write(str(os.getpid()))
time.sleep(120)
"""


def _start_hanging_build(cwd: Path, out: str) -> tuple[subprocess.Popen, Path]:
    fake = cwd.parent / "fake"
    write(fake, "mkdocs/__init__.py", "")
    write(fake, "mkdocs/__main__.py", HANGING_MKDOCS)
    pid_file = cwd.parent / "mkdocs.pid"
    path = os.pathsep.join(p for p in (str(fake), os.environ.get("PYTHONPATH", "")) if p)
    env = dict(os.environ, PYTHONPATH=path, FAKE_MKDOCS_PID=str(pid_file))
    process = subprocess.Popen([sys.executable, "-m", "svcdocs", "build", "k8s", "-o", out], cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + TIMEOUT_S
    while not pid_file.is_file() or not pid_file.read_text():
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    return process, pid_file


def test_sigterm_cleans_up_as_ctrl_c_does(small_input):
    """SIGTERM left a `.site.svcdocs-*` folder and orphaned mkdocs processes."""
    process, pid_file = _start_hanging_build(small_input, "site")
    assert [p.name for p in small_input.iterdir() if p.name.startswith(".site.svcdocs-")]
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=TIMEOUT_S)
    assert process.returncode == 128 + signal.SIGTERM and stderr.strip().splitlines()[-1] == "svcdocs: terminated"
    assert "Traceback" not in stderr
    assert [p.name for p in small_input.iterdir() if p.name.startswith(".site.svcdocs-")] == []
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


def test_two_builds_into_one_output_folder_are_one_at_a_time(small_input):
    """Two builds of different inputs into one -o ran over each other's files: a traceback."""
    process, pid_file = _start_hanging_build(small_input, "site")
    try:
        write(small_input, "other/web.yaml", SERVICE.format(name="other", type="ClusterIP"))
        run = svcdocs(small_input, "build", "other", "-o", "site")
        one_line_error(run, "site", "another svcdocs build is writing it")
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=TIMEOUT_S)


def test_serve_survives_a_rebuild_that_fails(tmp_path):
    """A nested .svcdocs.yaml killed serve: only some errors kept it serving."""
    write(tmp_path, "k8s/web.yaml", SERVICE.format(name="web", type="ClusterIP"))
    process, url, lines = _start_serve(tmp_path, "k8s")
    try:
        write(tmp_path, ".svcdocs.yaml", "disable: " + "[" * 3000 + "]" * 3000 + "\n")
        deadline = time.monotonic() + TIMEOUT_S
        while not any("still serving the last good build" in line for line in lines):
            assert process.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.1)
        assert _get(url)[0] == 200
        assert "Traceback" not in "".join(lines)
    finally:
        _stop(process)
    assert process.returncode == 128 + signal.SIGTERM


# === Round 2 (issue 19): no code from the checkout, no fetches, no blind spots in the gate ===

# --- 8. No code from the checkout runs --------------------------------------------------------

PLANTED_MODULE = "import pathlib; pathlib.Path({marker!r}).write_text('ran')\n"


@pytest.mark.skipif(sys.version_info < (3, 11), reason="`python -m svcdocs` here would import them itself without -P")
def test_no_python_module_of_the_checkout_runs_in_a_build(small_input, tmp_path):
    """`python -m mkdocs` ran in the repository: its own mkdocs.py (or
    yaml.py, markdown.py, imported later) ran, and the build still succeeded."""
    markers = {}
    for folder in (small_input, small_input / "k8s"):
        for module in ("mkdocs", "yaml", "markdown", "jinja2", "material"):
            marker = tmp_path / f"ran-{folder.name}-{module}"
            write(folder, f"{module}.py", PLANTED_MODULE.format(marker=str(marker)))
            markers[marker] = module
    run = svcdocs(small_input, "build", "k8s", "-o", "site")
    assert run.code == 0, run.stderr
    assert [m for m in markers if m.exists()] == []
    assert (small_input / "site" / "index.html").is_file()


# --- 9. The gate sees every object kubectl applies ------------------------------------------

def test_items_of_a_document_of_any_kind_are_read_as_kubectl_applies_them(checkout):
    """kubectl applies the `items` of any document as a list; a ConfigMap's
    items holding a LoadBalancer was reviewed as "No new exposure"."""
    write(checkout / "k8s", "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: innocent}\nitems:\n- "
          + LOAD_BALANCER.replace("\n", "\n  ").rstrip() + "\n")
    run, doc = review(checkout)
    assert run.code == 1, run.output
    assert ("Service/default/sneaky", None, "internet") in [(c["object"], c["before"], c["after"])
                                                              for c in doc["exposure"]]


def test_a_repeated_key_takes_its_last_value_as_kubectl_does(checkout):
    """An added j.json whose Service says "type": "ClusterIP" then
    "type": "LoadBalancer" was dropped, and the gate passed; kubectl's client
    keeps the last value (YAML too)."""
    write(checkout / "k8s", "j.json", '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "sneaky"}, '
          '"spec": {"type": "ClusterIP", "ports": [{"port": 80}], "type": "LoadBalancer"}}\n')
    write(checkout / "k8s", "y.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: other}\n"
          "spec:\n  type: ClusterIP\n  ports: [{port: 80}]\n  type: NodePort\n")
    run, doc = review(checkout)
    assert run.code == 1, run.output
    levels = {c["object"]: c["after"] for c in doc["exposure"]}
    assert levels["Service/default/sneaky"] == "internet" and levels["Service/default/other"] == "node"


def test_files_below_a_kustomization_that_it_does_not_list_are_named(checkout):
    """`kubectl apply -R -f k8s` applies k8s/extra/lb.yaml; the kustomization
    does not list it, and it was neither read nor named."""
    if not (shutil.which("kubectl") or shutil.which("kustomize")):
        pytest.skip("needs kubectl or kustomize")
    write(checkout, "k8s/kustomization.yaml", "resources: [web.yaml]\n")
    _git(checkout, "add", "-A")
    _git(checkout, "commit", "-q", "-m", "a kustomization")
    write(checkout, "k8s/extra/lb.yaml", LOAD_BALANCER)
    run, doc = review(checkout)
    assert run.code == 1, run.output
    assert [(c["change"], c["file"]) for c in doc["not_read"]] == [("added", "k8s/extra/lb.yaml")]
    assert "k8s/kustomization.yaml, which does not list it" in doc["not_read"][0]["reason"]
    check = svcdocs(checkout, "check", "k8s", "--fail-on", "never")
    assert "k8s/extra/lb.yaml: not read: below k8s/kustomization.yaml, which does not list it" in check.stderr


# --- 10. What svcdocs could not read or render fails the gate --------------------------------

NOT_RENDERED = {
    "remote base": "resources: [lb.yaml, https://github.com/org/repo//base?ref=main]\n",
    "helm charts": "resources: [lb.yaml]\nhelmCharts:\n- {name: redis, repo: https://charts.example.com}\n",
    "a failed render": "resources: [lb.yaml]\npatches:\n- path: missing-patch.yaml\n",
}


@pytest.mark.parametrize("kustomization", NOT_RENDERED.values(), ids=NOT_RENDERED.keys())
def test_a_new_kustomization_that_is_not_rendered_fails_the_gate_and_says_so(checkout, kustomization):
    """A new kustomization that is refused or fails (beside a LoadBalancer
    that `kubectl apply -R` applies) was said only on stderr: "No
    architectural changes", exit 0."""
    if not (shutil.which("kubectl") or shutil.which("kustomize")):
        pytest.skip("needs kubectl or kustomize")
    write(checkout, "k8s/new/kustomization.yaml", kustomization)
    write(checkout, "k8s/new/lb.yaml", LOAD_BALANCER)
    run, doc = review(checkout)
    assert run.code == 1, run.output
    assert doc["fails"] and "k8s/new not rendered" in " ".join(u["reason"] for u in doc["unseen"])
    markdown = svcdocs(checkout, "diff", "--git", "HEAD", "k8s").stdout
    top = markdown.split("####")[0]
    assert "could not read or render" in top and "k8s/new not rendered" in top, markdown[:2000]


def test_every_comment_variant_says_what_was_not_rendered(checkout):
    """With several environments the comment is another one: it says it too."""
    if not (shutil.which("kubectl") or shutil.which("kustomize")):
        pytest.skip("needs kubectl or kustomize")
    write(checkout, "k8s/app/kustomization.yaml", "resources: [svc.yaml]\n")
    write(checkout, "k8s/app/svc.yaml", SERVICE.format(name="app", type="ClusterIP"))
    _git(checkout, "add", "-A")
    _git(checkout, "commit", "-q", "-m", "two environments")
    write(checkout, "k8s/new/kustomization.yaml", NOT_RENDERED["remote base"])
    write(checkout, "k8s/new/lb.yaml", LOAD_BALANCER)
    run, doc = review(checkout)
    assert run.code == 1 and doc["schema"] == "svcdocs.review-environments/v1", run.output
    assert any("k8s/new not rendered" in u["reason"] for u in doc["unseen"])
    summary = checkout.parent / "summary.md"
    markdown = svcdocs(checkout, "diff", "--git", "HEAD", "k8s", "--summary", summary).stdout
    for text in (markdown, summary.read_text()):
        top = text.split("| Environment |")[0]
        assert "could not read or render" in top and "k8s/new not rendered" in top, text[:2000]


def test_a_new_document_svcdocs_cannot_parse_fails_the_gate(checkout):
    write(checkout / "k8s", "broken.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: x\n"
          "spec: {type: LoadBalancer}\n")
    run, doc = review(checkout)
    assert run.code == 1, run.output
    assert [(u["file"], u["kind"]) for u in doc["unseen"]] == [("k8s/broken.yaml", "document")]
    # a document already broken at BASE is no news
    _git(checkout, "add", "-A")
    _git(checkout, "commit", "-q", "-m", "broken already")
    run, doc = review(checkout)
    assert run.code == 0 and doc["unseen"] == [], run.output


def test_a_new_way_in_toward_a_service_not_in_the_input_fails_the_gate():
    """A real Contour commit (tests/fixtures/contour-inclusion-fix/SOURCE.txt)
    fixes an include: root.bar.com/service2 and /service2/blog go live toward
    Services deployed elsewhere. It was reviewed "✅ No new exposure"."""
    fixture = ROOT / "tests" / "fixtures" / "contour-inclusion-fix"
    run = svcdocs(fixture, "diff", "base", "head", "--fail-on-exposure", "--format", "json")
    assert run.code == 1, run.output
    doc = json.loads(run.stdout)
    ways = {(w["host"], w["path"], w["service"], w["port"]) for w in doc["toward_absent"]}
    assert ways == {("root.bar.com", "/service2", "Service/default/s2", 80),
                    ("root.bar.com", "/service2/blog", "Service/default/blog", 80)}
    markdown = svcdocs(fixture, "diff", "base", "head").stdout
    assert "root.bar.com /service2/blog → Service default/blog:80" in markdown.split("####")[0]


# --- 11. kustomize fetches nothing and reads only what the checker let through ------------------

FETCHING = {
    "configMapGenerator files": "configMapGenerator:\n- name: c\n  files: [{url}]\n",
    "configMapGenerator key=file": "configMapGenerator:\n- name: c\n  files: [body={url}]\n",
    "secretGenerator envs": "secretGenerator:\n- name: s\n  envs: [{url}]\n",
    "patches path": "patches:\n- path: {url}\n",
    "patchesJson6902 path": "patchesJson6902:\n- target: {{kind: Service, name: web}}\n  path: {url}\n",
    "replacements path": "replacements:\n- path: {url}\n",
    "crds": "crds: [{url}]\n",
    "configurations": "configurations: [{url}]\n",
    "openapi path": "openapi:\n  path: {url}\n",
    "a transformer's configuration": "transformers: [patcher.yaml]\n",
    "an inline transformer": ("transformers:\n- |\n  apiVersion: builtin\n  kind: PatchTransformer\n"
                              "  metadata: {{name: p}}\n  path: {url}\n  target: {{kind: Service}}\n"),
}


@pytest.mark.parametrize("where", ["PATH", "discovery"])
@pytest.mark.parametrize("field", FETCHING.values(), ids=FETCHING.keys())
def test_kustomize_fetches_no_file_named_by_any_field(tmp_path, field, where):
    """Any URL a kustomization names was fetched (a PATH that is itself a
    kustomization was not checked at all, and discovery missed generators):
    cloud metadata, the intranet, their bodies printed in the review."""
    if not (shutil.which("kubectl") or shutil.which("kustomize")):
        pytest.skip("needs kubectl or kustomize")
    with _counting_server() as address:
        url = f"{address}/secret"
        folder = "k8s" if where == "PATH" else "k8s/app"
        write(tmp_path, f"{folder}/kustomization.yaml", "resources: [web.yaml]\n" + field.format(url=url))
        write(tmp_path, f"{folder}/web.yaml", SERVICE.format(name="web", type="ClusterIP"))
        write(tmp_path, f"{folder}/patcher.yaml", "apiVersion: builtin\nkind: PatchTransformer\nmetadata: {name: p}\n"
                                                  f"path: {url}\ntarget: {{kind: Service}}\n")
        write(tmp_path, "k8s/plain.yaml", SERVICE.format(name="plain", type="ClusterIP"))
        run = svcdocs(tmp_path, "graph", "k8s")
    assert _Counting.requests == [], run.stderr
    assert "fetched-sentinel" not in run.output
    assert f"'{url}'" in run.stderr and "which kustomize would fetch" in run.stderr, run.stderr


def test_the_checker_knows_every_field_that_names_a_file(tmp_path):
    """Each field kustomize reads a file from, in the kustomization or in a
    plugin's configuration, is refused when it names a URL."""
    from svcdocs.load.kustomize_check import check

    url = "https://169.254.169.254/latest/meta-data"
    fields = [*(f.format(url=url) for f in FETCHING.values()),
              f"helmCharts:\n- name: c\n  valuesFile: {url}\n  additionalValuesFiles: [{url}]\n",
              "helmGlobals: {chartHome: ../../outside, configHome: ../../outside}\n",
              f"generators:\n- |\n  apiVersion: builtin\n  kind: ConfigMapGenerator\n  metadata: {{name: g}}\n"
              f"  files: [{url}]\n  envs: [{url}]\n",
              f"transformers:\n- |\n  apiVersion: builtin\n  kind: ReplacementTransformer\n  metadata: {{name: r}}\n"
              f"  replacements:\n  - path: {url}\n"]
    write(tmp_path, "repo/k8s/patcher.yaml", f"kind: PatchStrategicMergeTransformer\npaths: [{url}]\n")
    for text in fields:
        write(tmp_path, "repo/k8s/kustomization.yaml", text)
        found = check(str(tmp_path / "repo" / "k8s"), str(tmp_path / "repo"), allow_remote=False, helm=True)
        assert found.problems, text
        assert all("kustomize would fetch" in p.reason or "outside the repository" in p.reason
                   for p in found.problems), (text, found.problems)


def test_kustomize_runs_behind_a_proxy_that_goes_nowhere(tmp_path):
    """A backstop for what a check could miss: without --allow-remote,
    kustomize (and the git and helm it runs) send every fetch to a proxy
    where nothing listens."""
    ran = tmp_path / "env"
    write(tmp_path, "bin/kubectl", f'#!/bin/sh\nenv > "{ran}"\nprintf "apiVersion: v1\\nkind: Service\\n'
                                   f'metadata: {{name: from-kubectl}}\\n"\n')
    (tmp_path / "bin" / "kubectl").chmod(0o755)
    # namePrefix: more than a list of files, which svcdocs reads without kustomize (load/listed.py)
    write(tmp_path, "k8s/kustomization.yaml", "resources: [web.yaml]\nnamePrefix: x-\n")
    write(tmp_path, "k8s/web.yaml", SERVICE.format(name="web", type="ClusterIP"))
    env = {"PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}", "NO_PROXY": "169.254.169.254",
           "HTTPS_PROXY": ""}
    assert svcdocs(tmp_path, "graph", "k8s", env=env).code == 0
    seen = dict(line.split("=", 1) for line in ran.read_text().splitlines() if "=" in line)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        assert seen.get(name) == "http://127.0.0.1:9", name
    assert seen.get("NO_PROXY") == "" and seen.get("no_proxy") == "" and seen.get("GIT_ALLOW_PROTOCOL") == ""
    assert svcdocs(tmp_path, "graph", "k8s", "--allow-remote", env=env).code == 0
    assert "HTTPS_PROXY=\n" in ran.read_text()  # the user's own, when they allow fetches


def test_kustomize_never_reads_git_credentials_or_untracked_files(tmp_path):
    """A kustomization at the top of the checkout read .git/config (the
    token `actions/checkout` keeps there) through a generator, and
    `replacements:` copied it into an Ingress path shown in the review;
    untracked files (credentials another step wrote) were as readable."""
    if not (shutil.which("kubectl") or shutil.which("kustomize")):
        pytest.skip("needs kubectl or kustomize")
    repo = tmp_path / "repo"
    write(repo, "ingress.yaml", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\n"
                                "spec:\n  rules:\n  - http:\n      paths:\n      - path: /placeholder\n"
                                "        pathType: Prefix\n        backend: {service: {name: web, port: {number: 80}}}\n")
    _git(repo, "init", "-q")
    _git(repo, "config", "http.https://github.com/.extraheader", f"AUTHORIZATION: basic {PLANTED}")
    for stolen in (".git/config", "gha-creds.json"):
        write(repo, "gha-creds.json", f'{{"private_key": "{PLANTED}"}}\n')
        write(repo, "kustomization.yaml", f"""\
resources: [ingress.yaml]
configMapGenerator:
- name: loot
  files: [stolen={stolen}]
replacements:
- source: {{kind: ConfigMap, name: loot, fieldPath: data.stolen}}
  targets:
  - select: {{kind: Ingress, name: web}}
    fieldPaths: [spec.rules.0.http.paths.0.path]
""")
        _git(repo, "add", "ingress.yaml", "kustomization.yaml")
        run = svcdocs(repo, "graph", ".")
        assert PLANTED not in run.output, stolen
        reason = "git's own files (.git)" if stolen == ".git/config" else "gha-creds.json:1: not tracked by git"
        assert reason in run.stderr, run.stderr


# --- 12. Globs and generators stay in the repository and end -------------------------------------

APPLICATION_SET = """\
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {{name: apps, namespace: argocd}}
spec:
  generators:
  - git:
      repoURL: https://github.com/org/repo.git
      directories: [{{path: '{pattern}'}}]
  template:
    metadata: {{name: '{{{{path.basename}}}}'}}
    spec:
      source: {{repoURL: https://github.com/org/repo.git, path: '{{{{path}}}}'}}
      destination: {{namespace: default}}
"""


def test_an_application_set_glob_never_climbs_out_of_the_repository(tmp_path):
    """`apps/../../../*` listed the machine's folders as Applications."""
    repo = tmp_path / "repo"
    write(repo, "apps/web/svc.yaml", SERVICE.format(name="web", type="ClusterIP"))
    write(repo, "argo/appset.yaml", APPLICATION_SET.format(pattern="apps/../../*"))
    write(tmp_path, "outside-sentinel/svc.yaml", SERVICE.format(name="outside-sentinel", type="LoadBalancer"))
    run = svcdocs(repo, "graph", ".", "--format", "json")
    assert run.code == 0, run.stderr
    assert "outside-sentinel" not in run.output, json.loads(run.stdout).get("pointers")
    assert not any(".." in p.get("path", "") for p in json.loads(run.stdout).get("pointers", []))


def _loops(folder: Path) -> None:
    """Two links back up in each of a few folders: a glob that follows them
    walks 2^depth paths."""
    for name in ("a", "b"):
        (folder / name).symlink_to("..", target_is_directory=True)


@pytest.mark.parametrize("how", ["application set", "--env", "environments:"])
def test_globs_never_follow_folder_links(tmp_path, how):
    """Two links back to `..` under a generator glob, an --env glob or a
    config glob made an exponential walk."""
    repo = tmp_path / "repo"
    write(repo, "apps/web/svc.yaml", SERVICE.format(name="web", type="ClusterIP"))
    _loops(repo / "apps" / "web")
    _loops(repo / "apps")
    args = ["graph", "."]
    if how == "application set":
        write(repo, "argo/appset.yaml", APPLICATION_SET.format(pattern="apps/**"))
    elif how == "--env":
        args += ["--env", "apps/**/*.yaml"]
    else:
        write(repo, ".svcdocs.yaml", "environments: ['apps/**/*.yaml']\n")
    run = svcdocs(repo, *args, timeout=HANG_TIMEOUT_S)
    finished_in_time(run)
    assert "Service/default/web" in run.stdout, run.output[-2000:]


def test_a_repository_config_names_no_environment_outside_the_repository(tmp_path, secret_file):
    repo = tmp_path / "repo"
    write(repo, "k8s/web.yaml", SERVICE.format(name="web", type="ClusterIP"))
    write(tmp_path, "elsewhere/lb.yaml", SERVICE.format(name="outside-sentinel", type="LoadBalancer"))
    for entry in (str(tmp_path / "elsewhere"), "../elsewhere", "linked", f"{tmp_path}/*"):
        (repo / "linked").unlink(missing_ok=True)
        (repo / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
        write(repo, ".svcdocs.yaml", f"environments: ['{entry}']\n")
        run = svcdocs(repo, "graph", "k8s")
        assert "outside-sentinel" not in run.output
        one_line_error(run, "environments names", "outside the repository")
    # the user's own flag may
    assert "outside-sentinel" in svcdocs(repo, "graph", "--env", str(tmp_path / "elsewhere")).stdout
    # a config linked to a file of the machine is not read, nor quoted
    (repo / ".svcdocs.yaml").unlink()
    (repo / ".svcdocs.yaml").symlink_to(secret_file)
    run = svcdocs(repo, "graph", "k8s")
    assert "svcdocs-test-secret-key" not in run.output and "OPENSSH" not in run.output
    one_line_error(run, ".svcdocs.yaml", "symbolic link to outside the repository")


def test_a_repository_config_cannot_turn_on_helm(tmp_path):
    """The checkout's own `render: [helm]` ran helm on a chart the pull request wrote."""
    env, ran = _fake_helm(tmp_path)
    write(tmp_path, "chart/Chart.yaml", "apiVersion: v2\nname: x\nversion: 0.1.0\n")
    write(tmp_path, "chart/svc.yaml", SERVICE.format(name="plain", type="ClusterIP"))
    write(tmp_path, ".svcdocs.yaml", "render: [kustomize, helm]\n")
    run = svcdocs(tmp_path, "graph", "chart", env=env)
    assert run.code == 0 and not ran.exists(), run.stderr
    assert "render: [helm] is not applied: a repository's own config cannot turn on helm" in run.stderr
    assert svcdocs(tmp_path, "graph", "chart", "--config", ".svcdocs.yaml", env=env).code == 0
    assert ran.exists()  # a config the user names is the user's


def test_an_alias_bomb_in_an_application_set_list_is_bounded(tmp_path):
    """1.4 KB of list elements grew to 2 GB of parameters, then a traceback."""
    lines = ['a0: &a0 {k: "lol"}']
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} {{" + ", ".join(f"k{j}: *a{i - 1}" for j in range(9)) + "}")
    bomb = "\n".join("          " + line for line in lines)
    write(tmp_path, "argo/appset.yaml", f"""\
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {{name: bomb, namespace: argocd}}
spec:
  generators:
  - list:
      elements:
      - name: web
        values:
{bomb}
  template:
    metadata: {{name: '{{{{name}}}}'}}
    spec:
      source: {{repoURL: https://github.com/org/repo.git, path: 'apps/{{{{name}}}}'}}
      destination: {{namespace: default}}
""")
    write(tmp_path, "apps/web/svc.yaml", SERVICE.format(name="web", type="ClusterIP"))
    run = svcdocs(tmp_path, "graph", ".", "--format", "json", timeout=HANG_TIMEOUT_S)
    finished_in_time(run)
    assert run.code == 0, run.stderr[-2000:]
    notes = [p.get("status", "") for p in json.loads(run.stdout).get("pointers", [])]
    assert any("list generator elements not expanded" in n for n in notes), notes


# --- 13. The lows ---------------------------------------------------------------------------

def test_serve_answers_only_requests_for_localhost():
    """DNS rebinding: a page of evil.example, its name now resolving to
    127.0.0.1, read the preview with the browser's own requests."""
    from svcdocs.render.site.serve import start_server

    site = Path(__import__("tempfile").mkdtemp())
    (site / "index.html").write_text("<p>home</p>")
    server = start_server(site, 0)
    port = server.server_address[1]
    try:
        def get(host: str) -> int:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": host})
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
                    return answer.status
            except urllib.error.HTTPError as e:
                return e.code
        assert get(f"127.0.0.1:{port}") == 200 and get(f"localhost:{port}") == 200
        assert get(f"evil.example:{port}") == 421 and get("evil.example") == 421
    finally:
        server.shutdown()
        shutil.rmtree(site)


@pytest.mark.parametrize("command", ["diff", "build"])
def test_no_output_is_written_through_a_link_above_it(tmp_path, command):
    """A committed `reports/` linked to a folder of the runner: `-o
    reports/review.md` and `build -o reports/site` wrote there."""
    repo = tmp_path / "repo"
    write(repo, "base/web.yaml", SERVICE.format(name="web", type="ClusterIP"))
    write(repo, "head/web.yaml", SERVICE.format(name="web", type="LoadBalancer"))
    victim = tmp_path / "victim"
    write(victim, "keep.txt", "keep me\n")
    (repo / "reports").symlink_to(victim, target_is_directory=True)
    args = ["diff", "base", "head", "-o", "reports/review.md"] if command == "diff" else \
        ["build", "head", "-o", "reports/site"]
    run = svcdocs(repo, *args)
    one_line_error(run, "reports", "symbolic link")
    assert sorted(p.name for p in victim.iterdir()) == ["keep.txt"]


def test_names_from_manifests_never_mention_or_autolink_in_a_comment(tmp_path):
    """`@team` from a manifest notified the team in the pull request; a bare
    `www.` host became a link."""
    ingress = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: www.evil.example
    http:
      paths:
      - path: /@octo-org/admins/https://evil.example/x
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
"""
    write(tmp_path, "base/web.yaml", SERVICE.format(name="web", type="ClusterIP"))
    write(tmp_path, "head/web.yaml", SERVICE.format(name="web", type="ClusterIP") + "---\n" + ingress)
    run = svcdocs(tmp_path, "diff", "base", "head")
    assert run.code == 0, run.stderr
    text = re.sub(r"```mermaid\n.*?```", "", run.stdout, flags=re.S)  # a diagram mentions and links nothing
    assert "@octo-org" not in text and "www.evil" not in text and "https://evil" not in text
    assert "@&#8203;octo-org" in text and "www&#8203;.evil" in text


def test_a_large_flow_mapping_is_read_in_bounded_memory(tmp_path):
    """A flow mapping costs 65 times its size composed: 18 MB of one took
    more than 1 GiB, then a traceback."""
    pairs = ", ".join(f"k{i}: v" for i in range(1_500_000))  # 18 MB
    write(tmp_path, "k8s/big.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {" + pairs + "}\n")
    write(tmp_path, "k8s/web.yaml", SERVICE.format(name="web", type="ClusterIP"))
    run = svcdocs(tmp_path, "graph", "k8s", timeout=HANG_TIMEOUT_S)
    finished_in_time(run)
    assert run.code == 0 and "Service/default/web" in run.stdout
    assert "k8s/big.yaml:1: more than 1,000,000 YAML nodes in one file; not read" in run.stderr


def test_heads_config_is_read_with_a_bound(checkout):
    """`diff --git` compared HEAD's config with BASE's by reading it whole."""
    with open(checkout / ".svcdocs.yaml", "wb") as f:
        f.truncate(4 * 2**30)  # a sparse file: 4 GiB to whoever reads it all (not added: git would too)
    run = svcdocs(checkout, "diff", "--git", "HEAD", "k8s", "--fail-on-exposure", "--format", "json")
    finished_in_time(run, TIMEOUT_S)
    assert run.code == 0 and "as of HEAD" in json.loads(run.stdout)["notes"][0], run.output


# --- issue 19, Action install (issue-24) ---

def _action_steps() -> list[dict]:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["runs"]["steps"]


def _install_step() -> dict:
    return next(s for s in _action_steps() if s.get("name") == "Install svcdocs")


def _checkout_with_a_fake_pip(tmp_path: Path) -> tuple[Path, Path]:
    """A pull request's checkout holding pip.py, which would replace pip (and
    could install a fake svcdocs that says "No architectural changes")."""
    marker = tmp_path / "pip-py-ran"
    checkout = tmp_path / "checkout"
    write(checkout, "pip.py", f"open({str(marker)!r}, 'w').write('ran')\nraise SystemExit(0)\n")
    return checkout, marker


def _run_install(cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The Action's install step, pip asked only for its help (nothing installed)."""
    bin_dir = Path(sys.executable).parent
    environment = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FROM": "input",
                   "SPEC": "--help", "PRETEND": "", "GITHUB_ACTION_PATH": str(ROOT), **env}
    return subprocess.run(["bash", "-e", "-c", _install_step()["run"]], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=TIMEOUT_S)


def test_the_actions_pip_never_imports_a_pip_py_from_the_checkout(tmp_path):
    """The install step ran `python -m pip` in the checkout: a pip.py there ran instead of pip."""
    if sys.version_info < (3, 11):
        pytest.skip("PYTHONSAFEPATH is Python 3.11's")
    checkout, marker = _checkout_with_a_fake_pip(tmp_path)
    step = _install_step()
    assert step["working-directory"] == "${{ runner.temp }}"  # pip runs outside the checkout
    # Even in the checkout, the step's PYTHONSAFEPATH keeps its pip.py out.
    proc = _run_install(checkout, {k: str(v) for k, v in step["env"].items() if k == "PYTHONSAFEPATH"})
    assert proc.returncode == 0, proc.stderr
    assert "pip install [options]" in proc.stdout and not marker.exists()
    # Without it, the planted pip.py runs: the attack is real.
    _run_install(checkout, {"PYTHONSAFEPATH": ""})
    assert marker.exists()


def test_every_python_the_action_runs_keeps_the_checkout_off_its_path():
    for step in _action_steps():
        script = step.get("run", "")
        if re.search(r"\bpython3? -m pip\b", script):
            assert step["working-directory"] == "${{ runner.temp }}", step["name"]
            assert step["env"]["PYTHONSAFEPATH"] == "1", step["name"]
        for call in re.findall(r"\bpython3?\b(?! -m pip)[^\n]*sticky_comment", script):
            assert call.startswith("python3 -I "), call
        if step.get("name") == "svcdocs ${{ inputs.command }}":
            assert step["env"]["PYTHONSAFEPATH"] == "1"  # and the mkdocs that svcdocs starts


@pytest.mark.parametrize("name", ["check.yml", "pages.yml", "pr-review.yml", "pr-review-comment.yml"])
def test_the_example_workflows_set_pythonsafepath_concurrency_and_no_kept_credentials(name):
    workflow = yaml.safe_load((ROOT / "examples" / name).read_text(encoding="utf-8"))
    assert workflow["concurrency"]["group"]
    for job_id, job in workflow["jobs"].items():
        steps = job.get("steps", [])
        if any("svcdocs" in str(s.get("uses", "")) for s in steps):
            assert job["env"]["PYTHONSAFEPATH"] == "1", job_id
        for s in steps:
            if str(s.get("uses", "")).startswith("actions/checkout@"):
                assert s["with"]["persist-credentials"] is False, job_id


# --- issue 19, items 2-3 (issue-21) ---
# Helm on a pull request's content: every chart is checked for links that leave
# the repository wherever it comes from, values files are read only inside the
# repository, and no release name or chart reference ever reaches helm as a flag.
# Each attack runs the real helm (skipped without it) as a workflow would
# (`--render kustomize --render helm`, which discovers charts and pointers).

from helm_servers import HELM, chart_servers  # noqa: E402,F401 (chart_servers is a fixture)

needs_helm = pytest.mark.skipif(HELM is None, reason="needs helm")
LEAKED = "svcdocs-leaked-host.example"  # what a value read from outside the repository would show
HELM_ON = ("--render", "kustomize", "--render", "helm")
LEAK_CHART = {
    "Chart.yaml": "apiVersion: v2\nname: leak\nversion: 0.1.0\n",
    "templates/ingress.yaml": """\
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: leak}
        spec:
          rules:
          - host: {{ .Values.leak | default (.Files.Get "files/key") | default "nothing.example" | trim | quote }}
            http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
        """,
}
APPLICATION = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {{name: {name}, namespace: argocd}}
spec:
  destination: {{namespace: web}}
  source:
{source}
"""
HELM_RELEASE_IN_REPO = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {{name: leak, namespace: web}}
spec:
{extra}
  chart:
    spec:
      chart: ./chart
      sourceRef: {{kind: GitRepository, name: flux-system, namespace: flux-system}}
{chart_extra}
"""


def _leak_chart(repo: Path, folder: str = "chart") -> Path:
    for name, text in LEAK_CHART.items():
        write(repo / folder, name, text)
    return repo / folder


def _graph(repo: Path, *args: str) -> Run:
    run = svcdocs(repo, "graph", ".", *HELM_ON, *args)
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    return run


@needs_helm
@pytest.mark.parametrize("reached_by", ["walk", "application", "helm-release"])
def test_a_chart_with_a_link_outside_the_repository_is_never_rendered(tmp_path, secret_file, reached_by):
    """Charts met while walking, or named by an Application or a HelmRelease,
    skipped the link check a PATH chart gets: helm read the link's target."""
    repo = tmp_path / "repo"
    chart = _leak_chart(repo)
    (chart / "files").mkdir()
    (chart / "files" / "key").symlink_to(secret_file)
    if reached_by == "application":
        write(repo, "argocd/app.yaml", APPLICATION.format(name="leak", source="    path: chart\n    helm: {}"))
    elif reached_by == "helm-release":
        write(repo, "flux/release.yaml", HELM_RELEASE_IN_REPO.format(extra="", chart_extra=""))
    run = _graph(repo)
    assert "svcdocs-test-secret-key" not in run.output
    assert "chart/files/key:1: a symbolic link to outside the repository" in run.stderr, run.stderr


@needs_helm
@pytest.mark.parametrize("how", ["absolute", "climbing"])
@pytest.mark.parametrize("named_by", ["application", "helm-release"])
def test_values_files_are_read_only_inside_the_repository(tmp_path, how, named_by):
    """valueFiles (Argo CD) and valuesFiles (Flux) could be absolute or climb out:
    any YAML file of the machine became .Values of a template the pull request wrote."""
    outside = write(tmp_path, "home/values.yaml", f"leak: {LEAKED}\n")
    repo = tmp_path / "repo"
    _leak_chart(repo)
    path = str(outside) if how == "absolute" else "../../home/values.yaml"
    if named_by == "application":
        source = f"    path: chart\n    helm:\n      valueFiles: [{json.dumps(path)}]"
        write(repo, "argocd/app.yaml", APPLICATION.format(name="leak", source=source))
    else:
        path = str(outside) if how == "absolute" else "../home/values.yaml"  # Flux: from the repository's top
        write(repo, "flux/release.yaml", HELM_RELEASE_IN_REPO.format(
            extra="", chart_extra=f"      valuesFiles: [{json.dumps(path)}]"))
    run = _graph(repo)
    assert LEAKED not in run.output, run.stdout[:2000]
    expected = "is an absolute path" if how == "absolute" else "leads outside the repository"
    assert expected in run.stderr, run.stderr


@needs_helm
@pytest.mark.parametrize("named_by", ["application", "helm-release"])
def test_a_release_name_never_reaches_helm_as_a_flag(tmp_path, named_by):
    """releaseName went before the chart with no `--`: `--set-file=leak=/any/file`
    made helm read any file of the machine into .Values."""
    outside = write(tmp_path, "home/secret", LEAKED)
    repo = tmp_path / "repo"
    _leak_chart(repo)
    flag = f"--set-file=leak={outside}"
    if named_by == "application":
        source = f"    path: chart\n    helm: {{releaseName: {json.dumps(flag)}}}"
        write(repo, "argocd/app.yaml", APPLICATION.format(name="leak", source=source))
    else:
        write(repo, "flux/release.yaml", HELM_RELEASE_IN_REPO.format(extra=f"  releaseName: {json.dumps(flag)}",
                                                                     chart_extra=""))
    run = _graph(repo)
    assert LEAKED not in run.output, run.stdout[:2000]
    assert re.search(r"release name '--set-file=leak=.*(is not one Helm accepts|Helm allows at most 53)", run.stderr), \
        run.stderr


@needs_helm
def test_a_chart_reference_never_reaches_helm_as_a_flag(tmp_path, chart_servers):
    """A chart named `--set-file=...` from a chart repository: helm took the
    release name for the chart and the chart for a flag that reads any file."""
    outside = write(tmp_path, "home/secret", LEAKED)
    repo = tmp_path / "repo"
    source = (f"    repoURL: {chart_servers.http}\n    targetRevision: 6.9.3\n"
              f"    chart: {json.dumps(f'--set-file=ingress.hosts[0].host={outside}')}\n"
              "    helm:\n      parameters:\n      - {name: ingress.enabled, value: 'true'}\n"
              "      - {name: 'ingress.hosts[0].paths[0].path', value: /}\n"
              "      - {name: 'ingress.hosts[0].paths[0].pathType', value: Prefix}")
    write(repo, "argocd/app.yaml", APPLICATION.format(name="podinfo", source=source))
    write(repo, "k8s/web.yaml", SERVICE.format(name="web", type="ClusterIP"))
    run = _graph(repo, "--allow-remote")
    assert LEAKED not in run.output, run.stdout[:2000]
    assert "is not a chart name svcdocs passes to helm" in run.stderr, run.stderr


@needs_helm
def test_a_folder_named_like_a_flag_reaches_helm_as_a_path(tmp_path):
    """A chart folder named like a flag is a path after `--` (and is refused
    as a chart reference before that)."""
    repo = tmp_path / "repo"
    _leak_chart(repo, "--post-renderer=x")
    write(repo, "k8s/web.yaml", SERVICE.format(name="web", type="ClusterIP"))
    run = _graph(repo)
    assert run.code == 0, run.stderr
    assert "--post-renderer=x not rendered: chart '--post-renderer=x' is not a path svcdocs passes to helm" \
        in run.stderr, run.stderr


# --- issue 19, item 13 (issue-22) ---
# reach and graph grew with the cube of distinct policy selectors (1,000 policies
# 12 s, 2,000 more than 60 s): each selector of matchExpressions tested every pod of
# its namespace, and reach compared every class with every class. The work done is
# counted (selector tests, selector evaluations, decisions), so the bound holds on
# any machine: doubling the policies may at most a little more than double it.

def _distinct_selectors(n: int) -> str:
    """n workloads in one namespace and n policies of every kind, each with selectors of its own."""
    docs = []
    for i in range(n):
        peer = f"app{(i + 1) % n}"
        docs.append(f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app{i}, namespace: ns}}\n"
                    f"spec:\n  template:\n    metadata: {{labels: {{app: app{i}}}}}\n"
                    f"    spec: {{containers: [{{name: c, image: x, ports: [{{containerPort: 8080}}]}}]}}\n")
        selector = f"{{matchExpressions: [{{key: app, operator: In, values: [app{i}]}}]}}"
        peer_selector = f"{{matchExpressions: [{{key: app, operator: In, values: [{peer}]}}]}}"
        kind = i % 3
        if kind == 0:
            docs.append(f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p{i}, namespace: ns}}\n"
                        f"spec:\n  podSelector: {selector}\n  ingress: [{{from: [{{podSelector: {peer_selector}}}]}}]\n")
        elif kind == 1:
            docs.append(f"apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: p{i}, namespace: ns}}\n"
                        f"spec:\n  endpointSelector: {selector}\n  ingress: [{{fromEndpoints: [{peer_selector}]}}]\n")
        else:
            docs.append(f"apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {{name: p{i}, namespace: ns}}\n"
                        f"spec:\n  selector: app in {{'app{i}'}}\n  ingress: [{{action: Allow, source: {{selector: app == '{peer}'}}}}]\n")
    return "---\n".join(docs)


def test_graph_and_reach_work_grows_linearly_with_distinct_selectors(monkeypatch):
    from svcdocs.analysis.reach import connections
    from svcdocs.analysis.reach.engine import Engine
    from svcdocs.analysis.reach.podsets import PodSets
    from svcdocs.config import Config
    from svcdocs.graph import labels
    from svcdocs.load import Source
    from svcdocs.pipeline import report_for_sources

    counted = {"work": 0}

    def counting(owner, name):
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            counted["work"] += 1
            return original(*args, **kwargs)
        monkeypatch.setattr(owner, name, wrapper if not isinstance(original, staticmethod) else staticmethod(wrapper))

    counting(labels._Pods, "satisfies")
    counting(labels, "matches")
    counting(PodSets, "_evaluate")
    monkeypatch.setattr(Engine, "decide", staticmethod(_counted(Engine.decide, counted)))
    work = []
    for n in (300, 600):
        counted["work"] = 0
        data = _distinct_selectors(n).encode()
        report = report_for_sources([Source(label="p.yaml", data=data, size=len(data))], Config())
        reach = report.analysis.reach
        pairs = connections(reach.engine, list(reach.backends))
        assert len([p for p in pairs if p.src.external is None and p.dst.external is None]) == n  # each from its peer
        work.append(counted["work"])
    assert work[1] <= 2.3 * work[0], work


def _counted(function, counted):
    def wrapper(*args, **kwargs):
        counted["work"] += 1
        return function(*args, **kwargs)
    return wrapper


def test_two_thousand_policies_of_distinct_selectors_stay_bounded(tmp_path):
    """The issue's size, run as a user would, under the file's limits (1 GiB, killed past the timeout)."""
    write(tmp_path, "p.yaml", _distinct_selectors(2000))
    for command in ("reach", "graph"):
        run = svcdocs(tmp_path, command, "p.yaml", "--format", "json", timeout=TIMEOUT_S)
        assert "killed after" not in run.stderr and "MemoryError" not in run.stderr, run.stderr[-2000:]
        assert run.code == 0, run.stderr[-2000:]
