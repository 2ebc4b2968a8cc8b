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
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, write

TIMEOUT_S = 60
HANG_TIMEOUT_S = 10  # the bound for the inputs that hung every command
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
LIMITED = ("import os, resource, signal, sys; memory, fsize = int(sys.argv[1]), int(sys.argv[2]); "
           "resource.setrlimit(resource.RLIMIT_AS, (memory, memory)); "
           "fsize and signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
           "fsize and resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize)); "
           "os.execv(sys.executable, [sys.executable, '-m', 'svcdocs', *sys.argv[3:]])")


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
    """The workflow's gate: `diff --git HEAD k8s --fail-on-exposure`, as JSON."""
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
    _git(checkout, "commit", "-q", "-m", "the maintainers agree")
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


def test_an_http_resource_is_never_fetched(tmp_path):
    if not (shutil.which("kubectl") or shutil.which("kustomize")):
        pytest.skip("needs kubectl or kustomize")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Counting.requests = []
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/svc.yaml"
        write(tmp_path, "k8s/kustomization.yaml", f"resources: [{url}]\n")
        run = svcdocs(tmp_path, "graph", "k8s")
    finally:
        server.shutdown()
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
    assert sum(1 for e in graph["edges"] if e["kind"] == "calls") == 40 * 40  # the graph keeps every call
    run = svcdocs(tmp_path, "build", "k8s", "-o", "site", timeout=HANG_TIMEOUT_S)
    finished_in_time(run)
    assert run.code == 0, run.stderr
    page = (tmp_path / "site" / "namespaces" / "default" / "index.html").read_text()
    assert "The 1,600 calls found in environment variables are not drawn here" in page
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
