#!/usr/bin/env python3
"""svcdocs benchmarks: each figure is a ratio to a floor measured in the same run,
so machine noise cancels. Prints medians, ratios against targets, and peak memory.

Usage: python bench/run.py [--repeat N] [--only NAME,...] [--work DIR] [--kube-diagrams CMD]

  analysis  `svcdocs graph --format json` on 10,000 Services vs merely loading the
            same files with yaml.load_all(CSafeLoader) in one process   (<= 1.3x, < 1 GB)
  site      `svcdocs build` on 1,000 Services (--no-netpol) vs KubeDiagrams drawing
            its one diagram of the same files                          (<= 1.0x)
  netpol    the same build with the NetworkPolicies left in vs without  (<= 1.5x)
  rebuild   a second build of unchanged input vs the first              (<= 0.5x)
  engines   `svcdocs build --engine zensical` on 1,000 Services vs the same
            build with mkdocs (the default); both times are printed      (no target)
  review    `svcdocs diff` of two 10,000-Service trees that differ in one
            file vs loading one tree                                    (<= 2.6x)
  reach     `svcdocs reach --format json` on 10,000 Services (two policies per
            namespace) vs `svcdocs graph --format json` on the same   (<= 2.0x, < 1 GB)
  policies  `svcdocs reach --format json` on 10,000 Services with 2,000 more policies of
            every kind (bench/policies.py) vs `svcdocs graph --format json` on the same
                                                                        (<= 2.0x, < 1 GB)
  selectors `svcdocs reach` and `svcdocs graph` on 2,000 Services with 2,000 policies of
            distinct selectors vs the same with 1,000 (near-linear: <= 2.2x)
  growth    analysis time from 1,000 to 10,000 Services (linear or better)
  environments  `svcdocs build` of a repository of 30 entry kustomizations (overlays of
            one base of 300 Services) vs one build over the same objects as a single
            environment (the 30 renders, each in its own namespaces). Kustomize is
            taken out of the measure: each overlay is rendered once beforehand, and a
            stand-in `kubectl` prints that render         (<= 1.5x; peak < 1 GB)
  apps      `svcdocs build` (and `graph --format json`) of one Flux deployment of 100 apps
            (a cluster folder -> apps/ -> one ks.yaml per app -> its app/ kustomization:
            bench/flux_apps.py) vs the same Deployments and Services as one plain
            folder; kustomize really runs                               (<= 1.5x)
  memory    `svcdocs graph --format json` and `svcdocs check` of 10,000 Services in 3
            environments (three Flux clusters dev, staging, prod, each deploying a folder
            of 3,334 Services): peak memory of all its processes at once (< 1 GB)

Usage to measure another checkout's code with the same corpora:
  python bench/run.py --only apps,memory --svcdocs /work/other/.venv/bin/svcdocs --work /tmp/bench

Corpora come from ../shared/bench/gen_corpus.py when it is beside the checkout,
else from bench/corpus.py (the same mix). KubeDiagrams: `pip install kubediagrams`
(it needs Debian's libgraphviz-dev); without it the site comparison is skipped.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_GENERATOR = ROOT.parent / "shared" / "bench" / "gen_corpus.py"
OWN_GENERATOR = ROOT / "bench" / "corpus.py"
POLICY_GENERATOR = ROOT / "bench" / "policies.py"
FLUX_GENERATOR = ROOT / "bench" / "flux_apps.py"
SVCDOCS = [sys.executable, "-m", "svcdocs"]
FLOOR = """
import glob, os, sys, yaml
for path in sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.yaml"), recursive=True)):
    with open(path, "rb") as f:
        for _ in yaml.load_all(f, Loader=yaml.CSafeLoader):
            pass
"""
TARGETS = {"analysis": 1.3, "site": 1.0, "netpol": 1.5, "rebuild": 0.5, "review": 2.6, "reach": 2.0, "policies": 2.0,
           "selectors": 2.2,
           "environments": 1.5, "apps": 1.5}
MEMORY_LIMIT_MIB = 1024
ENVIRONMENTS = 30
APPS = 100
MEMORY_ENVIRONMENTS = ("dev", "staging", "prod")
MEMORY_SERVICES = 10_000
STAND_IN = """#!/bin/sh
# kubectl kustomize [FLAGS] [--] FOLDER: print the render made beforehand
for last; do :; done
case "$(basename "$last")" in svcdocs-origin-*)  # svcdocs's wrapper for origin annotations: its one resource
  last=$(sed -n 's/^- "\\(.*\\)"$/\\1/p' "$last/kustomization.yaml");;
