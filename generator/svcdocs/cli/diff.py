"""`svcdocs diff`: what a change to the manifests does to the architecture."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path

import click

from svcdocs.cli.check import emit
from svcdocs.cli.common import Failure, friendly, input_options, load_options
from svcdocs.cli.environments import environment_options, read_reports, show_reports
from svcdocs.config import CONFIG_NAMES, MAX_CONFIG_BYTES, Config, config_from_source, config_path, load_config
from svcdocs.load import Source
from svcdocs.load.environments import EnvironmentOptions, Environments, discover_environments
from svcdocs.load.discovery_renders import NotRendered
from svcdocs.load.git import Repository, environments_at, file_at, repository_of
from svcdocs.pipeline import EnvironmentReports, report_for_sources, reports_for_each, reports_for_paths
from svcdocs.render.graph_json import dumps
from svcdocs.render.locations import shown, source_root, without_machine_paths
from svcdocs.render.review_environments import environments_comment, environments_document
from svcdocs.render.review_json import review_document
from svcdocs.render.review_markdown import SUMMARY_LIMIT, comment
from svcdocs.review import Review, Unseen, review, unseen_changes
from svcdocs.review.coverage import unrendered_at_base, unseen_fails
from svcdocs.runtime import gc_paused
from svcdocs.review.environments import fails as environments_fail
from svcdocs.review.environments import review_environments, with_charts


@click.command()
@input_options
@environment_options
@click.option("--git", "rev", metavar="REV", help="BASE is PATH as of git revision REV, read from git objects; "
              "HEAD is PATH in the working tree.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write to FILE (through a temporary file beside it; never through a link), not stdout.")
@click.option("--summary", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also write the review as Markdown for a GitHub job summary (up to 1 MiB, so less is left out "
                   "than in a comment) to FILE (as -o writes).")
@click.option("--fail-on-exposure", is_flag=True,
              help="Exit 1 when a Service or workload becomes more exposed, a new entry point appears, or the "
                   "change holds what svcdocs cannot judge (files it does not read, kinds it does not model, "
                   "a PATH read differently).")
@friendly
def diff(paths, namespace, config_path, render, allow_remote, environments, rev, fmt, output, summary,
         fail_on_exposure):
    """Review what a change does to the architecture.

    `svcdocs diff BASE HEAD` compares two paths; `svcdocs diff --git REV [PATH]...`
    compares PATH as of git revision REV with PATH in the working tree. Reports exposure raised or lowered, entry points added and removed, objects
    and edges added, removed or changed, and findings new and resolved, as a
    pull-request comment (markdown) or for tools (json). With several
    environments, one comment with a section per environment that changed.
    """
    notes: tuple[str, ...] = ()
    if rev is None:
        if len(paths) != 2:
            raise Failure("diff takes BASE and HEAD (two paths), or --git REV [PATH]...")
        config = load_config(config_path)
        load = load_options(config, render, allow_remote)
        options = environments.options(config, load)
        base_label, head_label = paths
        if options.named:  # each --env PATH is read inside BASE and inside HEAD
            with working_directory(head_label):
                head = read_reports((".",), namespace, config, environments, load)
            with working_directory(base_label):
                base = reports_for_paths((".",), config, namespace=namespace, options=options)
            roots = (os.path.realpath(base_label), os.path.realpath(head_label))
        else:
            found = discover_environments(paths[1:], options=options)
            head, base = _both(found, discover_environments(paths[:1], options=options), paths[1:], config, namespace)
            roots = (source_root(paths[:1], own_folder=True), source_root(paths[1:], own_folder=True))
        base_label, head_label = (_label(label, root) for label, root in zip(paths, roots))
    else:
        paths = paths or (".",)
        repository = repository_of(paths)
        config, notes = _config_as_of(rev, config_path, repository)
        load = load_options(config, render, allow_remote)
        options = environments.options(config, load, paths)
        head_label = " ".join(_label(p, repository.top) for p in paths)
        base_label = f"{head_label} at {rev}"
        found = discover_environments(paths, options=_without_ignored(options, repository))
        head, base = _both(found, environments_at(rev, paths, options, repository), paths, config, namespace)
        roots = (repository.top, repository.top)
    folders = (paths[0], paths[1]) if rev is None and not options.named else ("", "")  # where their folders start
    unseen = _shown_unseen(unseen_changes(base, head, folders), roots[1])  # new in HEAD, not read or rendered
    not_rendered = _shown_not_rendered(head, roots[1])
    with gc_paused():  # the review compares two reports of a million small objects
        if head.single is not None and (base.single is not None or not base.reports and not base.discovered):
            base_report = base.single or report_for_sources((), config)
            result = review(base_report, head.single, config, notes, unrendered_at_base(base, head), unseen)
            result = with_charts(result, base.reports[0][0] if base.reports else None, head.reports[0][0],
                                 base_report, head.single)
            result = _shown_review(result, roots)
            text = (dumps(review_document(result, base_label, head_label)) if fmt == "json"
                    else comment(result, base_label, head_label))
            whole = comment(result, base_label, head_label, limit=SUMMARY_LIMIT) if summary is not None else ""
            fails = result.fails
        else:
            reviews = tuple(replace(r, review=_shown_review(r.review, roots))
                            for r in review_environments(base, head, config, notes, folders))
            text = (dumps(environments_document(reviews, base_label, head_label, not_rendered, unseen))
                    if fmt == "json" else environments_comment(reviews, base_label, head_label, not_rendered,
                                                               unseen=unseen))
            whole = (environments_comment(reviews, base_label, head_label, not_rendered, limit=SUMMARY_LIMIT,
                                          unseen=unseen) if summary is not None else "")
            fails = environments_fail(reviews) or unseen_fails(unseen, config.fail_on_unmodelled)
    emit(text, output)
    if summary is not None:
        emit(whole, summary)
    if fail_on_exposure and fails:
        sys.exit(1)


def _without_ignored(options: EnvironmentOptions, repository: Repository) -> EnvironmentOptions:
    """HEAD's working tree without what git ignores (a `.venv/`, `node_modules/`):
    BASE, read from a commit, never holds it, so read at HEAD it would be new
    input at every review of an unchanged tree. (A name with a glob's `*` or
    `?` cannot be said as a path to leave out: it stays.)"""
    ignored = ["/" + path for path in repository.ignored() if not any(c in path for c in "*?")]
    if not ignored or options.render is None:
        return options
    render = replace(options.render, exclude=options.render.exclude.plus(repository.top, ignored))
    return replace(options, render=render)


def _both(head: Environments, base: Environments, head_paths, config, namespace) -> tuple[EnvironmentReports, ...]:
    """HEAD's and BASE's reports, their files parsed together (each distinct
    file once); what HEAD's load said is said on stderr."""
    head_reports, base_reports = reports_for_each((head, base), config, namespace=namespace)
    return show_reports(head_reports, head_paths), base_reports


