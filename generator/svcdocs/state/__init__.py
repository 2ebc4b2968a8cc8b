"""svcdocs's own state on this machine, which nothing in a checkout can stand in for.

A pull request controls every file of the checkout, so svcdocs keeps its state
outside it: the cache folder (`$XDG_CACHE_HOME/svcdocs`, or `SVCDOCS_CACHE_DIR`),
a secret made for this user in that folder, and the proofs made with that
secret (cached diagrams, and the marker of every site svcdocs built). Files
svcdocs writes for the user go through a temporary file beside them, never
through a link. This package is below every stage: it knows files, not
Kubernetes.
"""
