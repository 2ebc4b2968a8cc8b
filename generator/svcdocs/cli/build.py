"""`svcdocs build`: the architecture site, ready for GitHub Pages."""

from __future__ import annotations

import click

from svcdocs.cli.common import friendly, input_options, load_options
from svcdocs.cli.environments import environment_options, read_reports
from svcdocs.config import load_config
from svcdocs.cli.conventions import quiet, say
from svcdocs.render.site.build import Progress, build_environments, build_options, summary
from svcdocs.render.site.engine import ENGINES


def site_options(command):
    """--site-url, --repo-url and --title, shared with `svcdocs serve`."""
    command = click.option("--title", metavar="TEXT", help="Site title (default: PATH's folder name).")(command)
    command = click.option("--repo-url", metavar="URL",
                           help="Link findings and sources to the repository: https://github.com/OWNER/REPO "
                                "(default branch) or a prefix ending in / such as .../blob/main/.")(command)
    return click.option("--site-url", metavar="URL",
                        help="Where the site is published, e.g. https://OWNER.github.io/REPO/.")(command)


@click.command()
@input_options
@environment_options
@click.option("--output", "-o", "out", default="site", show_default=True, metavar="DIR",
              help="Output folder, replaced as a whole when the build succeeds.")
@site_options
@click.option("--force", is_flag=True, help="Replace an output folder that svcdocs did not make.")
@click.option("--engine", type=click.Choice(ENGINES), default="mkdocs", show_default=True,
              help="The site generator: mkdocs (mkdocs-material) or zensical (pip install 'svcdocs[zensical]').")
@friendly
def build(paths, namespace, config_path, render, allow_remote, environments, out, site_url, repo_url, title, force,
          engine):
    """Build the architecture site (mkdocs-material, or Zensical) into DIR.

    With several environments: a section per environment and a Compare page.
    """
    options = build_options(paths or (".",), out, title=title, site_url=site_url, repo_url=repo_url, force=force,
                            engine=engine)
    config = load_config(config_path)
    reports = read_reports(paths, namespace, config, environments, load_options(config, render, allow_remote))
    progress = Progress()
    progress.active = progress.active and not quiet()
    result = build_environments(reports, options, say=say, progress=progress)
    say(summary(result))
