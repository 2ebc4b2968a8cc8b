"""PATH arguments as of a git revision: the BASE of `svcdocs diff --git REV`.

BASE is read exactly as HEAD is, by the same discovery: the revision's tree is
written to a temporary folder where it sits as the working tree does (the
repository's top at its own path below that folder, the working directory
too, so that every PATH, relative or absolute, names the same place), marked
as a work tree of the same repository (a `.git` folder with the revision's
index that names the repository's common git folder, as `git worktree` does,
so that the repository's root and remotes are the same and git lists the
revision's tracked files), and the PATHs are discovered there: kustomizations that reach
outside a PATH, GitOps pointers, charts and plain folders alike. A PATH that
did not exist at the revision is an empty folder (or file) there: everything
in it is new. Labels are then shown as in the working tree.

The tree comes from git objects (`git ls-tree`, one `git cat-file --batch`),
byte for byte: no attributes (`export-ignore` would leave files out), no
filters, no hooks; the working tree and the index are never touched. When git
fails, its own message is said.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from typing import IO, Any, Iterable, Iterator

from svcdocs.errors import SvcdocsError
from svcdocs.load.environments import EnvironmentOptions, Environments, discover_environments
from svcdocs.load.exclude import Excludes
from svcdocs.load.discovery_renders import NotRendered
from svcdocs.load.sources import STDIN, Rendering
from svcdocs.load.yamldocs import in_hand

GIT_TIMEOUT_S = 300
LINK_MODE = "120000"
EXECUTABLE_MODE = "100755"
ABSENT = "absent"  # the rendering of a PATH that did not exist at the revision


@dataclass(frozen=True)
class Repository:
    """The git work tree that holds the PATHs."""

    top: str  # its real path
    git_dir: str  # absolute

    def run(self, argv: list[str], stdin: bytes | None = None) -> bytes:
        try:
            found = subprocess.run(["git", "-C", self.top, *argv], input=stdin, capture_output=True,
                                   timeout=GIT_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise SvcdocsError(f"git {argv[0]} did not finish in {GIT_TIMEOUT_S} s") from None
        if found.returncode != 0:
            raise SvcdocsError(f"git {argv[0]} failed: {_git_error(found.stderr, found.returncode)}")
        return found.stdout

    def commit(self, rev: str) -> str:
        found = subprocess.run(["git", "-C", self.top, "rev-parse", "--verify", "--quiet", "--end-of-options",
                                f"{rev}^{{commit}}"], capture_output=True, timeout=GIT_TIMEOUT_S, check=False)
        if found.returncode != 0:
            if found.stderr.strip():  # --quiet leaves only what is not about the revision
                raise SvcdocsError(f"{rev}: git rev-parse failed: {_git_error(found.stderr, found.returncode)}")
            raise SvcdocsError(f"{rev}: not a revision of this git repository (try `git log` for one)")
        return found.stdout.decode().strip()

    def ignored(self) -> tuple[str, ...]:
        """The untracked files and folders git ignores (`.venv/`, `node_modules/`),
        from the top: no commit holds them, so no pull request changes them."""
        found = self.run(["ls-files", "--others", "--ignored", "--exclude-standard", "--directory", "-z"])
        return tuple(p.rstrip("/") for p in found.decode("utf-8", "surrogateescape").split("\0") if p.strip("/"))

    def relative(self, path: str) -> str | None:
        """`path` from the top, with `/` ("" for the top), or None outside it."""
        relative = os.path.relpath(os.path.realpath(path), self.top)
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            return None
        return "" if relative == os.curdir else relative.replace(os.sep, "/")


def repository_of(paths: Iterable[str]) -> Repository:
    """The one repository holding every PATH (`.` by default), wherever the
    working directory is."""
    found: dict[str, Repository] = {}
    for path in tuple(paths) or (".",):
        if path == STDIN:
            raise SvcdocsError("--git reads PATHs from the repository; it cannot read stdin (-)")
        repository = _repository_at(path)
        found.setdefault(repository.top, repository)
    if len(found) > 1:
        raise SvcdocsError("--git reads PATHs from one git repository; these are in " + ", ".join(sorted(found)))
    return next(iter(found.values()))


def _repository_at(path: str) -> Repository:
    folder = os.path.abspath(path)
    while not os.path.isdir(folder) and os.path.dirname(folder) != folder:
        folder = os.path.dirname(folder)  # a file, or a PATH that only the revision has
    try:
        found = subprocess.run(["git", "-C", folder, "rev-parse", "--show-toplevel", "--absolute-git-dir"],
                               capture_output=True, timeout=GIT_TIMEOUT_S, check=False)
    except OSError:
        raise SvcdocsError("--git needs git, which is not on PATH") from None
    if found.returncode != 0:
        error = _git_error(found.stderr, found.returncode)
        if "not a git repository" in error.lower():
            raise SvcdocsError(f"--git needs a git repository, and {path} is not in one")
        raise SvcdocsError(f"--git: git rev-parse failed in {folder}: {error}")
    top, git_dir = found.stdout.decode("utf-8", "surrogateescape").splitlines()[:2]
    return Repository(os.path.realpath(top), git_dir)


def environments_at(rev: str, paths: Iterable[str], options: EnvironmentOptions = EnvironmentOptions(),
                    repository: Repository | None = None) -> Environments:
    """The environments of PATHs (default `.`) as of `rev`, discovered as the
    working tree's are."""
    paths = tuple(paths) or (".",)
    repository = repository or repository_of(paths)
    commit = repository.commit(rev)
    cwd = os.path.realpath(os.getcwd())
    with tempfile.TemporaryDirectory(prefix="svcdocs-git-") as scratch:
        scratch = os.path.realpath(scratch)
        top = _beneath(scratch, repository.top)
        export(repository, commit, top)
        here = _beneath(scratch, cwd)
        os.makedirs(here, exist_ok=True)
        mapped, absent = _mapped(paths, scratch, here)
        os.chdir(here)
        try:
            found = _in_memory(discover_environments(mapped, options=_named_beneath(
                _excludes_beneath(options, scratch), scratch)))
        except SvcdocsError as e:  # BASE cannot be read: said, never taken as empty
            found = Environments((), discovered=False, not_rendered=(
                NotRendered(" ".join(paths), "revision", " ".join(paths), 1, str(e).replace(scratch, "")),))
        finally:
            os.chdir(cwd)
    found = _shown(found, scratch)
    renderings = tuple(Rendering(path, ABSENT) if path in absent else r
                       for path, r in zip(paths, found.renderings)) if found.renderings else ()
    return dataclasses.replace(found, renderings=renderings,
                               not_rendered=found.not_rendered + _refused(found, renderings))


