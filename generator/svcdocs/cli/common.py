"""What every command shares: one-line errors, the input options, reading a report."""

from __future__ import annotations

import functools
import sys

import click

from svcdocs.config import Config
from svcdocs.errors import SvcdocsError
from svcdocs.pipeline import Report, report_for_paths
from svcdocs.render.escape import visible


class Failure(click.ClickException):
    """A user-caused error: one line on stderr, exit 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"svcdocs: {self.message}", err=True)


def friendly(command):
    """Expected failures become one line; a closed pipe or Ctrl-C, a quiet exit."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except SvcdocsError as e:
            raise Failure(str(e)) from None
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("svcdocs: interrupted", err=True)
            sys.exit(130)
    return wrapper


def input_options(command):
    """PATH arguments, --namespace and --config, shared by every reading command."""
    command = click.option("--config", "config_path", type=click.Path(dir_okay=False),
                           help="Config file (default: .svcdocs.yaml in the working directory).")(command)
    command = click.option("--namespace", "-n", default="default", show_default=True, metavar="NS",
                           help="Namespace of objects that do not name one.")(command)
    return click.argument("paths", nargs=-1, metavar="[PATH]...")(command)


def read_report(paths: tuple[str, ...], namespace: str, config: Config) -> Report:
    """Run the pipeline; print load problems to stderr; exit 2 if nothing was usable."""
    report = report_for_paths(paths or (".",), config, namespace=namespace)
    for problem in report.model.inputs.problems:
        # One line each, whatever a name holds: a newline could start a
        # workflow command (`::error ...`) in a CI log.
        click.echo(visible(str(problem)), err=True)
    if report.graph.truncated:
        click.echo(f"svcdocs: warning: {report.graph.truncated}", err=True)
    if not report.usable:
        raise Failure(f"no Kubernetes manifests found in {' '.join(paths or ('.',))}")
    return report
