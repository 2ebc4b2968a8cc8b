#!/usr/bin/env python3
"""The review as one pull-request comment, created once and then updated in place.

The Action runs this script with the standard library only: the job that posts
holds a token that can write to pull requests, so it installs nothing and runs
no code from the pull request.

    sticky_comment.py post --repo OWNER/REPO --pr N --paths PATHS [--environment ENV] REVIEW.md
    sticky_comment.py prepare --pr N --paths PATHS [--environment ENV] REVIEW.md FOLDER
    sticky_comment.py post-artifacts --repo OWNER/REPO --head-sha SHA FOLDER

`post` finds the comment that starts with the hidden marker of the job's key
(a digest of its environment and paths, so several svcdocs jobs keep one
comment each) among the comments of the token's user (`--author`, default
`github-actions[bot]`, the login of GITHUB_TOKEN), and updates it, or creates
it. Every push updates it, so a later push without architectural changes makes
it say so instead of leaving the old review standing.

`prepare` and `post-artifacts` are the two halves of the pattern for pull
requests from forks: the `pull_request` job, which has no write token, writes
the comment into FOLDER and uploads it as the artifact svcdocs-review-<digest>;
a `workflow_run` job downloads the artifacts and posts them. An artifact is made
by code from the pull request, so nothing in it is trusted: the pull request it
names must have the head commit that the `workflow_run` event reports, sizes
are bounded, and symbolic links are refused.

The token comes from GITHUB_TOKEN and the API from GITHUB_API_URL (GitHub
Enterprise Server, or a test server); both are set in every Actions job.
Server errors (5xx), rate limits (429, or 403 with the rate-limit headers) and
connections that fail are tried again, up to ATTEMPTS times, after the wait
the API asks for (Retry-After, x-ratelimit-reset) or a doubling backoff; each
retry and the giving up are said on stderr. A POST that failed with a server
error may still have made the comment, so the lookup starts over before it is
sent again: a retry never leaves two comments.
Exit status: 0 posted (or nothing to post), 1 the API refused, 2 bad input.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

LIMIT = 65_536  # characters in a comment's body (GitHub's limit)
MAX_READ = 1 << 20  # bytes read from any one file of an artifact
MAX_ARTIFACTS = 50
PER_PAGE = 100
TIMEOUT = 30
ATTEMPTS = 5  # tries of one call before giving up
BACKOFF = 2.0  # seconds before the second try, doubled for each next one
MAX_WAIT = 120.0  # seconds: the longest wait for a rate limit to reset
DEFAULT_AUTHOR = "github-actions[bot]"
_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


class Refused(Exception):
    """What the API or the input refused: one line, then exit 1 or 2."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


class Unanswered(Refused):
    """A POST that failed with a server error: it may or may not have been done."""


# --- The marker ----------------------------------------------------------------------

def key_of(paths: str, environment: str = "") -> str:
    """The key of one svcdocs job: its environment and its paths, however spaced."""
    return f"{environment.strip()}\n{' '.join(paths.split())}"


def marker(key: str) -> str:
    """The hidden first line that finds the comment again; a digest, so no text
    from the key can end the HTML comment."""
    return f"<!-- svcdocs-review-comment {digest(key)} -->"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def body(review: str, key: str, environment: str = "") -> str:
    """The comment: the marker, a line naming the environment when there is
    one, and the review, cut at a line to fit GitHub's limit."""
    head = marker(key) + "\n" + (f"**svcdocs** · environment `{_code_span(environment)}`\n\n" if environment else "")
    note = "\n\n> [!NOTE]\n> Cut to fit GitHub's comment limit; the job summary has the whole review.\n"
    if len(head) + len(review) <= LIMIT:
        return head + review
    room = LIMIT - len(head) - len(note)
    cut = review[:room]
    return head + cut[:cut.rfind("\n") + 1 or room] + note


def _code_span(text: str) -> str:
    return re.sub(r"[`\x00-\x1f\x7f]", "?", text)[:200]


# --- The API -------------------------------------------------------------------------

