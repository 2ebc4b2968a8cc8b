"""What every reading command shares about environments: --env, and reading
one report per environment (--render and --allow-remote are `input_options`).

With one environment (the common small repository) every command prints what
it always has; with several, each command says which environment each thing
belongs to. Input that was not rendered is said on stderr, one line each.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import click

from svcdocs.cli.common import Failure, NoManifests, show_load_notes
from svcdocs.cli.conventions import say
from svcdocs.config import Config
from svcdocs.load import LoadOptions
from svcdocs.load import bounded
from svcdocs.load.bounded import start_of
from svcdocs.load.environments import EnvironmentOptions, parse_env
from svcdocs.load.sources import MANIFEST_SUFFIXES, inside, repository_root
from svcdocs.pipeline import EnvironmentReports, reports_for_paths
from svcdocs.render.escape import visible


@dataclass(frozen=True)
class Choice:
    """The environment options as given on the command line."""

    env: tuple[str, ...] = ()

    def options(self, config: Config, load: LoadOptions, paths: tuple[str, ...] = ()) -> EnvironmentOptions:
        """--env wins over the config's `environments:` (whose paths start at the config's folder).
        An --env path is found where svcdocs names it (env_path): from here, the PATH or its repository."""
        if self.env:
            named = tuple(found for spec in self.env for found in env_paths(parse_env(spec), paths))
        else:
            base = os.path.dirname(config.path or "")
            named = tuple((name, os.path.normpath(os.path.join(base, path)) if base else path)
                          for name, path in map(parse_env, config.environments))
            if not config.chosen:
                for _, path in named:
                    _inside_repository(path, config)
        return EnvironmentOptions(named=named, render=load)


def env_paths(spec: tuple[str, str], paths: tuple[str, ...]) -> list[tuple[str, str]]:
    """An --env (NAME, PATH) whose PATH is relative is read from the working
    directory when it is there; else from the first of the PATHs, then of
    their repositories' roots, that holds it: svcdocs names environments from
    the PATH, so `--env overlays/prod` as svcdocs printed it works from
    anywhere. Each keeps the name it was given, or the path as written (a
    glob without a NAME: one environment per match, named from there)."""
    name, pattern = spec
    if os.path.isabs(pattern) or _matches(".", pattern):
        return [spec]
    folders = [os.path.relpath(p) for p in paths if p != "-" and os.path.isdir(p)]
    for base in dict.fromkeys([*folders, *(os.path.relpath(repository_root(p)) for p in folders)]):
        found = _matches(base, pattern) if base != "." else []
        if not found:
            continue
        if start_of(pattern) == pattern or name:
            return [(name or pattern, os.path.normpath(os.path.join(base, pattern)))]
        return [(match, os.path.normpath(os.path.join(base, match))) for match in found]
    return [spec]  # not found anywhere: discovery says so


def _matches(base: str, pattern: str) -> list[str]:
    """What `pattern` names from `base`: itself, or the files and folders its glob matches."""
    if start_of(pattern) == pattern:
        return [pattern] if os.path.lexists(os.path.join(base, pattern)) else []
    return [m for m in bounded.glob(pattern, base) if not os.path.basename(m).startswith(".")
            and (os.path.isdir(os.path.join(base, m)) or m.endswith(MANIFEST_SUFFIXES))]


def _inside_repository(path: str, config: Config) -> None:
    """A repository's own config names environments inside the repository
    only: not `/etc`, not `../..`, not through a link that leads out."""
    top = repository_root(os.path.dirname(os.path.abspath(config.path or ".")))
    if not inside(top, os.path.realpath(start_of(path))):
        raise Failure(f"{config.path}: environments names {path!r}, outside the repository; a repository's own "
                      "config names paths inside it only (pass --env, or name a config with --config)")


def environment_options(command):
    """--env NAME=PATH (repeatable); the command gets it as one `environments` argument."""
    @functools.wraps(command)
    def wrapper(*args, env, **kwargs):
        return command(*args, environments=Choice(tuple(env)), **kwargs)

    return click.option("--env", "env", multiple=True, metavar="NAME=PATH",
                        help="An environment: NAME=PATH or PATH, globs allowed ('apps/*': one per folder), or the "
                             "NAME svcdocs gives one it finds; repeatable. Default: the deployment targets found "
                             "(Flux clusters, Argo CD destinations, overlays grouped by environment name).")(wrapper)


def read_reports(paths: tuple[str, ...], namespace: str, config: Config, choice: Choice, load: LoadOptions,
                 say_not_rendered: bool = True) -> EnvironmentReports:
    """Run the pipeline per environment; say on stderr what could not be read
    (and, unless the command's own output says it, what was not rendered);
    exit 2 if nothing was usable."""
    reports = reports_for_paths(paths or (".",), config, namespace=namespace, options=choice.options(config, load, paths))
    return show_reports(reports, paths, say_not_rendered)


def show_reports(reports: EnvironmentReports, paths: tuple[str, ...],
                 say_not_rendered: bool = True) -> EnvironmentReports:
    """What `read_reports` says on stderr of reports already made."""
    problems = dict.fromkeys(str(p) for _, report in reports.reports for p in report.model.inputs.problems)
    show_load_notes(reports.notes, problems, reports.unread)
    for environment, report in reports.reports:
        if report.graph.truncated:
            where = f" in {environment.name}" if reports.single is None else ""
            say(f"svcdocs: warning{where}: {report.graph.truncated}")
    shown = reports.not_rendered if say_not_rendered or not reports.usable else ()
    components = [item.what for item in shown if item.kind == "component"]
    command = click.get_current_context(silent=True)
    verb = command.info_name if command is not None and command.info_name else "<command>"
    tell = say if reports.usable else lambda text: click.echo(text, err=True)  # the error's reasons, even if quiet
    for item in shown:
        if item.kind != "component":
            tell(f"svcdocs: {visible(str(item)).replace('svcdocs <command> -', f'svcdocs {verb} -')}")
    if components:
        what = "a kustomize Component" if len(components) == 1 else f"{len(components)} kustomize Components"
        say(f"svcdocs: not read: {what} that no kustomization includes ({visible(', '.join(components))})")
    if not reports.usable:
        why = f" ({len(reports.not_rendered)} not rendered, said above)" if reports.not_rendered else ""
        raise NoManifests(f"no Kubernetes manifests found in {' '.join(paths or ('.',))}{why}")
    return reports
