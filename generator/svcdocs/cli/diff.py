"""`svcdocs diff`: what a change to the manifests does to the architecture."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from svcdocs.cli.check import emit
from svcdocs.cli.common import Failure, friendly, input_options, load_options, read_report
from svcdocs.config import CONFIG_NAMES, Config, config_from_source, config_path, load_config
from svcdocs.load import Source
from svcdocs.load.git import discover_at, file_at
from svcdocs.pipeline import report_for_discovered, report_for_paths
from svcdocs.render.graph_json import dumps
from svcdocs.render.review_json import review_document
from svcdocs.render.review_markdown import comment
from svcdocs.review import review


@click.command()
@input_options
@click.option("--git", "rev", metavar="REV", help="BASE is PATH as of git revision REV, read from git objects; "
              "HEAD is PATH in the working tree.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write to FILE (through a temporary file beside it; never through a link), not stdout.")
@click.option("--fail-on-exposure", is_flag=True,
              help="Exit 1 when a Service or workload becomes more exposed, a new entry point appears, or the "
                   "change holds what svcdocs cannot judge (files it does not read, kinds it does not model, "
                   "a PATH read differently).")
@friendly
def diff(paths, namespace, config_path, render, allow_remote, rev, fmt, output, fail_on_exposure):
    """Review what a change does to the architecture.

    `svcdocs diff BASE HEAD` compares two paths; `svcdocs diff --git REV [PATH]...`
    compares PATH as of git revision REV with PATH in the working tree. Reports exposure raised or lowered, entry points added and removed, objects
    and edges added, removed or changed, and findings new and resolved, as a
    pull-request comment (markdown) or for tools (json).
    """
    notes: tuple[str, ...] = ()
    if rev is None:
        if len(paths) != 2:
            raise Failure("diff takes BASE and HEAD (two paths), or --git REV [PATH]...")
        config = load_config(config_path)
        options = load_options(config, render, allow_remote)
        base_label, head_label = paths
        head = read_report(paths[1:], namespace, config, options)
        base = report_for_paths(paths[:1], config, namespace=namespace, options=options)
    else:
        paths = paths or (".",)
        config, notes = _config_as_of(rev, config_path)
        options = load_options(config, render, allow_remote)
        head_label = " ".join(paths)
        base_label = f"{head_label} at {rev}"
        head = read_report(paths, namespace, config, options)
        base = report_for_discovered(discover_at(rev, paths, options), config, namespace=namespace)
    result = review(base, head, config, notes)
    if fmt == "json":
        text = dumps(review_document(result, base_label, head_label))
    else:
        text = comment(result, base_label, head_label)
    emit(text, output)
    if fail_on_exposure and result.fails:
        sys.exit(1)


def _config_as_of(rev: str, explicit: str | None) -> tuple[Config, tuple[str, ...]]:
    """The config of the review with --git: the one named with --config, else
    the working directory's config as of REV, so that a pull request cannot
    change the rules it is reviewed by; and a note when HEAD changes it."""
    if explicit is not None:
        return load_config(explicit), ()
    for name in CONFIG_NAMES:
        data = file_at(rev, name)
        if data is not None:
            config = config_from_source(Source(label=f"{name} at {rev}", data=data, size=len(data)))
            break
    else:
        name, data, config = CONFIG_NAMES[0], None, Config()
    current = config_path()
    now = Path(current).read_bytes() if current else None
    if now == data:
        return config, ()
    what = "adds" if data is None else "removes" if now is None else "changes"
    return config, (f"HEAD {what} {current or name}; this review applies the config as of {rev}, "
                    "so that a change cannot set the rules it is reviewed by",)
