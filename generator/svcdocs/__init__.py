"""svcdocs: document the architecture that Kubernetes manifests describe."""

__version__ = "0.1.0"
