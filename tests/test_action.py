"""The Action's steps, run as GitHub runs them (bash, the step's environment),
against a fake GitHub API on 127.0.0.1: the review becomes one sticky comment,
created, updated on the next push, then saying "No architectural changes";
two paths or environments keep two comments; the fork-safe pair of workflows
(artifact, then workflow_run) posts only to the pull request that was reviewed;
the job summary gets the review; the SARIF step writes code scanning's SARIF."""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from conftest import ROOT
from test_workflows import ACTION

sys.path.insert(0, str(ROOT / "action"))
import sticky_comment  # noqa: E402

CASES = ROOT / "tests" / "review"
REPO = "owner/shop"
PR = 7
HEAD_SHA = "a" * 40
BOT = "github-actions[bot]"
TOKENS = {"bot-token": BOT, "contributor-token": "contributor"}


class FakeGitHub(http.server.ThreadingHTTPServer):
    """The REST calls a sticky comment makes, with pages of PAGE comments."""

    PAGE = 3

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.comments: list[dict] = []
        self.calls: list[tuple[str, str]] = []
        self.heads = {PR: HEAD_SHA}
        self.lock = threading.Lock()
        # (method, status, headers, after): the next call of METHOD fails with
        # STATUS, before it is done, or after it is done when AFTER.
        self.faults: list[tuple[str, int, dict[str, str], bool]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def bodies(self) -> list[str]:
        return [c["body"] for c in self.comments]


class _Handler(http.server.BaseHTTPRequestHandler):
    server: FakeGitHub

    def log_message(self, format, *args):
        pass

    def _reply(self, status: int, data=None, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(data).encode() if data is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _user(self) -> str | None:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        return TOKENS.get(token)

    def _body(self) -> dict:
        return json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")

    def _route(self, method: str) -> None:
        url = urlsplit(self.path)
        self.server.calls.append((method, url.path))
        user = self._user()
        if user is None:
            return self._reply(401, {"message": "Bad credentials"})
        fault = next((f for f in self.server.faults if f[0] == method), None)
        if fault is not None:
            self.server.faults.remove(fault)
            _, status, headers, after = fault
            if after:
                self._reply = lambda *_a, **_k: _Handler._reply(self, status, {"message": "Bad gateway"}, headers)
            else:
                return self._reply(status, {"message": "Server Error"}, headers)
        with self.server.lock:
            if match := re.fullmatch(rf"/repos/{REPO}/issues/(\d+)/comments", url.path):
                pr = int(match.group(1))
                if method == "GET":
                    return self._list(pr, int(parse_qs(url.query).get("page", ["1"])[0]))
                if method == "POST":
                    comment = {"id": 1000 + len(self.server.comments), "pr": pr, "user": {"login": user},
                               "body": self._body()["body"], "html_url": f"https://github.example/c/{len(self.server.comments)}"}
                    self.server.comments.append(comment)
                    return self._reply(201, comment)
            if (match := re.fullmatch(rf"/repos/{REPO}/issues/comments/(\d+)", url.path)) and method == "PATCH":
                comment = next((c for c in self.server.comments if c["id"] == int(match.group(1))), None)
                if comment is None:
                    return self._reply(404, {"message": "Not Found"})
                if comment["user"]["login"] != user:
                    return self._reply(403, {"message": "Resource not accessible by integration"})
                comment["body"] = self._body()["body"]
                return self._reply(200, comment)
            if (match := re.fullmatch(rf"/repos/{REPO}/pulls/(\d+)", url.path)) and method == "GET":
                head = self.server.heads.get(int(match.group(1)))
                return self._reply(200, {"head": {"sha": head}}) if head else self._reply(404, {"message": "Not Found"})
        return self._reply(404, {"message": "Not Found"})

    def _list(self, pr: int, page: int) -> None:
        comments = [c for c in self.server.comments if c["pr"] == pr]
        start = (page - 1) * FakeGitHub.PAGE
        headers = {}
        if start + FakeGitHub.PAGE < len(comments):
            headers["Link"] = (f'<{self.server.url}/repos/{REPO}/issues/{pr}/comments?per_page=100&page={page + 1}>;'
                               f' rel="next", <{self.server.url}/x?page=1>; rel="first"')
        self._reply(200, comments[start:start + FakeGitHub.PAGE], headers)

    def do_GET(self):
        self._route("GET")

    def do_POST(self):
        self._route("POST")

    def do_PATCH(self):
        self._route("PATCH")


@pytest.fixture
def github():
    server = FakeGitHub()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


# --- Running the Action's steps ------------------------------------------------------

def step(name: str) -> dict:
    steps = yaml.safe_load(ACTION.read_text(encoding="utf-8"))["runs"]["steps"]
    return next(s for s in steps if s.get("name") == name)


class Runner:
    """One job: $RUNNER_TEMP, $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY, and the
    outputs of the steps that ran."""

    def __init__(self, tmp: Path, github: FakeGitHub):
        self.temp = tmp / "runner-temp"
        self.temp.mkdir()
        self.summary = tmp / "step-summary.md"
        self.github = github
        self.outputs: dict[str, dict[str, str]] = {}

    def run(self, name: str, env: dict[str, str], cwd: Path = ROOT, token: str = "bot-token"):
        output = self.temp.parent / "github-output"
        output.write_text("")
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
        environment = {**os.environ, "PATH": path, "RUNNER_TEMP": str(self.temp), "GITHUB_OUTPUT": str(output),
                       "GITHUB_STEP_SUMMARY": str(self.summary), "GITHUB_ACTION_PATH": str(ROOT),
                       "GITHUB_API_URL": self.github.url, "GITHUB_TOKEN": token, "REPOSITORY": REPO, **env}
        proc = subprocess.run(["bash", "-e", "-c", step(name)["run"]], cwd=cwd, env=environment,
                              capture_output=True, text=True, timeout=120)
        self.outputs[name] = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
        return proc

    def review(self, case: str, paths: str = "base head", args: str = "") -> str:
        """The Action's svcdocs step on a review case; the folder it wrote."""
        proc = self.run("svcdocs ${{ inputs.command }}", {"SVCDOCS_COMMAND": "diff", "SVCDOCS_PATHS": paths,
                                                           "SVCDOCS_ARGS": args, "SVCDOCS_SARIF": "false"},
                        cwd=CASES / case)
        assert proc.returncode == 0, proc.stderr
        return self.outputs["svcdocs ${{ inputs.command }}"]["folder"]

    def comment(self, folder: str, mode: str = "true", paths: str = "base head", environment: str = "",
                token: str = "bot-token"):
        return self.run("Comment on the pull request",
                        {"MODE": mode, "FOLDER": folder, "PR": str(PR), "ENVIRONMENT": environment,
                         "SVCDOCS_PATHS": paths, "AUTHOR": BOT}, token=token)


@pytest.fixture
def runner(tmp_path, github):
    return Runner(tmp_path, github)


def posted(proc) -> None:
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- The sticky comment --------------------------------------------------------------

def test_the_comment_is_created_then_updated_then_says_no_changes(runner, github):
    posted(runner.comment(runner.review("cluster-to-loadbalancer")))
    assert len(github.comments) == 1
    first = github.comments[0]["body"]
    assert first.startswith("<!-- svcdocs-review-comment ") and "reachable from the internet" in first

    proc = runner.comment(runner.review("new-ingress-path"))
    posted(proc)
    assert "svcdocs: updated" in proc.stdout
    assert len(github.comments) == 1 and github.comments[0]["body"] != first
    assert "new entry point" in github.comments[0]["body"]
    assert first.split("\n", 1)[0] == github.comments[0]["body"].split("\n", 1)[0]

    posted(runner.comment(runner.review("identical")))
    assert len(github.comments) == 1
    assert "### No architectural changes" in github.comments[0]["body"]
    assert [m for m, _ in github.calls if m != "GET"] == ["POST", "PATCH", "PATCH"]


def test_two_paths_or_environments_keep_two_comments(runner, github):
    folder = runner.review("cluster-to-loadbalancer")
    posted(runner.comment(folder))
    posted(runner.comment(folder, environment="staging"))
    assert len(github.comments) == 2
    assert "environment `staging`" in github.comments[1]["body"]
    assert "environment" not in github.comments[0]["body"].split("\n")[1]

    posted(runner.comment(runner.review("identical"), environment="staging"))
    prod, staging = github.bodies()
    assert "reachable from the internet" in prod and "No architectural changes" in staging

    other = runner.review("identical", paths="head base")  # other paths: another job, another comment
    posted(runner.comment(other, paths="head base"))
    assert len(github.comments) == 3 and github.bodies()[:2] == [prod, staging]


def test_the_comment_is_found_past_the_first_page_and_only_among_the_bots(runner, github):
    folder = runner.review("cluster-to-loadbalancer")
    posted(runner.comment(folder))
    marker = github.comments[0]["body"].split("\n", 1)[0]
    for i in range(2 * FakeGitHub.PAGE):  # a long discussion, and a comment that copies the marker
        github.comments.append({"id": 1 + i, "pr": PR, "user": {"login": "contributor"},
                                "body": f"{marker}\nme too {i}", "html_url": ""})
    github.comments.append(github.comments.pop(0))  # the bot's comment is now on the last page
    posted(runner.comment(runner.review("identical")))
    assert [c["body"].startswith(marker + "\n<!-- svcdocs-review -->\n### No architectural")
            for c in github.comments] == [False] * 6 + [True]
    assert sum(1 for c in github.comments if c["user"]["login"] == BOT) == 1


def test_a_token_that_cannot_write_is_one_line_that_says_what_to_do(runner, github):
    folder = runner.review("cluster-to-loadbalancer")
    proc = runner.comment(folder, token="no-such-token")
    assert proc.returncode == 1 and github.comments == []
    assert proc.stderr.count("\n") == 1 and "HTTP 401 Bad credentials" in proc.stderr
    assert "pull-requests: write" in proc.stderr and "comment: artifact" in proc.stderr


def test_outside_a_pull_request_nothing_is_posted(runner, github):
    folder = runner.review("cluster-to-loadbalancer")
    proc = runner.run("Comment on the pull request", {"MODE": "true", "FOLDER": folder, "PR": "",
                                                      "ENVIRONMENT": "", "SVCDOCS_PATHS": ".", "AUTHOR": BOT})
    assert proc.returncode == 0 and "not a pull_request event" in proc.stdout
    assert github.calls == []


@pytest.fixture
def waits(monkeypatch):
    """The waits between retries, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(sticky_comment, "sleep", slept.append)
    return slept


def post_in_process(github, text: str = "the review\n") -> str:
    api = sticky_comment.GitHub(github.url, "bot-token")
    key = sticky_comment.key_of("k8s")
    return sticky_comment.post(api, REPO, PR, sticky_comment.body(text, key), key)


def test_server_errors_are_tried_again_with_a_doubling_backoff(github, waits, capsys):
    github.faults += [("GET", 502, {}, False), ("GET", 503, {}, False)]
    assert post_in_process(github).startswith("created")
    assert waits == [2.0, 4.0] and len(github.comments) == 1
    said = capsys.readouterr().err
    assert "HTTP 502" in said and "trying again in 2 s (attempt 2 of 5)" in said


@pytest.mark.parametrize("status, headers, wait", [
    (429, {"Retry-After": "7"}, 7.0),
    (403, {"Retry-After": "3"}, 3.0),
    (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "0"}, 1.0),  # reset already passed: a second
    (429, {}, 2.0),  # no time given: the backoff
])
def test_rate_limits_wait_as_long_as_the_api_asks(github, waits, status, headers, wait):
    github.faults.append(("PATCH" if status == 403 else "POST", status, headers, False))
    post_in_process(github)
    post_in_process(github, "changed\n")
    assert waits == [wait]
    assert len(github.comments) == 1 and github.comments[0]["body"].endswith("changed\n")


def test_a_403_that_is_no_rate_limit_is_not_tried_again(github, waits):
    post_in_process(github)
    github.faults.append(("PATCH", 403, {"x-ratelimit-remaining": "4999"}, False))
    with pytest.raises(sticky_comment.Refused, match="HTTP 403.*pull-requests: write"):
        post_in_process(github, "changed\n")
    assert waits == []


def test_a_comment_made_despite_a_server_error_is_not_made_twice(github, waits):
    github.faults.append(("POST", 502, {}, True))  # created, then answered 502
    assert post_in_process(github).startswith("updated")
    assert len(github.comments) == 1 and waits == [2.0]
    assert [m for m, _ in github.calls if m != "GET"] == ["POST", "PATCH"]


def test_it_says_when_it_gives_up(runner, github, waits):
    """Five tries, then one line and exit 1; the Action's step fails with it."""
    github.faults += [("GET", 500, {}, False)] * 5
    with pytest.raises(sticky_comment.Refused, match=r"HTTP 500.*gave up after 5 attempts"):
        post_in_process(github)
    assert waits == [2.0, 4.0, 8.0, 16.0] and github.comments == []


def test_a_comment_past_githubs_limit_is_cut_at_a_line():
    review = "".join(f"| row {i} | {'x' * 80} |\n" for i in range(2000))
    text = sticky_comment.body(review, sticky_comment.key_of("k8s"), "prod")
    assert len(text) <= sticky_comment.LIMIT
    assert "Cut to fit GitHub's comment limit" in text
    assert text.split("> [!NOTE]")[0].rstrip("\n").endswith("|")


def test_the_key_is_the_environment_and_the_paths_however_spaced():
    assert sticky_comment.key_of("k8s/prod  k8s/base\n", "prod") == sticky_comment.key_of(" k8s/prod\nk8s/base", "prod")
    assert sticky_comment.marker(sticky_comment.key_of("k8s", "prod")) != sticky_comment.marker(sticky_comment.key_of("k8s"))
    assert "-->" not in sticky_comment.marker("--> <script>")[:-3]


# --- The fork-safe pair: an artifact from pull_request, posted by workflow_run --------

def _upload(runner: Runner, folder: str, environment: str = "") -> Path:
    """What upload-artifact and download-artifact do: the prepared folder lands
    under $RUNNER_TEMP/svcdocs-comments/<artifact name>/ in the other job."""
    posted(runner.comment(folder, mode="artifact", environment=environment))
    name = runner.outputs["Comment on the pull request"]["artifact"]
    assert re.fullmatch(r"svcdocs-review-[0-9a-f]{16}", name)
    downloaded = runner.temp / "svcdocs-comments" / name
    shutil.copytree(Path(folder) / "comment", downloaded)
    return downloaded


def _post_artifacts(runner: Runner, head_sha: str = HEAD_SHA, event: str = "workflow_run"):
    return runner.run("Post the comments", {"EVENT": event, "HEAD_SHA": head_sha, "AUTHOR": BOT})


def test_the_pull_request_job_writes_an_artifact_that_the_workflow_run_job_posts(runner, github):
    _upload(runner, runner.review("cluster-to-loadbalancer"))
    _upload(runner, runner.review("identical"), environment="staging")
    assert github.calls == []  # the pull_request job has no token that could write
    posted(_post_artifacts(runner))
    prod, staging = github.bodies()
    assert "reachable from the internet" in prod and "No architectural changes" in staging

    for artifact in (runner.temp / "svcdocs-comments").iterdir():  # the next push: a new run, new artifacts
            shutil.rmtree(artifact)
    _upload(runner, runner.review("identical"))
    posted(_post_artifacts(runner))
    assert len(github.comments) == 2 and "No architectural changes" in github.comments[0]["body"]


def test_an_artifact_for_another_commit_or_pull_request_is_not_posted(runner, github):
    downloaded = _upload(runner, runner.review("cluster-to-loadbalancer"))
    proc = _post_artifacts(runner, head_sha="b" * 40)
    assert proc.returncode == 1 and "not posting" in proc.stderr and github.comments == []

    meta = json.loads((downloaded / "meta.json").read_text())
    (downloaded / "meta.json").write_text(json.dumps({**meta, "pr": 8}))  # a fork names someone else's pull request
    proc = _post_artifacts(runner)
    assert proc.returncode == 1 and github.comments == []

    (downloaded / "meta.json").write_text(json.dumps({**meta, "pr": "7; rm -rf /"}))
    proc = _post_artifacts(runner)
    assert proc.returncode == 2 and "not a comment svcdocs prepared" in proc.stderr and github.comments == []


def test_an_artifact_whose_comment_is_a_symlink_is_refused(runner, github, tmp_path):
    downloaded = _upload(runner, runner.review("cluster-to-loadbalancer"))
    secret = tmp_path / "secret.txt"
    secret.write_text("token=hunter2\n")
    (downloaded / "comment.md").unlink()
    (downloaded / "comment.md").symlink_to(secret)
    proc = _post_artifacts(runner)
    assert proc.returncode == 2 and "cannot read" in proc.stderr
    assert github.comments == []


def test_the_comment_command_runs_only_on_workflow_run(runner, github):
    proc = _post_artifacts(runner, event="pull_request_target")
    assert proc.returncode == 2 and "run it on workflow_run" in proc.stdout
    assert github.calls == []


# --- Job summary and SARIF -----------------------------------------------------------

def test_the_job_summary_gets_the_review(runner):
    folder = runner.review("cluster-to-loadbalancer")
    proc = runner.run("Job summary", {"FOLDER": folder})
    assert proc.returncode == 0, proc.stderr
    text = runner.summary.read_text(encoding="utf-8")
    assert text.startswith("<!-- svcdocs-review -->\n### ⚠") and "reachable from the internet" in text


def test_the_job_summary_holds_more_than_the_comment(cli, tmp_path):
    """A review larger than a comment is cut for the comment but whole in the summary."""
    for side, kind in (("base", "ClusterIP"), ("head", "LoadBalancer")):
        docs = [f"apiVersion: v1\nkind: Service\nmetadata: {{name: service-{i:04d}, namespace: shop}}\n"
                f"spec: {{type: {kind}, selector: {{app: a{i}}}, ports: [{{port: 80}}]}}\n" for i in range(600)]
        (tmp_path / side).mkdir()
        (tmp_path / side / "all.yaml").write_text("---\n".join(docs))
    result = cli("diff", tmp_path / "base", tmp_path / "head", "-o", tmp_path / "review.md",
                 "--summary", tmp_path / "summary.md")
    assert result.exit_code == 0
    review, summary = ((tmp_path / n).read_text(encoding="utf-8") for n in ("review.md", "summary.md"))
    assert len(review.encode()) < 65_536 < len(summary.encode()) < 1 << 20
    assert "Shortened to fit GitHub's limit of 65,536 characters" in review
    assert "Shortened" not in summary and "service-0599" in summary


def test_the_sarif_step_writes_sarif_and_keeps_the_exit_status(runner, tmp_path):
    proc = runner.run("svcdocs ${{ inputs.command }}", {"SVCDOCS_COMMAND": "check", "SVCDOCS_PATHS": "sample-manifests",
                                                       "SVCDOCS_ARGS": "", "SVCDOCS_SARIF": "true"})
    assert proc.returncode == 0, proc.stderr
    outputs = runner.outputs["svcdocs ${{ inputs.command }}"]
    assert outputs["exit-code"] == "1"  # sample-manifests has errors: the last step fails the job
    document = json.loads(Path(outputs["sarif"]).read_text(encoding="utf-8"))
    assert document["version"] == "2.1.0" and document["runs"][0]["results"]
    assert Path(outputs["sarif"]).is_relative_to(runner.temp)
    proc = runner.run("Exit as svcdocs did", {"STATUS": outputs["exit-code"]})
    assert proc.returncode == 1
