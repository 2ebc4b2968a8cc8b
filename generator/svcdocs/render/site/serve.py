"""`svcdocs serve`: build, serve the site on 127.0.0.1, rebuild when an input changes.

The server answers from the output folder by its path, so a rebuild that
swaps the folder is served from the next request on; it never follows a link
(a path through one is not found), and it answers only requests addressed to
`127.0.0.1:PORT` or `localhost:PORT` (a page of another site cannot reach it
by DNS rebinding). Changes are found by polling the inputs' names, sizes and
modification times once a second.
"""

from __future__ import annotations

import functools
import http.server
import os
import stat
import threading
import time
from pathlib import Path
from typing import Callable, Iterable

from svcdocs.errors import SvcdocsError
from svcdocs.load.sources import MANIFEST_SUFFIXES

POLL_SECONDS = 1.0


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # one line per request is noise here
        pass

    def send_head(self):
        if not local_host(self.headers.get("Host"), self.server.server_address[1]):
            # DNS rebinding: a page of another site, its name now resolving to
            # 127.0.0.1, would read the preview with the browser's own requests
            self.send_error(421, "Misdirected Request")
            return None
        if not no_link_on_the_way(self.directory, self.translate_path(self.path)):
            self.send_error(404, "File not found")
            return None
        return super().send_head()


def local_host(host: str | None, port: int) -> bool:
    """Whether a request's Host header names this server as the user's
    browser does: `127.0.0.1:PORT` or `localhost:PORT`."""
    return host is not None and host.strip().lower() in (f"127.0.0.1:{port}", f"localhost:{port}")


def no_link_on_the_way(root: str, path: str) -> bool:
    """Whether `path` is `root` or below it, with no link from `root` down to it."""
    relative = os.path.relpath(path, root)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep) or os.path.isabs(relative):
        return False
    current = root
    for part in ([] if relative == os.curdir else relative.split(os.sep)):
        current = os.path.join(current, part)
        try:
            if stat.S_ISLNK(os.lstat(current).st_mode):
                return False
        except OSError:
            return True  # not there: the handler answers 404 itself
    return True


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
    """What a change would alter: the path, size and mtime of every file below
    `paths` that the loader could read (hidden ones too), and `extra` files."""
    found = []
    for path in paths:
        pending = [path] if os.path.isdir(path) else []
        if not pending:
            found.append(path)
        while pending:
            try:
                with os.scandir(pending.pop()) as scan:
                    entries = sorted(scan, key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.name == ".git":
                    continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.name.endswith(MANIFEST_SUFFIXES):
                    found.append(entry.path)
    return tuple(_stat(p) for p in (*found, *extra))


def _stat(path: str) -> tuple:
    try:
        st = os.stat(path)
    except OSError:
        return (path, None, None)
    return (path, st.st_size, st.st_mtime_ns)


def watch(rebuild: Callable[[], None], paths: tuple[str, ...], extra: tuple[str, ...] = (),
          stop: threading.Event | None = None, since: tuple | None = None) -> None:
    """Call `rebuild` whenever the inputs change, until `stop` is set; changes
    since the snapshot `since` (taken before the first build) count too."""
    stop = stop or threading.Event()
    last = since if since is not None else snapshot(paths, extra)
    while not stop.wait(POLL_SECONDS):
        current = snapshot(paths, extra)
        if current != last:
            time.sleep(0.2)  # let an editor finish writing
            last = snapshot(paths, extra)
            rebuild()
