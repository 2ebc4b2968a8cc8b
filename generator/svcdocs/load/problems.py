"""What load reports besides documents: documents it could not use, and files
it did not read."""

from __future__ import annotations

from svcdocs.runtime import record


@record
class Problem:
    """A document (or file) that could not be used: `file:line: reason`."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@record
class Unread:
    """A file that `kubectl apply -R -f PATH` would read and svcdocs did not, and why."""

    file: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: not read: {self.reason}"
