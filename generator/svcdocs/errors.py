"""The one exception a user can cause. The CLI prints it as one line, exit 2."""


class SvcdocsError(Exception):
    """An expected failure: a missing path, a missing tool, a bad config file.
    Several problems found at once (every error of a config) are one line each:
    the message is the first, `lines` all of them."""

    exit_code = 2

    def __init__(self, message: str, *more: str):
        super().__init__(message)
        self.lines = (message, *more)
