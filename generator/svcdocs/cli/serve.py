"""`svcdocs serve`: the local preview: build, serve on 127.0.0.1, rebuild on change."""

from __future__ import annotations

from pathlib import Path

import click

from svcdocs.cli.build import site_options
from svcdocs.cli.common import Failure, friendly, input_options
from svcdocs.cli.environments import environment_options, read_reports
from svcdocs.config import CONFIG_NAMES, load_config
from svcdocs.errors import SvcdocsError
from svcdocs.render.site.build import CACHE_NAME, build_environments, build_options, summary
from svcdocs.render.site.serve import start_server, watch


@click.command()
@input_options
@environment_options
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port on 127.0.0.1.")
@site_options
@friendly
def serve(paths, namespace, config_path, environments, port, site_url, repo_url, title):
    """Build the site, serve it on 127.0.0.1 and rebuild when a manifest changes."""
    paths = paths or (".",)
    if "-" in paths:
        raise Failure("serve watches files; it cannot read standard input (use svcdocs build -)")
    cache = Path(CACHE_NAME).resolve()
    options = build_options(paths, str(cache / "serve" / "site"), title=title, site_url=site_url,
                            repo_url=repo_url, cache=cache)

    def rebuild() -> None:
        try:
            reports = read_reports(paths, namespace, load_config(config_path), environments)
            click.echo(summary(build_environments(reports, options, say=lambda text: click.echo(text, err=True))),
                       err=True)
        except (SvcdocsError, Failure) as e:
            click.echo(f"svcdocs: {e}; still serving the last good build", err=True)

    reports = read_reports(paths, namespace, load_config(config_path), environments)
    click.echo(summary(build_environments(reports, options, say=lambda text: click.echo(text, err=True))), err=True)
    server = start_server(options.out.resolve(), port)
    click.echo(f"Serving on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop); "
               f"rebuilding when {' '.join(paths)} changes", err=True)
    try:
        watch(rebuild, paths, tuple(p for p in (config_path, *CONFIG_NAMES) if p))
    finally:
        server.shutdown()