esac
exec cat "{rendered}/$(basename "$last").yaml"
"""


class Bench:
    def __init__(self, work: Path, repeat: int):
        self.work = work
        self.repeat = repeat
        self.cpu = 0.0  # of the last command run
        self.rows: list[tuple[str, float, float | None, str]] = []

    # --- corpora ---------------------------------------------------------------

    def corpus(self, n: int, netpol: bool = True) -> Path:
        folder = self.work / f"corpus-{n}{'' if netpol else '-no-netpol'}"
        if not folder.is_dir():
            generator = SHARED_GENERATOR if SHARED_GENERATOR.exists() else OWN_GENERATOR
            argv = [sys.executable, str(generator), str(n), str(folder)] + ([] if netpol else ["--no-netpol"])
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
            (folder / "expected.json").unlink(missing_ok=True)  # the generator's answer key, not a manifest
        return folder

    # --- measuring ---------------------------------------------------------------

    def run(self, argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, int]:
        """Wall time and peak RSS (KiB, the largest process of the tree) of one command, with `env`
        added to the environment and Python's bytecode cached in the work folder (a shell that sets
        PYTHONDONTWRITEBYTECODE would have every run compile svcdocs, mkdocs and Jinja2 from
        source, which no installed copy does); its CPU time (user + system, the processes it waited for
        included) in self.cpu."""
        environ = dict(os.environ, **(env or {}), PYTHONPYCACHEPREFIX=str(self.work / "pycache"))
        environ.pop("PYTHONDONTWRITEBYTECODE", None)  # every command runs as installed: with its bytecode cached
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environ)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        self.cpu = usage.ru_utime + usage.ru_stime
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} failed with exit {code}: {proc.stderr.read().decode()[-500:]}")
        return elapsed, usage.ru_maxrss

    def tree_peak(self, argv: list[str], cwd: Path) -> tuple[float, int, int]:
        """Wall time, peak RSS of the largest process (KiB, from the kernel) and peak RSS of
        the whole process tree at once (KiB, sampled every 20 ms from /proc: svcdocs parses
        large inputs in worker processes) of one command."""
        environ = dict(os.environ, PYTHONPYCACHEPREFIX=str(self.work / "pycache"))
        environ.pop("PYTHONDONTWRITEBYTECODE", None)
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environ)
        tree = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            tree = max(tree, _tree_rss(proc.pid))
            time.sleep(0.02)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} failed with exit {os.waitstatus_to_exitcode(status)}")
        return elapsed, usage.ru_maxrss, tree

    def compare(self, subject: list[str], floor: list[str], setup=None) -> tuple[float, float, int, int]:
        """Median times of subject and floor, run alternately, and their peak memory."""
        times_s, times_f, peak_s, peak_f = [], [], 0, 0
        for _ in range(self.repeat):
            if setup:
                setup()
            t, m = self.run(subject)
            times_s.append(t)
            peak_s = max(peak_s, m)
            t, m = self.run(floor)
            times_f.append(t)
            peak_f = max(peak_f, m)
        return statistics.median(times_s), statistics.median(times_f), peak_s, peak_f

    def record(self, name: str, value: float, target: float | None, note: str) -> None:
        self.rows.append((name, value, target, note))
        verdict = "" if target is None else ("  ok" if value <= target else "  OVER TARGET")
        limit = f" (target <= {target}x)" if target is not None else ""
        print(f"  {name}: {value:.2f}x{limit}{verdict}  {note}", flush=True)

    # --- the comparisons ---------------------------------------------------------

    def analysis(self) -> None:
        corpus = self.corpus(10_000)
        print(f"analysis: {corpus}", flush=True)
        self.run(SVCDOCS + ["graph", str(corpus)])  # warm the page cache
        subject, floor, peak, _ = self.compare(SVCDOCS + ["graph", "--format", "json", str(corpus)],
                                               [sys.executable, "-c", FLOOR, str(corpus)])
        self.record("analysis", subject / floor, TARGETS["analysis"],
                    f"graph {subject:.2f} s, load_all floor {floor:.2f} s, peak {peak / 1024:.0f} MiB")

    def reach(self) -> None:
        corpus = self.corpus(10_000)
        print(f"reach: {corpus}", flush=True)
        self.run(SVCDOCS + ["graph", str(corpus)])  # warm the page cache
        subject, floor, peak, _ = self.compare(SVCDOCS + ["reach", "--format", "json", str(corpus)],
                                               SVCDOCS + ["graph", "--format", "json", str(corpus)])
        memory = "ok" if peak / 1024 < MEMORY_LIMIT_MIB else "OVER 1 GB"
        self.record("reach", subject / floor, TARGETS["reach"],
                    f"reach {subject:.2f} s, graph {floor:.2f} s, peak {peak / 1024:.0f} MiB ({memory})")

    def with_policies(self, services: int, policies: int) -> Path:
        """A corpus of `services` Services and `policies` more policies of every kind."""
        folder = self.work / f"corpus-{services}-policies-{policies}"
        if not folder.is_dir():
            shutil.copytree(self.corpus(services), folder)
            subprocess.run([sys.executable, str(POLICY_GENERATOR), str(policies), str(services), str(folder / "policies")],
                           check=True, stdout=subprocess.DEVNULL)
        return folder

    def policies(self) -> None:
        corpus = self.with_policies(10_000, 2_000)
        print(f"policies: {corpus}", flush=True)
        self.run(SVCDOCS + ["graph", str(corpus)])  # warm the page cache
        subject, floor, peak, _ = self.compare(SVCDOCS + ["reach", "--format", "json", str(corpus)],
                                               SVCDOCS + ["graph", "--format", "json", str(corpus)])
        memory = "ok" if peak / 1024 < MEMORY_LIMIT_MIB else "OVER 1 GB"
        self.record("policies", subject / floor, TARGETS["policies"],
                    f"reach {subject:.2f} s, graph {floor:.2f} s, peak {peak / 1024:.0f} MiB ({memory})")

    def selectors(self) -> None:
        """Issue 19's Medium 13: time grew with the cube of distinct selectors."""
        small, large = self.with_policies(2_000, 1_000), self.with_policies(2_000, 2_000)
        print(f"selectors: {small}, {large}", flush=True)
        for command in ("reach", "graph"):
            argv = SVCDOCS + [command, "--format", "json"]
            twice, once, _, _ = self.compare(argv + [str(large)], argv + [str(small)])
            self.record("selectors", twice / once, TARGETS["selectors"],
                        f"{command}: 2,000 policies {twice:.2f} s, 1,000 policies {once:.2f} s")

    def review(self) -> None:
        base = self.corpus(10_000)
        head = self.work / "corpus-10000-changed"
        if not head.is_dir():
            shutil.copytree(base, head)
            changed = sorted(head.rglob("*.yaml"))[17]
            changed.write_text(changed.read_text().replace("type: ClusterIP", "type: LoadBalancer", 1)
                               .replace("  selector:\n", "  type: LoadBalancer\n  selector:\n", 1))
        print(f"review: {base} vs {head.name}", flush=True)
        subject, floor, peak, _ = self.compare(SVCDOCS + ["diff", str(base), str(head)],
                                               [sys.executable, "-c", FLOOR, str(base)])
        self.record("review", subject / floor, TARGETS["review"],
                    f"diff {subject:.2f} s, load_all floor of one tree {floor:.2f} s, peak {peak / 1024:.0f} MiB")

    def site(self, kube_diagrams: list[str] | None) -> None:
        plain = self.corpus(1_000, netpol=False)
        with_policies = self.corpus(1_000)
        print(f"site: {plain}", flush=True)
        first = self._builds(plain)
        if kube_diagrams:
            files = sorted(str(p) for p in plain.rglob("*.yaml"))
            out = self.work / "kube-diagrams-out"
            out.mkdir(exist_ok=True)
            times = [self.run(kube_diagrams + ["-o", str(out / "diagram.svg"), *files], cwd=self.work)[0]
                     for _ in range(self.repeat)]
            kd = statistics.median(times)
            self.record("site", first / kd, TARGETS["site"], f"svcdocs build {first:.2f} s, KubeDiagrams {kd:.2f} s")
        else:
            print("  site: KubeDiagrams not found (pip install kubediagrams); comparison skipped", flush=True)
        policies = self._builds(with_policies)
        self.record("netpol", policies / first, TARGETS["netpol"],
                    f"with NetworkPolicies {policies:.2f} s, without {first:.2f} s")
        rebuild = self._builds(plain, again=True)
        self.record("rebuild", rebuild / first, TARGETS["rebuild"], f"second build {rebuild:.2f} s, first {first:.2f} s")

    def engines(self) -> None:
        """Both engines on the same input, alternately; wall and CPU time, since
        on a busy machine CPU time is the steadier figure."""
        corpus = self.corpus(1_000, netpol=False)
        print(f"engines: {corpus}", flush=True)
        wall: dict[str, list[float]] = {"mkdocs": [], "zensical": []}
        cpu: dict[str, list[float]] = {"mkdocs": [], "zensical": []}
        for i in range(self.repeat):
            for engine in wall:
                cwd = self.work / f"engine-{engine}-{i}"
                shutil.rmtree(cwd, ignore_errors=True)
                cwd.mkdir()
                wall[engine].append(self.run(SVCDOCS + ["build", str(corpus), "-o", str(cwd / "site"),
                                                        "--engine", engine], cwd=cwd)[0])
                cpu[engine].append(self.cpu)
        m, z = (statistics.median(wall[e]) for e in wall)
        mc, zc = (statistics.median(cpu[e]) for e in cpu)
        self.record("engines", z / m, None, f"zensical {z:.2f} s (CPU {zc:.2f} s), mkdocs {m:.2f} s (CPU {mc:.2f} s); "
                    "first builds of 1,000 Services")

    def _builds(self, corpus: Path, again: bool = False) -> float:
        """Median time of a first build in a fresh folder (no cache), or of a second one."""
        times = []
        for i in range(self.repeat):
            cwd = self.work / f"build-{corpus.name}-{i}-{'again' if again else 'first'}"
            shutil.rmtree(cwd, ignore_errors=True)
            cwd.mkdir()
            argv = SVCDOCS + ["build", str(corpus), "-o", str(cwd / "site")]
            cache = {"SVCDOCS_CACHE_DIR": str(cwd / "cache")}  # a fresh cache: svcdocs keeps it outside the output
            elapsed, _ = self.run(argv, cwd=cwd, env=cache)
            if again:
                elapsed, _ = self.run(argv, cwd=cwd, env=cache)
            times.append(elapsed)
        return statistics.median(times)

    def environments(self, services: int) -> None:
        repo, floor, stand_in = self._environments_repo(services)
        print(f"environments: {repo} ({ENVIRONMENTS} x {services} Services) vs {floor}", flush=True)
        env = {"PATH": f"{stand_in}{os.pathsep}{os.environ['PATH']}"}
        for command, name in ((["graph", "--format", "json"], "environments-graph"), (["build"], "environments")):
            subject, base, peak = self._alternate(name, command, repo, floor, env)
            self.record(name, subject / base, TARGETS["environments"] if name == "environments" else None,
                        f"{' '.join(command)}: {ENVIRONMENTS} environments {subject:.2f} s, one environment of the "
                        f"same objects {base:.2f} s, peak {peak / 1024:.0f} MiB")

    def _alternate(self, name: str, command: list[str], subject: Path, floor: Path,
                   env: dict[str, str] | None = None) -> tuple[float, float, int]:
        """Median times of `svcdocs COMMAND subject` and of the same on `floor`, run alternately,
        each in a fresh folder with a fresh cache (a build writes its site there), and the
        subject's peak memory (KiB)."""
        times: dict[Path, list[float]] = {subject: [], floor: []}
        peak = 0
        for i in range(self.repeat):
            for target in (subject, floor):
                cwd = self.work / f"{name}-{target.name}-{i}"
                shutil.rmtree(cwd, ignore_errors=True)
                cwd.mkdir()
                argv = SVCDOCS + command + [str(target)] + (["-o", str(cwd / "site")] if command == ["build"] else [])
                elapsed, rss = self.run(argv, cwd=cwd, env={**(env or {}), "SVCDOCS_CACHE_DIR": str(cwd / "cache")})
                times[target].append(elapsed)
                peak = max(peak, rss) if target is subject else peak
        return statistics.median(times[subject]), statistics.median(times[floor]), peak

    def apps(self) -> None:
        """Issue 20: one deployment of many apps costs about what its objects cost."""
        flux, plain = self.work / f"flux-{APPS}-apps", self.work / f"flux-{APPS}-apps-plain"
        for folder, extra in ((flux, []), (plain, ["--plain"])):
            if not folder.is_dir():
                subprocess.run([sys.executable, str(FLUX_GENERATOR), str(APPS), str(folder), *extra], check=True)
        print(f"apps: {flux} ({APPS} apps) vs {plain}", flush=True)
        self.run(SVCDOCS + ["graph", str(flux)])  # warm the page cache
        for command, name in ((["graph", "--format", "json"], "apps-graph"), (["build"], "apps")):
            subject, base, peak = self._alternate(name, command, flux, plain)
            self.record(name, subject / base, TARGETS["apps"],
                        f"{' '.join(command)}: one Flux deployment of {APPS} apps {subject:.2f} s, the same objects "
                        f"as one plain folder {base:.2f} s, peak {peak / 1024:.0f} MiB")

    def memory(self) -> None:
        """Issue 20: 10,000 Services across 3 environments stay under 1 GB. The value
        printed is the peak memory of the largest process over the limit."""
        repo = self._memory_repo()
        print(f"memory: {repo} ({len(MEMORY_ENVIRONMENTS)} environments, {MEMORY_SERVICES:,} Services)", flush=True)
        for command in (["graph", "--format", "json"], ["check"]):
            runs = [self.tree_peak(SVCDOCS + command + [str(repo)], cwd=self.work) for _ in range(self.repeat)]
            largest = max(rss for _, rss, _ in runs) / 1024
            tree = max(max(t for _, _, t in runs) / 1024, largest)
            elapsed = statistics.median(t for t, _, _ in runs)
            self.record(f"memory-{command[0]}", tree / MEMORY_LIMIT_MIB, 1.0,
                        f"{' '.join(command)}: peak {tree:.0f} MiB of {MEMORY_LIMIT_MIB} MiB for every process at "
                        f"once, {largest:.0f} MiB the largest one; {elapsed:.2f} s")

    def _memory_repo(self) -> Path:
        """Three Flux clusters (bench/flux_apps.py's clusters/<env>/), each a Kustomization of
        apps/<env>/, a corpus of a third of the Services."""
        per = -(-MEMORY_SERVICES // len(MEMORY_ENVIRONMENTS))
        repo = self.work / f"memory-{len(MEMORY_ENVIRONMENTS)}x{per}"
        if not repo.is_dir():
            sys.path.insert(0, str(FLUX_GENERATOR.parent))
            from flux_apps import write_cluster
            for env in MEMORY_ENVIRONMENTS:
                shutil.copytree(self.corpus(per), repo / "apps" / env)
                write_cluster(str(repo), env, f"./apps/{env}")
        return repo

    def _environments_repo(self, services: int) -> tuple[Path, Path, Path]:
        """base/ (the corpus), overlays/env-NN/ (each `resources: [../../base]`),
        beside it the render of each (kubectl kustomize, made once), and the floor:
        the same renders with each environment's namespaces renamed apart."""
        repo = self.work / f"environments-{ENVIRONMENTS}x{services}"
        floor = self.work / f"environments-{ENVIRONMENTS}x{services}-one"
        rendered_folder = self.work / f"environments-{ENVIRONMENTS}x{services}-rendered"
        stand_in = self.work / "stand-in-bin"
        if not repo.is_dir():
            shutil.copytree(self.corpus(services), repo / "base")
            files = sorted(p.relative_to(repo / "base").as_posix() for p in (repo / "base").rglob("*.yaml"))
            (repo / "base" / "kustomization.yaml").write_text("resources:\n" + "".join(f"- {f}\n" for f in files))
            rendered_folder.mkdir(exist_ok=True)
            floor.mkdir(exist_ok=True)
            for i in range(ENVIRONMENTS):
                overlay = repo / "overlays" / f"env-{i:02}"
                overlay.mkdir(parents=True)
                (overlay / "kustomization.yaml").write_text(f"resources: [../../base]\nlabels:\n- pairs: {{env: env-{i:02}}}\n")
                rendered = subprocess.run(["kubectl", "kustomize", str(overlay)], check=True, capture_output=True).stdout
                (rendered_folder / f"env-{i:02}.yaml").write_bytes(rendered)
                (floor / f"env-{i:02}.yaml").write_bytes(rendered.replace(b"team-", f"env-{i:02}-team-".encode()))
        stand_in.mkdir(exist_ok=True)
        (stand_in / "kubectl").write_text(STAND_IN.format(rendered=rendered_folder))
        (stand_in / "kubectl").chmod(0o755)
        return repo, floor, stand_in

    def growth(self) -> None:
        print("growth: svcdocs graph --format json", flush=True)
        print(f"  {'Services':>9} {'seconds':>8} {'ms / Service':>13} {'vs 1,000':>9}")
        base = None
        for n in (1_000, 2_000, 5_000, 10_000):
            corpus = self.corpus(n)
            self.run(SVCDOCS + ["graph", str(corpus)])
            elapsed = statistics.median(self.run(SVCDOCS + ["graph", str(corpus)])[0] for _ in range(self.repeat))
            per = elapsed / n * 1000
            base = base or per
            print(f"  {n:>9,} {elapsed:>8.2f} {per:>13.3f} {per / base:>8.2f}x", flush=True)
        self.record("growth", per / base, None, "time per Service at 10,000 relative to 1,000 (<= 1 is linear or better)")


def _tree_rss(pid: int) -> int:
    """RSS (KiB) of a process and all its descendants now, from /proc (0 where it cannot be read)."""
    total, pending, page = 0, [pid], os.sysconf("SC_PAGE_SIZE") // 1024
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/statm") as f:
                total += int(f.read().split()[1]) * page
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    pending += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--only", default="analysis,site,engines,review,reach,policies,selectors,growth,environments,"
                        "apps,memory",
                        help="comparisons to run")
    parser.add_argument("--env-services", type=int, default=300, help="Services per environment (environments)")
    parser.add_argument("--work", help="folder for corpora and builds (default: a new temporary folder)")
    parser.add_argument("--kube-diagrams", default=shutil.which("kube-diagrams"), help="KubeDiagrams command")
    parser.add_argument("--svcdocs", help="the svcdocs command to measure, e.g. another checkout's "
                        ".venv/bin/svcdocs (default: this Python's svcdocs module)")
    args = parser.parse_args()
    if args.svcdocs:
        SVCDOCS[:] = shlex.split(args.svcdocs)
    work = Path(args.work or tempfile.mkdtemp(prefix="svcdocs-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"svcdocs ({' '.join(SVCDOCS)}) benchmarks on {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.machine()}; repeat {args.repeat}; work {work}", flush=True)
    bench = Bench(work, args.repeat)
    only = set(args.only.split(","))
    if "analysis" in only:
        bench.analysis()
    if "site" in only:
        bench.site(args.kube_diagrams.split() if args.kube_diagrams else None)
    if "engines" in only:
        bench.engines()
    if "review" in only:
        bench.review()
    if "reach" in only:
        bench.reach()
    if "policies" in only:
        bench.policies()
    if "selectors" in only:
        bench.selectors()
    if "growth" in only:
        bench.growth()
    if "environments" in only:
        bench.environments(args.env_services)
    if "apps" in only:
        bench.apps()
    if "memory" in only:
        bench.memory()
    print("\nsummary")
    for name, value, target, note in bench.rows:
        mark = "" if target is None else ("ok" if value <= target else "OVER")
        print(f"  {name:<12} {value:6.2f}x  {'<= ' + str(target) + 'x' if target else '':<8} {mark:<5} {note}")


if __name__ == "__main__":
    main()
