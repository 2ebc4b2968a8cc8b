"""`svcdocs diff`: each kind of change over pairs of fixture trees (tests/review/<case>/{base,head}),
golden comments (tests/golden/review, rewritten by `pytest --update-golden`), the gate, JSON,
the Mermaid fallback and the 65,536-character limit, and `--git REV` in a repository made here."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from svcdocs.analysis.reach import ports
from svcdocs.config import Config
from svcdocs.pipeline import report_for_paths
from svcdocs.render.review_markdown import LIMIT, MARKER, comment
from svcdocs.render.review_mermaid import MAX_EDGES
from svcdocs.review import Review, review, verdict

from conftest import ROOT, SAMPLES, write

CASES = ROOT / "tests" / "review"
GOLDEN = ROOT / "tests" / "golden" / "review"


def review_of(case: str) -> Review:
    base, head = (report_for_paths([str(CASES / case / side)], Config()) for side in ("base", "head"))
    return review(base, head)


def check_golden(name: str, text: str, update: bool) -> None:
    golden = GOLDEN / f"{name}.md"
    if update:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), "run pytest --update-golden and review the diff"


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_comment_matches_golden(cli, monkeypatch, update_golden, case):
    monkeypatch.chdir(CASES / case)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(CASES))  # paths as in no repository, wherever the checkout is
    result = cli("diff", "base", "head")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(MARKER + "\n### ")
    check_golden(case, result.stdout, update_golden)


def test_cluster_ip_turned_load_balancer_is_newly_internet_and_fails_the_gate(cli, monkeypatch):
    r = review_of("cluster-to-loadbalancer")
    assert [(c.object, c.before, c.after, c.reasons_after) for c in r.exposure] == [
        ("Deployment/shop/api", "cluster", "internet", ("Service/shop/api",)),
        ("Service/shop/api", "cluster", "internet", ("type LoadBalancer",)),
    ]
    assert [(c.change, c.entry.kind, c.entry.service, c.entry.port) for c in r.entrypoints] == [
        ("added", "loadbalancer", "Service/shop/api", 80)]
    assert [(c.object, [(f.field, f.before, f.after) for f in c.fields]) for c in r.objects] == [
        ("Service/shop/api", [("type", "ClusterIP", "LoadBalancer")])]
    assert r.more_exposed
    monkeypatch.chdir(CASES / "cluster-to-loadbalancer")
    result = cli("diff", "base", "head", "--fail-on-exposure")
    assert result.exit_code == 1
    # shop denies all ingress, so the load balancer would carry nothing: said, and still a new way in.
    assert result.stdout.splitlines()[1] == (
        "### ⚠ 1 Service and 1 workload declared reachable from the internet, but blocked by NetworkPolicies; "
        "1 new entry point; 1 object changed")
    assert [(c.object, c.admitted_before, c.admitted_after, c.blocked) for c in r.exposure] == [
        ("Deployment/shop/api", "none", "none", True), ("Service/shop/api", "none", "none", True)]


def test_a_load_balancer_that_the_policies_admit_is_newly_reachable_from_the_internet(cli, tmp_path):
    policy = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: allow-api-public, namespace: shop}
        spec:
          podSelector: {matchLabels: {app: api}}
          ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: http}]}]
        """
    for side in ("base", "head"):
        shutil.copytree(CASES / "cluster-to-loadbalancer" / side, tmp_path / side)
        write(tmp_path / side, "shop/allow-api-public.yaml", policy)
    r = review(report_for_paths([str(tmp_path / "base")], Config()), report_for_paths([str(tmp_path / "head")], Config()))
    assert verdict(r) == "⚠ 1 Service and 1 workload newly reachable from the internet; 1 new entry point; 1 object changed"
    assert [(c.change, c.targets, c.sources, ports.text(c.conn)) for c in r.reach] == [
        ("gained", ("Deployment/shop/api",), ("internet",), "TCP 9090")]
    assert r.more_exposed and r.reach_from_outside