def _refused(found: Environments, renderings: tuple[Rendering, ...]) -> tuple[NotRendered, ...]:
    """The PATHs that a render refused, read as before (one set of sources):
    what discovery says of an environment it could not render."""
    modes = {f"{r.path} ({'helm template' if r.mode == 'helm' else r.mode})": r for r in renderings}
    return tuple(NotRendered(modes[s.label].path, "chart" if modes[s.label].mode == "helm" else "kustomization",
                             s.problems[0].file, s.problems[0].line, s.problems[0].reason)
                 for e in found.environments for s in e.sources
                 if s.problems and s.data is None and s.label in modes)


def file_at(repository: Repository, commit: str, path: str) -> tuple[bool, bytes | None]:
    """Whether the file `path` lies in `repository`, and its bytes as of
    `commit` (None when it did not exist then)."""
    relative = repository.relative(os.path.join(os.path.realpath(os.path.dirname(os.path.abspath(path))),
                                                os.path.basename(path)))
    if not relative:
        return False, None
    entries = _tree(repository, commit, relative)
    if len(entries) != 1 or entries[0][0] == LINK_MODE:
        return True, None
    return True, list(_blobs(repository, [entries[0][1]]))[0]


def export(repository: Repository, commit: str, into: str) -> None:
    """Write the tree of `commit` into the folder `into` (files, executables
    and links as git stores them; submodules are left out, as a checkout
    without them leaves them), and mark it a work tree of `repository`."""
    entries = [(mode, sha, name) for mode, sha, name in _tree(repository, commit, "") if _safe(name)]
    os.makedirs(into, exist_ok=True)
    made: set[str] = set()
    for (mode, _, name), data in zip(entries, _blobs(repository, [sha for _, sha, _ in entries])):
        path = os.path.join(into, *name.split("/"))
        folder = os.path.dirname(path)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        if mode == LINK_MODE:
            os.symlink(data.decode("utf-8", "surrogateescape"), path)
            continue
        with open(path, "wb") as f:
            f.write(data)
        if mode == EXECUTABLE_MODE:
            os.chmod(path, 0o755)
    _mark(repository, commit, into)


