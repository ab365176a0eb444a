#!/usr/bin/env python3
"""Trim hh's official OpenAPI description to the operations Otklik uses.

Usage: python3 trim_openapi.py FULL_openapi.yml > openapi.yml

The output keeps the chosen operations and every component they reference,
transitively, unchanged. Tests load only the trimmed copy, so nothing at test
time depends on the full file.
"""
import sys

import yaml

KEEP = {
    ("/oauth/token", "post"), ("/oauth/token", "delete"),
    ("/me", "get"),
    ("/resumes/mine", "get"),
    ("/resumes/{resume_id}", "get"),
    ("/resumes/{resume_id}/publish", "post"),
    ("/resumes/{resume_id}/similar_vacancies", "get"),
    ("/vacancies/{vacancy_id}", "get"),
    ("/negotiations", "post"), ("/negotiations", "get"),
    ("/vacancies/blacklisted", "get"),
    ("/vacancies/blacklisted/{vacancy_id}", "put"),
    ("/vacancies/blacklisted/{vacancy_id}", "delete"),
    ("/employers/blacklisted", "get"),
    ("/employers/blacklisted/{employer_id}", "put"),
    ("/employers/blacklisted/{employer_id}", "delete"),
    ("/dictionaries", "get"),
    ("/areas", "get"),
    ("/professional_roles", "get"),
}


def refs(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.startswith("#/components/"):
                kind, rest = v[len("#/components/"):].split("/", 1)
                out.add((kind, rest.split("/", 1)[0]))
            else:
                refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


def main():
    spec = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
    paths = {}
    for path, ops in spec["paths"].items():
        kept = {m: op for m, op in ops.items() if (path, m) in KEEP or m == "parameters"}
        if any(m != "parameters" for m in kept):
            paths[path] = kept
    spec["paths"] = paths
    need, seen = set(), set()
    refs(paths, need)
    comps = spec.get("components", {})
    while need - seen:
        kind, name = (need - seen).pop()
        seen.add((kind, name))
        refs(comps.get(kind, {}).get(name), need)
    trimmed = {}
    for kind, name in sorted(seen):
        if kind == "securitySchemes":
            continue
        trimmed.setdefault(kind, {})[name] = comps[kind][name]
    if "securitySchemes" in comps:
        trimmed["securitySchemes"] = comps["securitySchemes"]
    spec["components"] = trimmed
    spec.pop("tags", None)
    spec.pop("x-tagGroups", None)
    yaml.safe_dump(spec, sys.stdout, allow_unicode=True, sort_keys=False, width=1000)


if __name__ == "__main__":
    main()