def test_new_ingress_path_is_a_new_entry_point(cli, monkeypatch):
    r = review_of("new-ingress-path")
    assert [(c.change, c.entry.via, c.entry.host, c.entry.path, c.entry.service) for c in r.entrypoints] == [
        ("added", "Ingress/shop/web", "shop.example.com", "/api", "Service/shop/api")]
    assert {(c.object, c.after, c.reasons_after) for c in r.exposure} >= {
        ("Service/shop/api", "internet", ("Ingress/shop/web",))}
    assert [(e.change, e.edge.source, e.edge.target, e.edge.path) for e in r.edges] == [
        ("added", "Ingress/shop/web", "Service/shop/api", "/api")]
    monkeypatch.chdir(CASES / "new-ingress-path")
    assert cli("diff", "base", "head", "--fail-on-exposure").exit_code == 1


def test_removed_workload(cli, monkeypatch):
    r = review_of("removed-workload")
    assert [(c.change, c.object) for c in r.objects] == [("removed", "Deployment/shop/api")]
    assert {(e.change, e.edge.kind) for e in r.edges} == {("removed", "selects"), ("removed", "isolates")}
    assert [(f.change, f.finding.rule, f.finding.object) for f in r.findings] == [
        ("new", "dangling-service", "Service/shop/api")]
    assert not r.exposure  # it reached no further than the cluster
    assert not r.more_exposed
    monkeypatch.chdir(CASES / "removed-workload")
    assert cli("diff", "base", "head", "--fail-on-exposure").exit_code == 0


def test_changed_selector_leaves_the_service_dangling():
    r = review_of("dangling-selector")
    (change,) = r.objects
    assert [(f.field, f.before, f.after) for f in change.fields] == [("selector[app]", "api", "api-v2")]
    assert [(e.change, e.edge.kind, e.edge.target) for e in r.edges] == [("removed", "selects", "Deployment/shop/api")]
    assert [(c.object, c.before, c.after) for c in r.exposure] == [("Deployment/shop/api", "cluster", "none")]
    assert [(f.change, f.finding.rule) for f in r.findings] == [("new", "dangling-service")]
    assert not r.more_exposed


def test_network_policy_removed():
    r = review_of("network-policy-removed")
    assert [(c.change, c.object) for c in r.objects] == [("removed", "NetworkPolicy/shop/default-deny-ingress")]
    assert [(e.change, e.edge.kind) for e in r.edges] == [("removed", "isolates")] * 2
    assert {(f.change, f.finding.rule, f.finding.object) for f in r.findings} == {
        ("new", "no-network-policy", "Deployment/shop/api"), ("new", "no-network-policy", "Deployment/shop/web"),
        ("resolved", "entrypoint-blocked-by-policy", "Ingress/shop/web")}
    nodes = {n.id: n.status for n in r.part.nodes}
    assert nodes["NetworkPolicy/shop/default-deny-ingress"] == "removed"
    # The default deny gone, any pod of any namespace reaches both, and the Ingress reaches web.
    assert [(c.change, c.targets, c.source_kind, ports.text(c.conn), c.because) for c in r.reach] == [
        ("gained", ("Deployment/shop/api", "Deployment/shop/web"), "any", "All Connections",
         (("NetworkPolicy/shop/default-deny-ingress", "removed"),)),
        ("gained", ("Deployment/shop/web",), "internet", "TCP 8080",
         (("NetworkPolicy/shop/default-deny-ingress", "removed"),))]
    assert r.more_exposed


@pytest.mark.parametrize("case", ["identical", "file-moved"])
def test_identical_trees_and_moved_files_are_no_change(cli, monkeypatch, case):
    assert review_of(case).empty
    monkeypatch.chdir(CASES / case)
    result = cli("diff", "base", "head", "--fail-on-exposure")
    assert result.exit_code == 0
    assert "no architectural changes" in result.stdout.lower()