def _mark(repository: Repository, commit: str, into: str) -> None:
    """Make `into` a work tree of `repository` at `commit`, as `git worktree`
    does but unregistered: its own `.git` folder holds the revision's index
    and names the repository's common folder (objects, refs, config and
    remotes). git in the export then lists the revision's tracked files (what
    kustomize may read, load/staged.py), not the checkout's; the checkout's
    index, refs and work trees are never touched."""
    common = os.path.join(repository.top, repository.run(["rev-parse", "--git-common-dir"]).decode().strip())
    own = os.path.join(into, ".git")
    os.makedirs(own)
    with open(os.path.join(own, "commondir"), "w", encoding="utf-8") as f:
        f.write(os.path.realpath(common) + "\n")
    with open(os.path.join(own, "HEAD"), "w", encoding="utf-8") as f:
        f.write(commit + "\n")
    env = {k: v for k, v in os.environ.items() if k != "GIT_INDEX_FILE"}  # a hook's index is not this one
    env.update(GIT_DIR=own, GIT_WORK_TREE=into)
    try:
        made = subprocess.run(["git", "read-tree", commit], env=env, capture_output=True, timeout=GIT_TIMEOUT_S,
                              check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise SvcdocsError(f"git read-tree did not finish in {GIT_TIMEOUT_S} s") from None
    if made.returncode != 0:
        raise SvcdocsError(f"git read-tree failed: {_git_error(made.stderr, made.returncode)}")


def _excludes_beneath(options: EnvironmentOptions, scratch: str) -> EnvironmentOptions:
    """The same options, with what the user leaves out starting from the same
    folders below `scratch` (excludes are anchored at absolute folders)."""
    render = options.render
    if render is None or not render.exclude:
        return options
    exclude = Excludes(tuple((_beneath(scratch, base), glob) for base, glob in render.exclude.patterns))
    return dataclasses.replace(options, render=dataclasses.replace(render, exclude=exclude))


def _named_beneath(options: EnvironmentOptions, scratch: str) -> EnvironmentOptions:
    """The same options, with an absolute --env path read in the export (a
    relative one already is: the working directory is)."""
    named = tuple((name, _beneath(scratch, path) if os.path.isabs(path) else path) for name, path in options.named)
    return dataclasses.replace(options, named=named) if named != options.named else options


def _safe(name: str) -> bool:
    """A path git could check out: no `..`, `.git` or empty part, not absolute."""
    parts = name.split("/")
    return all(p not in ("", ".", "..") and p.lower() != ".git" for p in parts)


def _beneath(scratch: str, path: str) -> str:
    """Where the absolute `path` sits below `scratch`."""
    return os.path.join(scratch, os.path.realpath(path).lstrip(os.sep))


def _mapped(paths: tuple[str, ...], scratch: str, here: str) -> tuple[tuple[str, ...], set[str]]:
    """Each PATH as it is named from `here` (the working directory beneath
    `scratch`), and those that the revision does not have, made there empty."""
    mapped, absent = [], set()
    for path in paths:
        place = _beneath(scratch, path)
        named = path if os.path.normpath(os.path.join(here, path)) == place else place
        if not os.path.lexists(place):
            absent.add(path)
            if os.path.isdir(path):
                os.makedirs(place)
            else:
                os.makedirs(os.path.dirname(place), exist_ok=True)
                open(place, "wb").close()
        mapped.append(named)
    return tuple(mapped), absent


def _in_memory(found: Environments) -> Environments:
    """Every file source read now, as the model would read it: the export goes away."""
    return dataclasses.replace(found, environments=tuple(
        dataclasses.replace(e, sources=tuple(in_hand(s) for s in e.sources)) for e in found.environments))


def _shown(value: Any, scratch: str) -> Any:
    """`value` with the temporary folder taken out of every text in it: paths
    of the export read as the working tree's."""
    if isinstance(value, str):
        return value.replace(scratch, "") if scratch in value else value
    if isinstance(value, tuple):
        return tuple(_shown(v, scratch) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _shown(getattr(value, f.name), scratch) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    return value


def _tree(repository: Repository, commit: str, inside: str) -> list[tuple[str, str, str]]:
    """(mode, object name, path from the top) of every file blob and link under `inside`."""
    out = repository.run(["ls-tree", "-r", "-z", "--full-tree", commit, *(["--", inside] if inside else [])])
    entries = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, name = record.split(b"\t", 1)
        mode, kind, sha = meta.decode().split()
        if kind == "blob":
            entries.append((mode, sha, name.decode("utf-8", "surrogateescape")))
    return entries


def _blobs(repository: Repository, shas: list[str]) -> Iterator[bytes]:
    """Every blob's bytes, in order, streamed from one `git cat-file --batch`."""
    if not shas:
        return
    process = subprocess.Popen(["git", "-C", repository.top, "cat-file", "--batch"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    feeder = threading.Thread(target=_feed, args=(process.stdin, shas), daemon=True)
    feeder.start()
    try:
        for _ in shas:
            header = process.stdout.readline().split()
            if len(header) != 3:
                break
            data = _read(process.stdout, int(header[2]))
            process.stdout.read(1)  # the newline after each object
            yield data
        else:
            return
    finally:
        process.stdout.close()
        feeder.join(timeout=GIT_TIMEOUT_S)
        error = process.stderr.read()
        process.stderr.close()
        code = process.wait(timeout=GIT_TIMEOUT_S)
    raise SvcdocsError(f"git cat-file failed: {_git_error(error, code) if error or code else 'an object is missing'}")


def _feed(stream: IO[bytes], shas: list[str]) -> None:
    try:
        stream.write("".join(f"{s}\n" for s in shas).encode())
    except BrokenPipeError:
        pass
    finally:
        try:
            stream.close()
        except BrokenPipeError:
            pass


def _read(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise SvcdocsError("git cat-file failed: its output ended early")
    return data


def _git_error(stderr: bytes, returncode: int) -> str:
    """git's own message: its last line that says something."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return (fatal or lines or [f"exit status {returncode}"])[-1]
