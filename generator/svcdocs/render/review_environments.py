"""`svcdocs diff` of a repository with several environments: one comment with
a section per environment that changed, under GitHub's limit.

The comment leads with one verdict over every environment and a table of each
environment's verdict; then each changed environment's section (the same
content as a one-environment comment, more exposed environments first). The
sections share what the limit leaves after the table: each gets an equal part
of what remains, shortens itself to fit it as a one-environment comment does,
and leaves what it does not use to the next; a section that cannot fit at all
is left out, and the comment says so.
"""

from __future__ import annotations

from typing import Any, Sequence

from svcdocs.load.discovery_renders import NotRendered
from svcdocs.render.environments_json import not_rendered_json
from svcdocs.render.escape import markdown_text
from svcdocs.render.review_json import review_document, unseen_json
from svcdocs.render.review_markdown import LIMIT, MARKER, _size, comment, top_lines
from svcdocs.review import Unseen
from svcdocs.review.coverage import unseen_fails
from svcdocs.review.environments import EnvironmentReview, fails, more_exposed, overall_verdict

SCHEMA = "svcdocs.review-environments/v1"
TABLE_ROWS = 100  # environments listed in the table; the rest are counted
MAX_NAMED = 5  # unchanged environments named in the table's last row


def environments_comment(reviews: tuple[EnvironmentReview, ...], base: str, head: str,
                         not_rendered: Sequence[NotRendered] = (), limit: int = LIMIT,
                         unseen: Sequence[Unseen] = ()) -> str:
    top = [MARKER, f"## {markdown_text(overall_verdict(reviews, unseen))}"]
    if unseen:
        top += ["", "> [!CAUTION]", "> New in HEAD, and not read or rendered: this review cannot say what it does."]
        top += [f"> - {line}" for line in top_lines([markdown_text(u.sentence()) for u in unseen])]
    top += ["", "| Environment | Change |", "|---|---|"]
    listed = [r for r in reviews if r.status != "unchanged"]
    top += [f"| {markdown_text(r.environment)} | "
            + markdown_text(f"the same as {r.same_as}" if r.same_as else r.verdict) + " |"
            for r in listed[:TABLE_ROWS]]
    if len(listed) > TABLE_ROWS:
        top.append(f"| and {len(listed) - TABLE_ROWS} more | |")
    unchanged = [markdown_text(r.environment) for r in reviews if r.status == "unchanged"]
    if unchanged:
        names = ", ".join(unchanged[:MAX_NAMED]) + (f" and {len(unchanged) - MAX_NAMED} more"
                                                   if len(unchanged) > MAX_NAMED else "")
        top.append(f"| {names} | No architectural changes |")
    if not_rendered:
        top += ["", f"Not rendered in HEAD ({len(not_rendered)}): "
                + "; ".join(markdown_text(f"{n.what}: {n.reason}") for n in not_rendered[:20])
                + (f"; and {len(not_rendered) - 20} more" if len(not_rendered) > 20 else "")]
    footer = f"\n<sub>svcdocs diff: {markdown_text(base)} → {markdown_text(head)}</sub>\n"
    head_text = "\n".join(top) + "\n"
    same = {r.environment: [x.environment for x in reviews if x.same_as == r.environment] for r in reviews}
    changed = sorted((r for r in reviews if r.status != "unchanged" and not r.same_as),
                     key=lambda r: (not r.review.fails, reviews.index(r)))
    budget = limit - 1 - _size(head_text) - _size(footer) - 200  # room for the note on what was left out
    sections, left_out = [], []
    for i, r in enumerate(changed):
        share = budget // (len(changed) - i)
        names = [r.environment, *same[r.environment]]
        title = f"{', '.join(names)}: {r.verdict}"
        text = comment(r.review, "", "", limit=share - 2, title=title, marker="").strip("\n")
        if len(names) > 1:  # said once, under its first environment's names
            heading, _, rest = text.partition("\n")
            text = (f"{heading}\n\nThe same in {_and(names)}; shown as in {names[0]}.\n{rest}")
        text = "\n" + text + "\n"
        if _size(text) >= share:
            left_out.extend(names)
            continue
        sections.append(text)
        budget -= _size(text)
    note = ""
    if left_out:
        note = (f"\n> [!NOTE]\n> Left out to fit GitHub's limit of 65,536 characters: the sections of "
                f"{markdown_text(', '.join(left_out))}. `svcdocs diff --format json` has everything.\n")
    return head_text + "".join(sections) + note + footer


def _and(names: list[str]) -> str:
    return markdown_text(", ".join(names[:-1]) + " and " + names[-1])


def environments_document(reviews: tuple[EnvironmentReview, ...], base: str, head: str,
                          not_rendered: Sequence[NotRendered] = (), unseen: Sequence[Unseen] = ()) -> dict[str, Any]:
    return {
        "schema": SCHEMA, "base": base, "head": head, "verdict": overall_verdict(reviews, unseen),
        "more_exposed": more_exposed(reviews),
        "fails": fails(reviews) or bool(unseen and unseen_fails(tuple(unseen), reviews[0].review.fail_on_unmodelled
                                                                if reviews else True)),
        "unseen": [unseen_json(u) for u in unseen],
        "environments": [{
            "environment": r.environment, "status": r.status, "same_as": r.same_as,
            **{k: v for k, v in review_document(r.review, base, head).items() if k not in ("schema", "base", "head")},
            "verdict": r.verdict,
        } for r in reviews],
        "not_rendered": [not_rendered_json(n) for n in not_rendered],
    }
