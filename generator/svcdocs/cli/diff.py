"""`svcdocs diff`: what a change to the manifests does to the architecture."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

import click

from svcdocs.cli.common import Failure, friendly, input_options
from svcdocs.cli.environments import environment_options, read_reports
from svcdocs.config import load_config
from svcdocs.load.environments import discover_environments_at
from svcdocs.load.git import discover_at
from svcdocs.pipeline import (
    EnvironmentReports, reports_for_environments, reports_for_paths, report_for_sources,
)
from svcdocs.render.graph_json import dumps
from svcdocs.render.review_environments import environments_comment, environments_document
from svcdocs.render.review_json import review_document
from svcdocs.render.review_markdown import SUMMARY_LIMIT, comment
from svcdocs.review import review
from svcdocs.review.environments import more_exposed, review_environments


@click.command()
@input_options
@environment_options
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
def diff(paths, namespace, config_path, environments, rev, fmt, output, summary, fail_on_exposure):
    """Review what a change does to the architecture.

    `svcdocs diff BASE HEAD` compares two paths; `svcdocs diff --git REV [PATH]...`
    compares PATH as of git revision REV with PATH in the working tree. Reports exposure raised or lowered, entry points added and removed, objects
    and edges added, removed or changed, and findings new and resolved, as a
    pull-request comment (markdown) or for tools (json). With several
    environments, one comment with a section per environment that changed.
    """
    config = load_config(config_path)
    options = environments.options(config)
    if rev is None:
        if len(paths) != 2:
            raise Failure("diff takes BASE and HEAD (two paths), or --git REV [PATH]...")
        base_label, head_label = paths
        if options.named:  # each --env PATH is read inside BASE and inside HEAD
            with working_directory(head_label):
                head = read_reports((".",), namespace, config, environments)
            with working_directory(base_label):
                base = reports_for_paths((".",), config, namespace=namespace, options=options)
        else:
            head = read_reports(paths[1:], namespace, config, environments)
            base = reports_for_paths(paths[:1], config, namespace=namespace, options=options)
    else:
        paths = paths or (".",)
        head_label = " ".join(paths)
        base_label = f"{head_label} at {rev}"
        head = read_reports(paths, namespace, config, environments)
        base = _at(rev, paths, head, config, namespace, options)
    if head.single is not None and base.single is not None:
        result = review(base.single, head.single)
        text = (dumps(review_document(result, base_label, head_label)) if fmt == "json"
                else comment(result, base_label, head_label))
        whole = comment(result, base_label, head_label, limit=SUMMARY_LIMIT) if summary is not None else ""
        exposed = result.more_exposed
    else:
        reviews = review_environments(base, head)
        text = (dumps(environments_document(reviews, base_label, head_label, head.not_rendered)) if fmt == "json"
                else environments_comment(reviews, base_label, head_label, head.not_rendered))
        whole = (environments_comment(reviews, base_label, head_label, head.not_rendered, limit=SUMMARY_LIMIT)
                 if summary is not None else "")
        exposed = more_exposed(reviews)
    _write(text, output)
    if summary is not None:
        _write(whole, summary)
    if fail_on_exposure and exposed:
        sys.exit(1)


def _at(rev, paths, head: EnvironmentReports, config, namespace, options) -> EnvironmentReports:
    """BASE as of `rev`: from git objects as before when HEAD has one plain
    environment, else discovered in an export of the revision."""
    if not head.discovered and not options.named:
        found = discover_at(rev, paths)
        report = report_for_sources(found.sources, config, namespace=namespace, skipped_files=found.skipped_files)
        return EnvironmentReports(((head.reports[0][0], report),), discovered=False)
    return reports_for_environments(discover_environments_at(rev, paths, options), config, namespace=namespace)


@contextmanager
def working_directory(path: str):
    """Inside `path` for a while: --env paths of `diff BASE HEAD` are read in each."""
    here = os.getcwd()
    try:
        os.chdir(path)
    except OSError as e:
        raise Failure(f"{path}: {e.strerror}") from None
    try:
        yield
    finally:
        os.chdir(here)


def _write(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise Failure(f"{output}: cannot write: {e.strerror}") from None
