"""`svcdocs serve`: build, serve the site on 127.0.0.1, rebuild when an input changes.

The server answers from the output folder by its path, so a rebuild that
swaps the folder is served from the next request on. Changes are found by
polling the inputs' names, sizes and modification times once a second.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
import time
from pathlib import Path
from typing import Callable, Iterable

from svcdocs.errors import SvcdocsError
from svcdocs.load.sources import SITE_MARKER

POLL_SECONDS = 1.0
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # one line per request is noise here
        pass


def start_server(folder: Path, port: int) -> http.server.ThreadingHTTPServer:
    """Serve `folder` on 127.0.0.1:`port` from a background thread."""
    handler = functools.partial(_Handler, directory=str(folder))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as e:
        raise SvcdocsError(f"cannot serve on 127.0.0.1:{port}: {e.strerror}; choose another --port") from None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def snapshot(paths: Iterable[str], extra: Iterable[str] = ()) -> tuple:
    """What a change would alter: every manifest's path, size and mtime below
    `paths` (hidden folders left out, as the loader does, and sites svcdocs
    built), and `extra` files."""
    found = []
    for path in paths:
        if os.path.isdir(path):
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                                 and not os.path.isfile(os.path.join(folder, d, SITE_MARKER)))
                found += [os.path.join(folder, f) for f in sorted(files) if f.endswith(MANIFEST_SUFFIXES)]
        else:
            found.append(path)
    return tuple(_stat(p) for p in (*found, *extra))


def _stat(path: str) -> tuple:
    try:
        st = os.stat(path)
    except OSError:
        return (path, None, None)
    return (path, st.st_size, st.st_mtime_ns)


def watch(rebuild: Callable[[], None], paths: tuple[str, ...], extra: tuple[str, ...] = (),
          stop: threading.Event | None = None) -> None:
    """Call `rebuild` whenever the inputs change, until `stop` is set."""
    stop = stop or threading.Event()
    last = snapshot(paths, extra)
    while not stop.wait(POLL_SECONDS):
        current = snapshot(paths, extra)
        if current != last:
            time.sleep(0.2)  # let an editor finish writing
            last = snapshot(paths, extra)
            rebuild()
