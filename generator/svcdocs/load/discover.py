"""Turn the PATH arguments into sources: files, folders walked for every file
`kubectl apply -R -f` would read (a file not read is named, with why),
standard input, and rendered folders (a kustomization, after its entries are
checked, and the files below it that it does not list named; a Helm chart
only when the user asks for Helm).
"""

from __future__ import annotations

import os
import sys
from typing import BinaryIO

from svcdocs.errors import SvcdocsError
from svcdocs.load.kustomize_check import unlisted
from svcdocs.load.problems import Unread
from svcdocs.load.renderer import render_folder, renders
from svcdocs.load.sources import STDIN, Discovered, LoadOptions, Rendering, Source, inside, repository_root
from svcdocs.load.walk import walk


def discover(paths: list[str] | tuple[str, ...], stdin: BinaryIO | None = None,
             options: LoadOptions = LoadOptions()) -> Discovered:
    """Expand PATH arguments into sources, in the order the user gave them."""
    sources: list[Source] = []
    unread: list[Unread] = []
    renderings: list[Rendering] = []
    notes: list[str] = []
    skipped = 0
    for path in paths or (".",):
        if path == STDIN:
            sources.append(_stdin_source(stdin))
            renderings.append(Rendering(path, "stdin"))
            continue
        refuse_link_outside(path)
        if os.path.isdir(path):
            mode, note = renders(path, options)
            if note:
                notes.append(note)
            renderings.append(Rendering(path, mode))
            if mode != "files":
                sources.append(render_folder(path, mode, repository_root(path), options))
                unread.extend(unlisted(walk(path, options.exclude)) if mode == "kustomize" else ())
                continue
            walked = walk(path, options.exclude)
            sources.extend(walked.sources)
            unread.extend(walked.unread)
            skipped += walked.skipped
        elif os.path.isfile(path) and options.exclude.excluded(path):
            continue  # named, and left out: pre-commit names every changed file
        elif os.path.isfile(path):
            renderings.append(Rendering(path, "file"))
            sources.append(Source(label=path, path=path, size=os.path.getsize(path)))
        elif os.path.lexists(path) and not os.path.exists(path):
            raise SvcdocsError(f"{path}: a symbolic link to nothing")
        elif os.path.exists(path):
            raise SvcdocsError(f"{path}: not a regular file or folder")
        else:
            raise SvcdocsError(f"{path}: no such file or folder")
    return Discovered(tuple(sources), skipped, tuple(unread), tuple(renderings), tuple(notes))


def refuse_link_outside(path: str) -> None:
    """A PATH that is itself a link is followed only into the working directory:
    a pull request can turn the folder a workflow names into a link to anywhere."""
    if not os.path.islink(path.rstrip("/") or path):
        return
    target, cwd = os.path.realpath(path), os.path.realpath(os.getcwd())
    if not inside(cwd, target):
        raise SvcdocsError(f"{path}: a symbolic link to {target}, outside the working directory; "
                           "svcdocs does not follow it there (name the target itself)")


def _stdin_source(stdin: BinaryIO | None) -> Source:
    stream = stdin if stdin is not None else sys.stdin.buffer
    data = stream.read()
    return Source(label="<stdin>", data=data, size=len(data))