def test_findings_match_by_rule_and_object_not_file_or_line(tmp_path):
    base, head = tmp_path / "base", tmp_path / "head"
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {app: gone}, ports: [{port: 80}]}\n"
    write(base, "a.yaml", service)
    write(head, "deep/b.yaml", "# moved, and a line lower\n" + service)
    r = review(report_for_paths([str(base)], Config()), report_for_paths([str(head)], Config()))
    assert r.empty


def test_new_object_counts_as_more_exposed_from_node_up(tmp_path):
    base, head = tmp_path / "base", tmp_path / "head"
    write(base, "a.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")
    write(head, "a.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")
    write(head, "internal.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: internal}\nspec: {ports: [{port: 80}]}\n")
    calm = review(report_for_paths([str(base)], Config()), report_for_paths([str(head)], Config()))
    assert not calm.exposure and not calm.more_exposed
    write(head, "debug.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: debug}\n"
                              "spec: {type: NodePort, ports: [{port: 80, nodePort: 30080}]}\n")
    alarm = review(report_for_paths([str(base)], Config()), report_for_paths([str(head)], Config()))
    assert [(c.object, c.before, c.after) for c in alarm.exposure] == [("Service/default/debug", None, "node")]
    assert alarm.more_exposed


def test_json_carries_the_same_content(cli, monkeypatch):
    monkeypatch.chdir(CASES / "cluster-to-loadbalancer")
    doc = json.loads(cli("diff", "base", "head", "--format", "json").stdout)
    assert doc["schema"] == "svcdocs.review/v1"
    assert doc["more_exposed"] is True
    assert doc["verdict"].startswith("⚠ 1 Service and 1 workload declared reachable from the internet, but blocked")
    assert {"object": "Service/shop/api", "kind": "Service", "before": "cluster", "after": "internet", "raised": True,
            "reasons_before": [], "reasons_after": ["type LoadBalancer"], "admitted_before": "none",
            "admitted_after": "none"} in doc["exposure"]
    assert doc["reach"] == []
    assert doc["entrypoints"][0]["change"] == "added" and doc["entrypoints"][0]["kind"] == "loadbalancer"
    assert doc["objects"][0]["fields"] == [{"field": "type", "before": "ClusterIP", "after": "LoadBalancer"}]
    assert {f["rule"] for f in doc["findings"]} == {"loadbalancer-open-to-world", "entrypoint-blocked-by-policy"}
    assert {"id": "Service/shop/api", "status": "changed"}.items() <= doc["graph"]["nodes"][-1].items()


def test_output_file(cli, monkeypatch, tmp_path):
    monkeypatch.chdir(CASES / "identical")
    out = tmp_path / "review.md"
    result = cli("diff", "base", "head", "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith(MARKER)


@pytest.mark.parametrize("args", [(), ("one",), ("a", "b", "c")])
def test_usage_errors_exit_2_in_one_line(cli, monkeypatch, args):
    monkeypatch.chdir(CASES / "identical")
    result = cli("diff", *args)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["svcdocs: diff takes BASE and HEAD (two paths), or --git REV [PATH]..."]


def test_names_from_manifests_are_escaped(cli, tmp_path):
    base, head = tmp_path / "base", tmp_path / "head"
    write(base, "a.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")
    write(head, "a.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")
    write(head, "evil.yaml", """\
        apiVersion: v1
        kind: Service
        metadata:
          name: "e](https://evil.example)<img src=x>|`\\"]"
        spec: {type: LoadBalancer, ports: [{port: 80}]}
        """)
    text = cli("diff", base, head).stdout
    assert "<img" not in text and "](https" not in text and "|`" not in text
    mermaid = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert '\\"]' not in mermaid and "<img" not in mermaid


def _services(count: int, service_type: str, extra: str = "") -> str:
    docs = []
    for i in range(count):
        docs.append(f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app-{i:04}, namespace: big}}