def _shown_not_rendered(reports: EnvironmentReports, root: str) -> tuple[NotRendered, ...]:
    """What HEAD could not render, as a comment shows it: files from the
    repository's root, and a tool's error without the absolute paths it read."""
    return tuple(replace(n, file=shown(root, n.file), what=without_machine_paths(n.what, root),
                         reason=without_machine_paths(n.reason, root), instead=without_machine_paths(n.instead, root))
                 for n in reports.not_rendered)


def _shown_unseen(unseen: tuple[Unseen, ...], root: str) -> tuple[Unseen, ...]:
    """What HEAD could not read or render, from the repository's root and
    without the absolute paths a tool's error holds."""
    return tuple(replace(u, file=shown(root, u.file), reason=without_machine_paths(u.reason, root)) for u in unseen)


def _shown_review(result: Review, roots: tuple[str, str]) -> Review:
    """The review with every file shown from the root of its side's repository
    (BASE's for what went, HEAD's for the rest): load read them as given."""
    base, head = (partial(shown, root) for root in roots)

    def findings(changes):
        return tuple(replace(c, finding=replace(c.finding, file=(base if c.change == "resolved" else head)(
            c.finding.file))) for c in changes)

    return replace(
        result,
        findings=findings(result.findings),
        charts=tuple(replace(chart, findings=findings(chart.findings)) for chart in result.charts),
        unread=tuple(replace(c, file=(base if c.change == "removed" else head)(c.file)) for c in result.unread),
        renderings=tuple(replace(c, path=head(c.path)) for c in result.renderings),
        base_unrendered=tuple(without_machine_paths(sentence, roots[0]) for sentence in result.base_unrendered),
    )


def _label(path: str, root: str) -> str:
    """A PATH in the comment's footer: from the repository's root when it is
    absolute or leads out of the working directory, else as given."""
    return shown(root, path) if os.path.isabs(path) or path.startswith("..") else path


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


def _config_as_of(rev: str, explicit: str | None, repository: Repository) -> tuple[Config, tuple[str, ...]]:
    """The config of the review with --git: the one named with --config, else
    the working directory's config as of REV, so that a pull request cannot
    change the rules it is reviewed by; and a note when HEAD changes it."""
    if explicit is not None:
        return load_config(explicit), ()
    commit = repository.commit(rev)
    for name in CONFIG_NAMES:
        versioned, data = file_at(repository, commit, name)
        if not versioned:  # outside the repository of the PATHs: no pull request changes it
            return load_config(), ()
        if data is not None:
            config = config_from_source(Source(label=f"{name} at {rev}", data=data, size=len(data)))
            break
    else:
        name, data, config = CONFIG_NAMES[0], None, Config()
    current = config_path()
    now = Source(label=current, path=current).read(MAX_CONFIG_BYTES + 1) if current else None  # bounded: HEAD's
    if now == data:
        return config, ()
    what = "adds" if data is None else "removes" if now is None else "changes"
    return config, (f"HEAD {what} {current or name}; this review applies the config as of {rev}, "
                    "so that a change cannot set the rules it is reviewed by",)
