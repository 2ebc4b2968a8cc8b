"""Messages say one true thing and the action that helps (issue 20): a missing
local file is said to be missing, not fetched; a count of one takes the
singular."""

from __future__ import annotations

from svcdocs.load.kustomize_check import check
from svcdocs.render.templates import count, environment

from conftest import needs_kustomize, write

SERVICE = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80}]\n"


def test_a_missing_local_resource_is_said_to_be_missing(tmp_path):
    write(tmp_path, "app/kustomization.yaml", "resources:\n- service.yaml\n- deployment.yaml\n")
    write(tmp_path, "app/service.yaml", SERVICE)
    problems = check(str(tmp_path / "app"), str(tmp_path), allow_remote=False).problems
    assert [(p.line, p.reason) for p in problems] == [
        (3, f"resources entry 'deployment.yaml': {tmp_path}/app/deployment.yaml does not exist; "
            "add it or remove the entry")]


def test_a_remote_resource_still_needs_allow_remote(tmp_path):
    write(tmp_path, "app/kustomization.yaml", "resources:\n- https://example.com/app.yaml\n")
    reason = check(str(tmp_path / "app"), str(tmp_path), allow_remote=False).problems[0].reason
    assert "which kustomize would fetch" in reason and "--allow-remote" in reason
    assert check(str(tmp_path / "app"), str(tmp_path), allow_remote=True).problems == []


@needs_kustomize
def test_the_command_line_says_where_the_missing_file_should_be(tmp_path, monkeypatch, cli):
    write(tmp_path, "app/kustomization.yaml", "resources:\n- service.yaml\n- deployment.yaml\n")
    write(tmp_path, "app/service.yaml", SERVICE)
    monkeypatch.chdir(tmp_path)
    result = cli("graph", "app")
    assert "app/kustomization.yaml:3: resources entry 'deployment.yaml': app/deployment.yaml does not exist" \
        in result.output
    assert "--allow-remote" not in result.output and "fetch" not in result.output


def test_a_count_of_one_is_singular():
    assert [count(0, "file"), count(1, "file"), count(2, "file")] == ["0 files", "1 file", "2 files"]
    assert count(1, "NetworkPolicy", "NetworkPolicies") == "1 NetworkPolicy"
    assert count(3, "NetworkPolicy", "NetworkPolicies") == "3 NetworkPolicies"
    template = environment().from_string('read from {{ n|count("file") }}')
    assert template.render(n=1) == "read from 1 file" and template.render(n=12) == "read from 12 files"


def test_the_home_page_of_one_file_says_one_file(tmp_path, monkeypatch, cli):
    write(tmp_path, "k8s/web.yaml", SERVICE)
    monkeypatch.chdir(tmp_path)
    result = cli("build", "k8s", "-o", "site")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "1 Service and 0 workloads in 1 namespace, read from 1 file (1 document)" in page
    assert "1 files" not in page and "1 documents" not in page


def test_the_review_of_environments_counts_them_in_the_singular_for_one():
    from svcdocs.review.environments import EnvironmentReview, overall_verdict

    class Unchanged:
        more_exposed = unjudged = False

    one = (EnvironmentReview("prod", "unchanged", Unchanged()),)
    assert overall_verdict(one) == "No architectural changes in 1 environment"
    assert overall_verdict(one * 2) == "No architectural changes in 2 environments"
