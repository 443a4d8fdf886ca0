#!/usr/bin/env python3
"""validate-report.py - check report.json files against reports/schema/report.schema.json.

Usage: validate-report.py [--schema FILE] [--wire] FILE...

Validates each FILE (a report.json, or with --wire a document printed by
`echoharness analyze --json`, checked against the schema's $defs/wire) and
prints every error as "FILE: $.json.path: message". The schema itself is
checked first. Exit status: 0 every file valid, 1 at least one invalid,
2 usage error or a file that is not JSON, 77 python3-jsonschema (Debian
package) is not installed.
"""
import json
import os
import sys

MAX_ERRORS = 20  # printed per file

try:
    import jsonschema
except ImportError:
    print("validate-report.py: cannot validate: python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(77)


def json_path(path):
    out = "$"
    for p in path:
        out += "[%d]" % p if isinstance(p, int) else "." + str(p)
    return out


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print("%s: %s" % (path, e), file=sys.stderr)
        sys.exit(2)


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    schema_path = os.path.join(here, "..", "..", "reports", "schema", "report.schema.json")
    wire = False
    files = []
    args = iter(argv)
    for a in args:
        if a == "--schema":
            schema_path = next(args, None)
            if schema_path is None:
                print("validate-report.py: --schema needs a FILE", file=sys.stderr)
                return 2
        elif a == "--wire":
            wire = True
        elif a.startswith("-"):
            print(__doc__.strip().splitlines()[2], file=sys.stderr)
            return 2
        else:
            files.append(a)
    if not files:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    schema = load(schema_path)
    cls = jsonschema.Draft202012Validator
    try:
        cls.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        print("%s: %s: %s" % (schema_path, json_path(e.absolute_path), e.message), file=sys.stderr)
        return 2
    if wire:  # the same $defs, with $defs/wire as the root
        schema = dict(schema, **{"$ref": "#/$defs/wire"})
        for k in ("type", "required", "properties", "additionalProperties"):
            schema.pop(k, None)
    validator = cls(schema)
    invalid = 0
    for path in files:
        errors = sorted(validator.iter_errors(load(path)), key=lambda e: list(map(str, e.absolute_path)))
        if errors:
            invalid += 1
        for e in errors[:MAX_ERRORS]:
            print("%s: %s: %s" % (path, json_path(e.absolute_path), e.message))
        if len(errors) > MAX_ERRORS:
            print("%s: %d more errors" % (path, len(errors) - MAX_ERRORS))
    print("%d of %d files valid against %s" % (len(files) - invalid, len(files),
                                             os.path.relpath(schema_path)))
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
