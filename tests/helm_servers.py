"""Chart repositories and an OCI registry on 127.0.0.1 for the tests that run
a real helm (`/usr/local/bin/helm`, or what `.ci/run` installs): one chart
repository written here (`helm repo index` and a small HTTP server) and one
OCI registry (Debian's `docker-registry` with a config written here, charts
pushed with `helm push --plain-http`), both started once per session.

The charts are real ones, packaged (tests/fixtures/charts/SOURCE.txt). Tests
without helm, or (for the registry) without docker-registry, skip.
"""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import ROOT

CHARTS = ROOT / "tests" / "fixtures" / "charts"
HELM = shutil.which("helm")
REGISTRY = shutil.which("docker-registry")
needs_helm = pytest.mark.skipif(HELM is None, reason="needs helm (.ci/run installs it with ../shared/tools/install-helm)")


@dataclass
class ChartServers:
    http: str  # the chart repository: http://127.0.0.1:PORT
    oci: str  # the registry: 127.0.0.1:PORT ("" without docker-registry)
    requests: list[str] = field(default_factory=list)  # paths the chart repository served
    registry_log: Path | None = None

    def registry_pulls(self) -> list[str]:
        """The chart manifests the registry served (one per pull)."""
        if self.registry_log is None or not self.registry_log.exists():
            return []
        return [line for line in self.registry_log.read_text(errors="replace").splitlines()
                if '"GET /v2/' in line and "/manifests/" in line]

    def needs_registry(self) -> None:
        if not self.oci:
            pytest.skip("needs docker-registry (Debian's package) for an OCI registry")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _helm(*args: str, env: dict[str, str]) -> None:
    subprocess.run([HELM, *args], check=True, capture_output=True, env=env, timeout=60)


@pytest.fixture(scope="session")
def chart_servers(tmp_path_factory):
    if HELM is None:
        pytest.skip("needs helm")
    root = tmp_path_factory.mktemp("chart-servers")
    home = root / "helm-home"
    env = dict(os.environ, HELM_CONFIG_HOME=str(home / "config"), HELM_CACHE_HOME=str(home / "cache"),
               HELM_DATA_HOME=str(home / "data"))
    repository = root / "repository"
    repository.mkdir()
    for chart in CHARTS.glob("*.tgz"):
        shutil.copy(chart, repository / chart.name)
    served: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(repository), **kwargs)

        def do_GET(self):
            served.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    _helm("repo", "index", str(repository), f"--url={url}", env=env)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    registry, log, process = "", None, None
    if REGISTRY is not None:
        port = _free_port()
        (root / "registry.yml").write_text(
            f"version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n"
            f"    rootdirectory: {root / 'registry'}\nhttp:\n  addr: 127.0.0.1:{port}\n")
        log = root / "registry.log"
        with open(log, "wb") as out:
            process = subprocess.Popen([REGISTRY, "serve", str(root / "registry.yml")], stdout=out,
                                       stderr=subprocess.STDOUT)
        registry = f"127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://{registry}/v2/", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        for chart in sorted(CHARTS.glob("*.tgz")):
            where = "bjw-s-labs/helm" if chart.name.startswith("app-template") else "charts"
            _helm("push", str(chart), f"oci://{registry}/{where}", "--plain-http", env=env)
    try:
        yield ChartServers(url, registry, served, log)
    finally:
        server.shutdown()
        if process is not None:
            process.terminate()
            process.wait(timeout=10)


def copy_fixture(source: Path, target: Path, servers: ChartServers, replacements: dict[str, str]) -> Path:
    """A fixture repository copied into `target`, with the chart URLs it names
    pointed at the servers here (`{http}` and `{oci}` in a replacement)."""
    shutil.copytree(source, target)
    for path in target.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        new = text
        for old, replacement in replacements.items():
            new = new.replace(old, replacement.format(http=servers.http, oci=servers.oci))
        if new != text:
            path.write_text(new, encoding="utf-8")
    return target
