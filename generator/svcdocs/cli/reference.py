"""The CLI reference of the docs site, rendered from the click commands
themselves (their usage, help and options), so the docs cannot drift from the
code. `tests/test_docs.py` checks that the committed page is current
(`pytest --update-golden` rewrites it)."""

from __future__ import annotations

import click

from svcdocs.cli import COMMANDS, main

ORDER = ("build", "serve", "check", "diff", "graph", "reach", "rules", "schema")  # the README's order; others after


def to_markdown() -> str:
    """Every command: its usage, its help, and a table of its options."""
    blocks = ["<!-- Generated from the click commands by svcdocs.cli.reference: "
              "edit their help, then run pytest --update-golden. -->"]
    group = click.Context(main, info_name="svcdocs", **main.context_settings)  # -h as well as --help
    for name in sorted(COMMANDS, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n)):
        blocks.append(_command(name, main.get_command(group, name), group))
    return "\n\n".join(blocks) + "\n"


def _command(name: str, command: click.Command, group: click.Context) -> str:
    ctx = click.Context(command, info_name=name, parent=group)
    usage = " ".join(command.collect_usage_pieces(ctx))
    lines = [f"### `svcdocs {name}`", "", "```", f"svcdocs {name} {usage}", "```", ""]
    lines += [_paragraphs(command.help or ""), "", "| option | what it does |", "|---|---|"]
    for param in command.get_params(ctx):
        if isinstance(param, click.Option) and not param.hidden:
            lines.append(f"| {_names(param)} | {_cell(_help(param))} |")
    return "\n".join(lines)


def _paragraphs(text: str) -> str:
    """click's help, with its own line breaks joined within each paragraph."""
    return "\n\n".join(" ".join(p.split()) for p in text.strip().split("\n\n"))


def _names(option: click.Option) -> str:
    """`-o`, `--output FILE`: short names first, the metavar after the last."""
    names = sorted(option.opts + option.secondary_opts, key=lambda n: (n.startswith("--"), n))
    if not option.is_flag and not isinstance(option.type, click.Choice):
        names[-1] += f" {option.metavar or option.type.name.split()[0].upper()}"
    return ", ".join(f"`{n}`" for n in names)


def _help(option: click.Option) -> str:
    text = " ".join((option.help or "").split())
    if isinstance(option.type, click.Choice):
        text = f"One of {', '.join(f'`{c}`' for c in option.type.choices)}. {text}".strip()
    if option.multiple:
        text += " Repeatable." if "repeatable" not in text.lower() else ""
    if option.show_default and option.default not in (None, False, (), ""):
        default = option.default
        text += f" Default: `{default}`."
        text = text.strip()
    return text.strip()


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def generated_docs() -> dict[str, str]:
    """Every generated page of the docs site, by its path under docs/."""
    from svcdocs import schemas
    from svcdocs.render.rules_doc import docs_pages

    return {"_generated/cli.md": to_markdown(), **docs_pages(),
            **{f"schemas/{name}.json": schemas.text(name) for name in schemas.NAMES}}