class GitHub:
    """The few REST calls a sticky comment needs."""

    def __init__(self, api: str, token: str):
        if not token:
            raise Refused("GITHUB_TOKEN is not set: give the Action a token that can write to pull requests", 2)
        if not api.startswith(("https://", "http://")):
            raise Refused(f"GITHUB_API_URL must be an http(s) URL, not {api!r}", 2)
        self.api = api.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, data: dict | None = None) -> tuple[object, dict[str, str]]:
        """One REST call, tried again on server errors and rate limits."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return self._once(method, path, data)
            except _Transient as e:
                if method == "POST" and e.server_error:
                    raise Unanswered(e.text) from None  # post() looks again before sending it again
                if attempt == ATTEMPTS:
                    raise Refused(f"{e.text}; gave up after {ATTEMPTS} attempts") from None
                wait = e.wait if e.wait is not None else backoff(attempt)
                print(f"svcdocs: {e.text}; trying again in {wait:g} s (attempt {attempt + 1} of {ATTEMPTS})",
                      file=sys.stderr)
                sleep(wait)
        raise AssertionError("unreachable")

    def _once(self, method: str, path: str, data: dict | None) -> tuple[object, dict[str, str]]:
        url = path if path.startswith(self.api + "/") else f"{self.api}/{path.lstrip('/')}"
        request = urllib.request.Request(url, method=method, data=None if data is None else json.dumps(data).encode())
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("X-GitHub-Api-Version", "2022-11-28")
        request.add_header("User-Agent", "svcdocs-action")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                text = response.read().decode("utf-8")
                return (json.loads(text) if text else None), dict(response.headers.items())
        except urllib.error.HTTPError as e:
            if _rate_limited(e) or e.code >= 500:
                raise _Transient(_refusal(method, path, e, hint=False), _asked_wait(e),
                                 server_error=e.code >= 500) from None
            raise Refused(_refusal(method, path, e)) from None
        except (urllib.error.URLError, OSError) as e:
            raise _Transient(f"{method} {path.split('?')[0]}: {getattr(e, 'reason', e)}", None,
                             server_error=True) from None

    def comments(self, repo: str, pr: int):
        """Every comment of the pull request, following the pages."""
        url = f"repos/{repo}/issues/{pr}/comments?per_page={PER_PAGE}"
        while url:
            page, headers = self.call("GET", url)
            yield from page if isinstance(page, list) else []
            url = _next_page(headers.get("Link") or headers.get("link") or "")
            if url and not url.startswith(self.api + "/"):
                raise Refused(f"the API's next page is elsewhere: {url}")


class _Transient(Exception):
    """A call worth trying again: a server error, a rate limit, a lost connection."""

    def __init__(self, text: str, wait: float | None, server_error: bool):
        super().__init__(text)
        self.text, self.wait, self.server_error = text, wait, server_error


def backoff(attempt: int) -> float:
    """The wait after the ATTEMPT-th failed try: 2, 4, 8, 16 s."""
    return BACKOFF * 2 ** (attempt - 1)


def sleep(seconds: float) -> None:
    time.sleep(seconds)


def _rate_limited(error: urllib.error.HTTPError) -> bool:
    """429, or 403 with Retry-After or no requests remaining (GitHub's primary
    and secondary rate limits); any other 403 is a refusal."""
    headers = error.headers or {}
    return error.code == 429 or (error.code == 403 and (headers.get("Retry-After") is not None
                                                        or headers.get("x-ratelimit-remaining") == "0"))


def _asked_wait(error: urllib.error.HTTPError) -> float | None:
    """The seconds the API asks to wait (Retry-After, or until x-ratelimit-reset), if it says."""
    headers = error.headers or {}
    retry_after = (headers.get("Retry-After") or "").strip()
    if retry_after.isdigit():
        return min(float(retry_after), MAX_WAIT)
    reset = (headers.get("x-ratelimit-reset") or "").strip()
    if headers.get("x-ratelimit-remaining") == "0" and reset.isdigit():
        return min(max(float(reset) - time.time(), 1.0), MAX_WAIT)
    return None


def _refusal(method: str, path: str, error: urllib.error.HTTPError, hint: bool = True) -> str:
    try:
        message = json.loads(error.read().decode("utf-8")).get("message", "")
    except (ValueError, AttributeError, OSError):
        message = ""
    text = f"{method} {path.split('?')[0]}: HTTP {error.code}" + (f" {message}" if message else "")
    if hint and error.code in (401, 403, 404):
        text += (" (the token needs `pull-requests: write`; a pull request from a fork gets a read-only token:"
                 " use `comment: artifact` and post from a workflow_run job)")
    return text


def _next_page(link: str) -> str:
    for part in link.split(","):
        match = re.fullmatch(r'\s*<([^>]+)>\s*;\s*rel="next"\s*', part)
        if match:
            return match.group(1)
    return ""


# --- Posting -------------------------------------------------------------------------

def post(github: GitHub, repo: str, pr: int, text: str, key: str, author: str = DEFAULT_AUTHOR) -> str:
    """Update the comment with KEY's marker, or create it. Returns what was
    done. A creation that failed with a server error starts over from the
    lookup, which finds the comment if it was made after all."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _post_once(github, repo, pr, text, key, author)
        except Unanswered as e:
            if attempt == ATTEMPTS:
                raise Refused(f"{e}; gave up after {ATTEMPTS} attempts") from None
            wait = backoff(attempt)
            print(f"svcdocs: {e}; looking for the comment again in {wait:g} s (attempt {attempt + 1} of {ATTEMPTS})",
                  file=sys.stderr)
            sleep(wait)
    raise AssertionError("unreachable")


def _post_once(github: GitHub, repo: str, pr: int, text: str, key: str, author: str) -> str:
    first_line = marker(key)
    for comment in github.comments(repo, pr):
        login = (comment.get("user") or {}).get("login")
        if login == author and str(comment.get("body", "")).split("\n", 1)[0] == first_line:
            github.call("PATCH", f"repos/{repo}/issues/comments/{int(comment['id'])}", {"body": text})
            return f"updated {comment.get('html_url') or comment['id']}"
    created, _ = github.call("POST", f"repos/{repo}/issues/{pr}/comments", {"body": text})
    return f"created {(created or {}).get('html_url', '')}".rstrip()


