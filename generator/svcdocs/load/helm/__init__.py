"""Helm as GitOps repositories use it.

- `chart`: what one release is (`HelmChart`): where its chart comes from and
  its values, as a Flux HelmRelease (`flux`), an Argo CD Application
  (`argo`) or a chart folder says.
- `names`: what may reach helm's command line (release names as Helm
  checks them, chart references, URLs, versions).
- `values`: values as the controllers compute them, read under limits.
- `substitute`: Flux post-build substitution.
- `fetch`: charts from chart repositories and OCI registries, through the
  chart cache (`state.charts`); `--offline` reads the cache only.
- `render`: `helm template` of one release, put together in a private folder.
- `origins`: where a rendered object comes from (its template).
- `inventory`: the releases of an environment, as the site lists them.
"""
