"""`svcdocs serve`: the local preview: build, serve on 127.0.0.1, rebuild on change.

The site is built fresh into a private temporary folder (never into, or from,
anything in the checkout), served without following links, and deleted when
serve stops. A rebuild that fails for any reason leaves the last good build
served.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import click

from svcdocs.cli.build import site_options
from svcdocs.cli.conventions import say
from svcdocs.cli.common import Failure, friendly, input_options, load_options, os_error
from svcdocs.cli.environments import environment_options, read_reports
from svcdocs.config import CONFIG_NAMES, load_config
from svcdocs.errors import SvcdocsError
from svcdocs.render.escape import visible
from svcdocs.render.site.build import build_environments, build_options, summary
from svcdocs.render.site.serve import snapshot, start_server, watch


@click.command()
@input_options
@environment_options
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port on 127.0.0.1.")
@site_options
@friendly
def serve(paths, namespace, config_path, render, allow_remote, environments, port, site_url, repo_url, title):
    """Build the site, serve it on 127.0.0.1 and rebuild when a manifest changes."""
    paths = paths or (".",)
    if "-" in paths:
        raise Failure("serve watches files; it cannot read standard input (use svcdocs build -)")
    private = Path(tempfile.mkdtemp(prefix="svcdocs-serve-"))  # mode 0700, outside the checkout
    try:
        _serve(paths, namespace, config_path, render, allow_remote, environments, port, site_url, repo_url, title,
               private)
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _serve(paths, namespace, config_path, render, allow_remote, environments, port, site_url, repo_url, title,
           private: Path) -> None:
    key = "serve\0" + "\0".join(os.path.abspath(p) for p in paths)  # diagrams cached across runs
    options = build_options(paths, str(private / "site"), title=title, site_url=site_url, repo_url=repo_url,
                            cache_key=key)

    def build() -> None:
        config = load_config(config_path)
        reports = read_reports(paths, namespace, config, environments, load_options(config, render, allow_remote))
        say(summary(build_environments(reports, options, say=say)))

    def rebuild() -> None:
        try:
            build()
        except (SvcdocsError, Failure) as e:
            click.echo(f"svcdocs: {visible(getattr(e, 'message', str(e)))}; still serving the last good build",
                       err=True)
        except OSError as e:
            click.echo(f"svcdocs: {visible(os_error(e))}; still serving the last good build", err=True)
        except RecursionError:
            click.echo("svcdocs: input nested too deeply to read; still serving the last good build", err=True)
        except Exception as e:  # a bug: say so, and keep serving
            click.echo(f"svcdocs: the rebuild failed ({type(e).__name__}); still serving the last good build",
                       err=True)

    watched = tuple(p for p in (config_path, *CONFIG_NAMES) if p)
    before = snapshot(paths, watched)  # a change made during the first build is seen too
    build()
    server = start_server(options.out, port)
    click.echo(f"Serving on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop); "
               f"rebuilding when {' '.join(paths)} changes", err=True)
    try:
        watch(rebuild, paths, watched, since=before)
    finally:
        server.shutdown()
