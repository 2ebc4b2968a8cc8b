"""`svcdocs diff`: what a change to the manifests does to the architecture."""

from __future__ import annotations

import sys

import click

from svcdocs.cli.common import Failure, friendly, input_options, read_report
from svcdocs.config import load_config
from svcdocs.load.git import discover_at
from svcdocs.pipeline import report_for_paths, report_for_sources
from svcdocs.render.graph_json import dumps
from svcdocs.render.review_json import review_document
from svcdocs.render.review_markdown import SUMMARY_LIMIT, comment
from svcdocs.review import review


@click.command()
@input_options
@click.option("--git", "rev", metavar="REV", help="BASE is PATH as of git revision REV, read from git objects; "
              "HEAD is PATH in the working tree.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), metavar="FILE", help="Write to FILE, not stdout.")
@click.option("--summary", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also write the review as Markdown for a GitHub job summary (up to 1 MiB, so less is left out "
                   "than in a comment) to FILE.")
@click.option("--fail-on-exposure", is_flag=True,
              help="Exit 1 when a Service or workload becomes more exposed or a new entry point appears.")
@friendly
def diff(paths, namespace, config_path, rev, fmt, output, summary, fail_on_exposure):
    """Review what a change does to the architecture.

    `svcdocs diff BASE HEAD` compares two paths; `svcdocs diff --git REV [PATH]...`
    compares PATH as of git revision REV with PATH in the working tree. Reports exposure raised or lowered, entry points added and removed, objects
    and edges added, removed or changed, and findings new and resolved, as a
    pull-request comment (markdown) or for tools (json).
    """
    config = load_config(config_path)
    if rev is None:
        if len(paths) != 2:
            raise Failure("diff takes BASE and HEAD (two paths), or --git REV [PATH]...")
        base_label, head_label = paths
        head = read_report(paths[1:], namespace, config)
        base = report_for_paths(paths[:1], config, namespace=namespace)
    else:
        paths = paths or (".",)
        head_label = " ".join(paths)
        base_label = f"{head_label} at {rev}"
        head = read_report(paths, namespace, config)
        found = discover_at(rev, paths)
        base = report_for_sources(found.sources, config, namespace=namespace, skipped_files=found.skipped_files)
    result = review(base, head)
    if fmt == "json":
        text = dumps(review_document(result, base_label, head_label))
    else:
        text = comment(result, base_label, head_label)
    _write(text, output)
    if summary is not None:
        _write(comment(result, base_label, head_label, limit=SUMMARY_LIMIT), summary)
    if fail_on_exposure and result.more_exposed:
        sys.exit(1)


def _write(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise Failure(f"{output}: cannot write: {e.strerror}") from None
