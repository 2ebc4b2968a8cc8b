"""svcdocs: document the architecture that Kubernetes manifests describe."""

# Where svcdocs lives: placeholders until the repository is public, kept equal
# to pyproject.toml's [project.urls] by tests/test_docs.py.
REPOSITORY_URL = "https://github.com/svcdocs/svcdocs"
DOCS_URL = "https://svcdocs.github.io/svcdocs/"


def __getattr__(name: str) -> str:
    """`__version__`, looked up when first asked for: the installed metadata
    costs a fifth of the command's imports, and only --version, SARIF and the
    site's marker need it."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import metadata

    try:  # the version comes from the git tag it was built from (hatch-vcs), through the installed metadata
        version = metadata.version("svcdocs")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        version = "0.0.0+unknown"
    globals()["__version__"] = version
    return version