spec:
  selector: {{matchLabels: {{app: app-{i:04}}}}}
  template:
    metadata: {{labels: {{app: app-{i:04}, tier: web}}}}
    spec: {{containers: [{{name: app, image: app:1, ports: [{{containerPort: 8080}}]}}]}}
---
apiVersion: v1
kind: Service
metadata: {{name: app-{i:04}, namespace: big}}
spec: {{type: {service_type}, selector: {{app: app-{i:04}}}, ports: [{{port: 80, targetPort: 8080}}]}}
""")
    return "---\n".join(docs) + extra


def test_a_large_changed_part_falls_back_from_mermaid_to_a_table(cli, tmp_path):
    policy = ("---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: big}\n"
              "spec: {podSelector: {matchLabels: {tier: web}}, policyTypes: [%s]}\n")
    write(tmp_path / "base", "all.yaml", _services(MAX_EDGES + 10, "ClusterIP", policy % "Ingress"))
    write(tmp_path / "head", "all.yaml", _services(MAX_EDGES + 10, "ClusterIP", policy % "Ingress, Egress"))
    text = cli("diff", tmp_path / "base", tmp_path / "head").stdout
    assert "```mermaid" not in text
    assert f"{MAX_EDGES + 10} edges" in text and "more than GitHub draws (500 edges, 50000 characters)" in text
    assert "policyTypes: Ingress → Ingress, Egress" in text
    assert len(text.encode()) < LIMIT


def test_a_huge_change_is_shortened_under_the_limit_least_important_first(cli, tmp_path):
    write(tmp_path / "base", "all.yaml", _services(600, "ClusterIP"))
    write(tmp_path / "head", "all.yaml", _services(600, "LoadBalancer"))
    result = cli("diff", tmp_path / "base", tmp_path / "head", "--fail-on-exposure")
    text = result.stdout
    assert result.exit_code == 1
    assert len(text.encode("utf-8")) < LIMIT
    assert text.splitlines()[1] == ("### ⚠ 600 Services and 600 workloads newly reachable from the internet; "
                                    "600 new entry points; 600 objects changed")
    note = text[text.index("> [!NOTE]"):]
    assert "left out the diagram; all 600 rows of objects; all 1200 rows of findings;" in note
    assert "svcdocs diff --format json` has everything" in note
    assert "#### Exposure: 1200 raised" in text  # the most important table is the last to lose rows
    assert "Service big/app-0000" in text


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A git repository with sample-manifests in two commits: the second makes
    Grafana's load balancer public and removes the nightly report CronJob."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    shutil.copytree(SAMPLES, tmp_path / "sample-manifests")
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "config", "user.email", "test@example.com")
    _git(tmp_path, "config", "user.name", "test")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "samples")
    grafana = tmp_path / "sample-manifests" / "ops" / "grafana.json"
    doc = json.loads(grafana.read_text())
    for item in doc["items"]:
        item["metadata"].get("annotations", {}).pop("service.beta.kubernetes.io/aws-load-balancer-internal", None)
    grafana.write_text(json.dumps(doc, indent=2) + "\n")
    (tmp_path / "sample-manifests" / "shop" / "nightly-sales-report.yaml").unlink()
    _git(tmp_path, "commit", "-q", "-a", "-m", "public grafana, no nightly report")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_diff_git_reads_base_from_git_objects(cli, repo, update_golden):
    before = _git(repo, "status", "--porcelain"), (repo / ".git" / "index").read_bytes()
    result = cli("diff", "--git", "HEAD~1", "sample-manifests", "--fail-on-exposure")
    assert result.exit_code == 1, result.stderr
    assert result.stdout.splitlines()[1].startswith("### ⚠ 1 Service and 1 workload newly reachable from the internet")
    assert (_git(repo, "status", "--porcelain"), (repo / ".git" / "index").read_bytes()) == before
    check_golden("sample-manifests", result.stdout, update_golden)


def test_diff_git_of_an_unchanged_tree_is_no_change(cli, repo):
    result = cli("diff", "--git", "HEAD", "sample-manifests", "--fail-on-exposure")
    assert result.exit_code == 0
    assert "### No architectural changes" in result.stdout


def test_diff_git_bad_revision_exits_2_in_one_line(cli, repo):
    result = cli("diff", "--git", "no-such-branch", "sample-manifests")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "svcdocs: no-such-branch: not a revision of this git repository (try `git log` for one)"]


def test_diff_git_outside_a_repository_exits_2(cli, tmp_path, monkeypatch):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    write(tmp_path, "a.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = cli("diff", "--git", "HEAD", ".")
    assert result.exit_code == 2
    assert "is not in one" in result.stderr


def test_diff_git_renders_a_kustomization_from_the_revision(cli, repo, monkeypatch):
    """A kustomization at REV is rendered from an export of REV's tree, by
    kubectl or kustomize, or here by a stand-in that concatenates the resources."""
    if not (shutil.which("kubectl") or shutil.which("kustomize")):
        fake = repo.parent / "bin" / "kustomize"
        write(fake.parent, "kustomize", '#!/bin/sh\n# kustomize build -- FOLDER\nfor f in "$3"/*.yaml; do '
                                        '[ "$(basename "$f")" = kustomization.yaml ] || { cat "$f"; echo ---; }; done\n')
        fake.chmod(0o755)
        monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    overlay = repo / "overlay"
    write(overlay, "kustomization.yaml", "resources: [svc.yaml]\n")
    write(overlay, "svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n")
    _git(repo, "add", "overlay")
    _git(repo, "commit", "-q", "-m", "overlay")
    write(overlay, "svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
                               "spec: {type: NodePort, ports: [{port: 80}]}\n")
    result = cli("diff", "--git", "HEAD", "overlay", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [(c["object"], c["before"], c["after"]) for c in doc["exposure"]] == [("Service/default/web", "cluster", "node")]
    assert doc["base"] == "overlay at HEAD"


def test_changed_fields_are_named_by_path_and_item(tmp_path):
    deployment = """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, labels: {team: a}}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
                - {name: web, image: "web:%s", ports: [{name: http, containerPort: %d}]}
                - {name: proxy, image: envoy:1}
        """
    write(tmp_path / "base", "web.yaml", deployment % ("1.0", 8080))
    write(tmp_path / "head", "web.yaml", "# a comment moves every line\n" + deployment % ("1.1", 9090))
    r = review(report_for_paths([str(tmp_path / "base")], Config()), report_for_paths([str(tmp_path / "head")], Config()))
    (change,) = r.objects
    assert [(f.field, f.before, f.after) for f in change.fields] == [
        ("containers[web].image", "web:1.0", "web:1.1"),
        ("containers[web].ports[http].number", "8080", "9090"),
    ]


def test_reach_gained_is_summed_by_namespace_and_names_the_policy(tmp_path):
    """The issue's example: a policy that admitted one workload of shop is
    replaced by one that admits all of them."""
    shop = "".join(f"""---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: shop}}
