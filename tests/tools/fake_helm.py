#!/usr/bin/env python3
"""A stand-in for `helm template RELEASE CHART [--repo URL] [--version V]
[--namespace NS] [--values FILE]... [--set K=V]...`: helm is not installed
where the tests run. It renders what the tests need, as helm would:

- a local chart whose templates use only `{{ .Release.Name }}` and
  `{{ .Release.Namespace }}`: its templates with those filled in;
- `podinfo` (from its chart repository): the Service, the Deployment and, when
  the values enable it, the Ingress of stefanprodan/podinfo's chart, with the
  hosts the values files give (merged in order, as helm merges them);
- another local chart: `fake-helm/<folder name>.yaml`, rendered by hand from
  the chart's templates and values (see the comment at the top of each);
- a chart whose dependencies are not in its charts/ folder fails, as helm does;
- anything else fails, as helm fails on a chart it cannot read.
"""

import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv):
    if len(argv) < 3 or argv[0] != "template":
        print("Error: only `helm template RELEASE CHART` is faked", file=sys.stderr)
        return 1
    release, chart = argv[1], argv[2]
    flags, values, namespace = argv[3:], {}, "default"
    for i, flag in enumerate(flags):
        if flag == "--values":
            with open(flags[i + 1], encoding="utf-8") as f:
                values = merge(values, yaml.safe_load(f) or {})
        elif flag == "--namespace":
            namespace = flags[i + 1]
    if "--repo" in flags:
        return podinfo(release, chart, values) if chart == "podinfo" else fail(f"chart {chart} not found")
    with open(os.path.join(chart, "Chart.yaml"), encoding="utf-8") as f:
        missing = [d["name"] for d in (yaml.safe_load(f) or {}).get("dependencies") or []
                   if not os.path.isdir(os.path.join(chart, "charts"))]
    if missing:
        return fail(f"found in Chart.yaml, but missing in charts/ directory: {', '.join(missing)}")
    templates = os.path.join(chart, "templates")
    text = "".join(open(os.path.join(templates, n), encoding="utf-8").read() + "\n---\n"
                   for n in sorted(os.listdir(templates))) if os.path.isdir(templates) else ""
    text = text.replace("{{ .Release.Name }}", release).replace("{{ .Release.Namespace }}", namespace)
    if "{{" not in text:
        sys.stdout.write(text)
        return 0
    rendered = os.path.join(HERE, "fake-helm", os.path.basename(os.path.normpath(chart)) + ".yaml")
    if not os.path.isfile(rendered):
        return fail(f"{chart}: this stand-in cannot render the chart's templates")
    sys.stdout.write(open(rendered, encoding="utf-8").read())
    return 0


def podinfo(release, chart, values):
    ingress = values.get("ingress") or {}
    docs = [
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": release},
         "spec": {"type": "ClusterIP", "selector": {"app.kubernetes.io/name": release},
                  "ports": [{"name": "http", "port": 9898, "targetPort": "http"}]}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": release},
         "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": release}},
                  "template": {"metadata": {"labels": {"app.kubernetes.io/name": release}},
                               "spec": {"containers": [{"name": "podinfo", "image": "ghcr.io/stefanprodan/podinfo",
                                                        "ports": [{"name": "http", "containerPort": 9898}]}]}}}},
    ]
    if ingress.get("enabled"):
        docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": release},
                     "spec": {"ingressClassName": ingress.get("className"), "rules": [
                         {"host": h["host"], "http": {"paths": [{"path": "/", "pathType": "ImplementationSpecific",
                          "backend": {"service": {"name": release, "port": {"number": 9898}}}}]}}
                         for h in ingress.get("hosts") or []]}})
    sys.stdout.write(yaml.safe_dump_all(docs, sort_keys=False))
    return 0


def merge(base, extra):
    merged = dict(base)
    for key, value in extra.items():
        merged[key] = merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def fail(message):
    print(f"Error: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
