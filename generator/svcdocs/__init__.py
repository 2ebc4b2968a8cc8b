"""svcdocs: document the architecture that Kubernetes manifests describe."""

from importlib import metadata

try:  # the version comes from the git tag it was built from (hatch-vcs), through the installed metadata
    __version__ = metadata.version("svcdocs")
except metadata.PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0.0.0+unknown"
