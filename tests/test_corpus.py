"""Ground truth from real public manifests (../shared, when it is here)."""

from __future__ import annotations

import json
import subprocess
import sys

from svcdocs.config import Config
from svcdocs.pipeline import report_for_paths

from conftest import ROOT


def test_every_corpus_case_passes(shared):
    svcdocs = f"{sys.executable} -m svcdocs"
    proc = subprocess.run([sys.executable, str(shared / "corpus" / "check.py"), "--svcdocs", svcdocs],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    failures = [line for line in proc.stdout.splitlines() if line.startswith("FAIL")]
    assert proc.returncode == 0 and not failures, "\n".join(failures) or proc.stdout[-2000:]


def test_generated_corpus_exposure_matches_what_the_generator_intended(shared, tmp_path):
    subprocess.run([sys.executable, str(shared / "bench" / "gen_corpus.py"), "2000", str(tmp_path)], check=True)
    expected = json.loads((tmp_path / "expected.json").read_text())
    (tmp_path / "expected.json").unlink()
    report = report_for_paths([str(tmp_path)], Config())
    got = {k: e.level for k, e in report.analysis.exposure.items() if k.startswith("Service/")}
    assert got == expected["exposure"]
    assert not report.model.inputs.problems
