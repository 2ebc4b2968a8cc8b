"""What every command shares: one-line errors, the input options, reading a report."""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading
from typing import Iterable

import click

from svcdocs.cli.conventions import say
from svcdocs.config import Config
from svcdocs.errors import SvcdocsError
from svcdocs.load import LoadOptions, Unread
from svcdocs.load.exclude import Excludes
from svcdocs.load.sources import RENDERERS
from svcdocs.pipeline import Report, report_for_paths
from svcdocs.render.escape import visible

TEXT_LIMIT = 2000  # characters of an error shown


class Failure(click.ClickException):
    """A user-caused error: one line on stderr (one per problem, when several
    were found at once), exit 2."""

    exit_code = 2

    def __init__(self, message: str, *more: str):
        super().__init__(message)
        self.more = more

    def show(self, file=None) -> None:
        for line in (self.message, *self.more):
            line = visible(line)  # one line, whatever a name or a tool's output holds
            click.echo(f"svcdocs: {line if len(line) <= TEXT_LIMIT else line[:TEXT_LIMIT] + '…'}", err=True)


class NoManifests(Failure):
    """Nothing in the PATHs that svcdocs reads: exit 2, or nothing to check."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: every `finally` runs, so temporary
    folders go and child processes (mkdocs, dot) are stopped."""


def _terminate(signum, frame):
    raise Terminated()


def _default_sigterm() -> None:
    """In a forked child (the loader's worker processes), SIGTERM ends the
    process at once, as it would without svcdocs's handler: a Python handler
    runs only between bytecodes, and a worker waiting on its task queue when
    the pool stops it would never run it."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


if hasattr(os, "register_at_fork"):  # POSIX; Windows starts workers afresh
    os.register_at_fork(after_in_child=_default_sigterm)


def friendly(command):
    """Expected failures become one line; a closed pipe, Ctrl-C or SIGTERM, a quiet exit."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _terminate) if main else None
        try:
            return command(*args, **kwargs)
        except SvcdocsError as e:
            raise Failure(*e.lines) from None
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(1)
        except OSError as e:  # a full disk, a read-only folder, a file that went away
            raise Failure(os_error(e)) from None
        except RecursionError:
            raise Failure("input nested too deeply to read (a limit against hostile input)") from None
        except Terminated:
            click.echo("svcdocs: terminated", err=True)
            sys.exit(128 + signal.SIGTERM)
        except KeyboardInterrupt:
            click.echo("svcdocs: interrupted", err=True)
            sys.exit(130)
        finally:
            if main:
                signal.signal(signal.SIGTERM, previous)
    return wrapper


def os_error(e: OSError) -> str:
    where = e.filename if e.filename is not None else "svcdocs"
    return f"{where}: {e.strerror or e}"


def _remember_excludes(ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]) -> None:
    ctx.meta["svcdocs.exclude"] = value


def input_options(command):
    """PATH arguments, --namespace, --config, --render, --allow-remote and
    --exclude, shared by every reading command."""
    command = click.option("--exclude", "-x", multiple=True, metavar="GLOB", expose_value=False,
                           callback=_remember_excludes,
                           help="Leave out the paths this glob matches (repeatable; as .gitignore: a name at any "
                                "depth, or a path from the working directory, ** for any depth; a folder with all "
                                "below it), besides the config's exclude.")(command)
    command = click.option("--allow-remote", is_flag=True,
                           help="Let kustomize fetch remote bases (URLs, git::, github.com/...) and read "
                                "paths outside the repository.")(command)
    command = click.option("--render", "render", multiple=True, type=click.Choice([*RENDERERS, "none"]),
                           help="What renders a folder PATH that holds a kustomization or a Helm chart "
                                "(repeatable; default: kustomize, or render: in the config; none reads "
                                "them as plain files).")(command)
    command = click.option("--config", "config_path", type=click.Path(dir_okay=False),
                           help="Config file (default: .svcdocs.yaml in the working directory).")(command)
    command = click.option("--namespace", "-n", default="default", show_default=True, metavar="NS",
                           help="Namespace of objects that do not name one.")(command)
    return click.argument("paths", nargs=-1, metavar="[PATH]...")(command)


def load_options(config: Config, render: tuple[str, ...], allow_remote: bool) -> LoadOptions:
    """--render when given (none: nothing), else the config's renderers; the
    config's excludes (from its folder) and --exclude's (from here)."""
    chosen = frozenset(r for r in render if r != "none") if render else config.render
    ctx = click.get_current_context(silent=True)
    excludes = Excludes().plus(os.path.dirname(config.path or "") or ".", config.exclude)
    excludes = excludes.plus(".", ctx.meta.get("svcdocs.exclude", ()) if ctx else ())
    return LoadOptions(render=chosen, allow_remote=allow_remote, exclude=excludes)


def read_report(paths: tuple[str, ...], namespace: str, config: Config, options: LoadOptions | None = None) -> Report:
    """Run the pipeline; print load problems, files not read and notes to
    stderr; exit 2 if nothing was usable."""
    report = report_for_paths(paths or (".",), config, namespace=namespace, options=options)
    show_inputs(report)
    if not report.usable:
        raise NoManifests(f"no Kubernetes manifests found in {' '.join(paths or ('.',))}")
    return report


def show_inputs(report: Report) -> None:
    show_load_notes(report.notes, report.model.inputs.problems, report.unread)
    if report.graph.truncated:
        say(f"svcdocs: warning: {report.graph.truncated}")


def show_load_notes(notes: Iterable[str], problems: Iterable[object], unread: Iterable[Unread]) -> None:
    """What load said, on stderr. One line each, whatever a name holds: a
    newline could start a workflow command (`::error ...`) in a CI log."""
    for note in notes:
        say(f"svcdocs: {visible(note)}")
    for problem in problems:
        say(visible(str(problem)))
    for item in unread:
        say(visible(str(item)))
