"""Running a renderer (kubectl, kustomize, helm): its output, or its whole
error on one line; stopped after RENDER_TIMEOUT_S. Below load.renderer and
load.helm alike, so that neither imports the other to run a tool."""

from __future__ import annotations

import os
import subprocess

from svcdocs.errors import SvcdocsError

RENDER_TIMEOUT_S = 300
MAX_ERROR_CHARS = 4000


def run_tool(argv: list[str], folder: str, env: dict[str, str] | None = None) -> bytes:
    """Run a renderer: its output, or SvcdocsError with its whole error on one line."""
    return _run(argv, folder, dict(os.environ) if env is None else env)


def _run(argv: list[str], folder: str, env: dict[str, str]) -> bytes:
    shown = " ".join(argv[:2] + [folder])
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=RENDER_TIMEOUT_S, check=False, env=env,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise SvcdocsError(f"{folder}: `{shown}` did not finish in {RENDER_TIMEOUT_S} s") from None
    except OSError as e:
        raise SvcdocsError(f"{folder}: could not run {argv[0]}: {e.strerror}") from None
    if proc.returncode != 0:
        raise SvcdocsError(f"{folder}: `{shown}` failed: {error_text(proc.stderr, proc.returncode)}")
    return proc.stdout


def error_text(stderr: bytes, returncode: int) -> str:
    """A tool's whole error on one line (its lines joined), cut at MAX_ERROR_CHARS."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    text = " ".join(line for line in lines if line and line != ">") or f"exit status {returncode}"
    return text if len(text) <= MAX_ERROR_CHARS else text[:MAX_ERROR_CHARS - 1] + "…"
