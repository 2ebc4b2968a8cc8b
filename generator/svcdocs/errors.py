"""The one exception a user can cause. The CLI prints it as one line, exit 2."""


class SvcdocsError(Exception):
    """An expected failure: a missing path, a missing tool, a bad config file."""

    exit_code = 2