spec: {{template: {{metadata: {{labels: {{app: {name}}}}}, spec: {{containers: [{{name: c}}]}}}}}}
""" for name in ("cart", "catalog", "orders"))
    data = """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres, namespace: data}
spec: {template: {metadata: {labels: {app: postgres}}, spec: {containers: [{name: c, ports: [{containerPort: 5432}]}]}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: data}
spec: {podSelector: {}, policyTypes: [Ingress]}
"""
    catalog_only = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-allow, namespace: data}
spec:
  podSelector: {matchLabels: {app: postgres}}
  ingress:
    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}},
              podSelector: {matchLabels: {app: catalog}}}]
      ports: [{port: 5432}]
"""
    all_of_shop = catalog_only.replace("name: db-allow", "name: shop-allow").replace(
        ",\n              podSelector: {matchLabels: {app: catalog}}", "")
    write(tmp_path / "base", "all.yaml", shop + "---" + data + "---" + catalog_only)
    write(tmp_path / "head", "all.yaml", shop + "---" + data + "---" + all_of_shop)
    r = review(report_for_paths([str(tmp_path / "base")], Config()), report_for_paths([str(tmp_path / "head")], Config()))
    assert [(c.change, c.targets, c.source_kind, c.sources, ports.text(c.conn), c.because) for c in r.reach] == [
        ("gained", ("StatefulSet/data/postgres",), "workload", ("Deployment/shop/cart", "Deployment/shop/orders"),
         "TCP 5432", (("NetworkPolicy/data/db-allow", "removed"), ("NetworkPolicy/data/shop-allow", "added")))]
    assert r.more_exposed and verdict(r).startswith("⚠ 1 workload newly reachable from other namespaces")
    text = comment(r, "base", "head")
    assert ("| 🔓 | StatefulSet data/postgres | now reachable from | Deployment shop/cart, Deployment shop/orders | "
            "TCP 5432 | NetworkPolicy data/db-allow removed, NetworkPolicy data/shop-allow added |") in text
    # Every workload of a namespace gaining alike is the namespace.
    write(tmp_path / "base2", "all.yaml", shop + "---" + data)
    gained = review(report_for_paths([str(tmp_path / "base2")], Config()),
                    report_for_paths([str(tmp_path / "head")], Config())).reach
    assert [(c.source_kind, c.sources, ports.text(c.conn)) for c in gained] == [("namespace", ("shop",), "TCP 5432")]


def test_files_base_and_head_share_are_read_once_and_keep_their_own_names(cli, tmp_path, monkeypatch):
    """A review parses each distinct file once (BASE and HEAD share most of
    theirs); every object still names the file it was read from."""
    import svcdocs.model as model
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {type: NodePort, ports: [{port: 80}]}\n"
    for side in ("base", "head"):
        (tmp_path / side).mkdir()
        (tmp_path / side / "web.yaml").write_text(service)
    (tmp_path / "head" / "copy.yaml").write_text(service)  # the same bytes under another name: a duplicate
    parsed = []
    real = model.parse
    monkeypatch.setattr(model, "parse", lambda source: parsed.append(source.label) or real(source))
    monkeypatch.chdir(tmp_path)
    document = json.loads(cli("diff", "base", "head", "--format", "json").stdout)
    assert len(parsed) == 1
    new = [f for f in document["findings"] if f["change"] == "new"]
    assert [(f["rule"], f["file"]) for f in new] == [("duplicate-object", "head/web.yaml")]
    resolved = {(f["rule"], f["file"]) for f in document["findings"] if f["change"] == "resolved"}
    assert ("nodeport-service", "base/web.yaml") not in resolved  # the same finding at the same place in both


def test_a_release_not_rendered_on_both_sides_is_not_new_whatever_the_folders(cli, tmp_path, monkeypatch):
    """`diff . /elsewhere/copy`: a HelmRelease from a chart repository, not
    rendered (no --allow-remote) on both sides, is matched by its name, which
    no PATH prefixes: nothing is new that svcdocs could not read."""
    here = tmp_path / "here"
    (here / "apps").mkdir(parents=True)
    (here / "apps" / "podinfo.yaml").write_text(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\n"
        "metadata: {name: podinfo, namespace: apps}\nspec: {url: https://stefanprodan.github.io/podinfo}\n"
        "---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: podinfo, namespace: apps}\n"
        "spec:\n  chart:\n    spec:\n      chart: podinfo\n      sourceRef: {kind: HelmRepository, name: podinfo}\n")
    (here / "apps" / "kustomization.yaml").write_text("resources: [podinfo.yaml]\n")
    copy = tmp_path / "elsewhere" / "copy"
    shutil.copytree(here, copy)
    monkeypatch.chdir(here)
    result = cli("diff", ".", str(copy), "--fail-on-exposure")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "No architectural changes" in result.stdout
    assert "could not read or render" not in result.stdout