def prepare(review: Path, pr: int, key: str, environment: str, folder: Path) -> str:
    """The artifact of one job, FOLDER/comment.md and FOLDER/meta.json; returns
    the key's digest, which names the artifact."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "comment.md").write_text(body(_read(review), key, environment), encoding="utf-8")
    (folder / "meta.json").write_text(json.dumps({"pr": pr, "key": key}) + "\n", encoding="utf-8")
    return digest(key)


def post_artifacts(github: GitHub, repo: str, head_sha: str, folder: Path, author: str = DEFAULT_AUTHOR) -> list[str]:
    """Post each prepared comment under FOLDER, once its pull request is shown
    to have the head commit the workflow_run event reports."""
    if not _SHA.fullmatch(head_sha):
        raise Refused(f"--head-sha must be a commit SHA, not {head_sha!r}", 2)
    metas = sorted(p for p in folder.glob("**/meta.json") if not p.is_symlink()) if folder.is_dir() else []
    if len(metas) > MAX_ARTIFACTS:
        raise Refused(f"{len(metas)} comments in the artifacts; at most {MAX_ARTIFACTS}", 2)
    done, checked = [], {}
    for meta_path in metas:
        meta = json.loads(_read(meta_path))
        pr, key = meta.get("pr") if isinstance(meta, dict) else None, meta.get("key") if isinstance(meta, dict) else None
        if not isinstance(pr, int) or isinstance(pr, bool) or pr <= 0 or not isinstance(key, str) or len(key) > 4096:
            raise Refused(f"{meta_path}: not a comment svcdocs prepared", 2)
        if pr not in checked:
            checked[pr] = _head_of(github, repo, pr)
        if checked[pr] != head_sha:
            raise Refused(f"pull request #{pr} is at {checked[pr]}, not at {head_sha} that the run reviewed;"
                          " not posting", 1)
        text = _read(meta_path.with_name("comment.md"))
        if text.split("\n", 1)[0] != marker(key):
            raise Refused(f"{meta_path.parent}: the comment does not start with its marker", 2)
        done.append(f"#{pr}: " + post(github, repo, pr, text[:LIMIT], key, author))
    return done


def _head_of(github: GitHub, repo: str, pr: int) -> str:
    pull, _ = github.call("GET", f"repos/{repo}/pulls/{pr}")
    return str(((pull or {}).get("head") or {}).get("sha", ""))


def _read(path: Path) -> str:
    """A file of at most MAX_READ bytes, never through a symbolic link."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as e:
        raise Refused(f"{path}: cannot read: {e.strerror}", 2) from None
    with os.fdopen(fd, "rb") as f:
        data = f.read(MAX_READ + 1)
    if len(data) > MAX_READ:
        raise Refused(f"{path}: larger than {MAX_READ} bytes", 2)
    return data.decode("utf-8", errors="replace")


# --- Command line --------------------------------------------------------------------

def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="sticky_comment.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("post", "prepare"):
        command = commands.add_parser(name)
        command.add_argument("--pr", type=int, required=True)
        command.add_argument("--paths", required=True, help="the Action's paths (the job's key, with ENV)")
        command.add_argument("--environment", default="", help="the Action's environment, shown above the review")
        command.add_argument("review", type=Path)
        if name == "post":
            command.add_argument("--repo", required=True)
            command.add_argument("--author", default=DEFAULT_AUTHOR)
        else:
            command.add_argument("folder", type=Path)
    command = commands.add_parser("post-artifacts")
    command.add_argument("--repo", required=True)
    command.add_argument("--head-sha", required=True)
    command.add_argument("--author", default=DEFAULT_AUTHOR)
    command.add_argument("folder", type=Path)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(sys.argv[1:] if argv is None else argv)
    try:
        if getattr(args, "repo", None) is not None and not _REPO.fullmatch(args.repo):
            raise Refused(f"--repo must be OWNER/REPO, not {args.repo!r}", 2)
        if args.command == "prepare":
            print(prepare(args.review, args.pr, key_of(args.paths, args.environment), args.environment, args.folder))
            return 0
        github = GitHub(os.environ.get("GITHUB_API_URL") or "https://api.github.com", os.environ.get("GITHUB_TOKEN", ""))
        if args.command == "post":
            key = key_of(args.paths, args.environment)
            text = body(_read(args.review), key, args.environment)
            print(f"svcdocs: {post(github, args.repo, args.pr, text, key, args.author)}")
        else:
            done = post_artifacts(github, args.repo, args.head_sha, args.folder, args.author)
            print("\n".join(f"svcdocs: {line}" for line in done) or "svcdocs: no review to post")
        return 0
    except Refused as e:
        print(f"svcdocs: {e}", file=sys.stderr)
        return e.status


if __name__ == "__main__":
    sys.exit(main())
