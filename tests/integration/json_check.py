#!/usr/bin/env python3
# tests/integration/json_check.py SCHEMA FILE: every line of FILE is decoded
# as strict UTF-8, parsed as JSON and validated against the JSON Schema
# (python3-jsonschema). Exit 0 all valid, 1 a line is not, 2 no jsonschema.
import json
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed")
    sys.exit(2)

schema = json.load(open(sys.argv[1], encoding="utf-8"))
validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
bad = 0
for n, raw in enumerate(open(sys.argv[2], "rb"), 1):
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        print(f"line {n}: {e}")
        bad += 1
        continue
    for e in validator.iter_errors(doc):
        print(f"line {n}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
        bad += 1
print(f"{n if 'n' in dir() else 0} lines, {bad} errors")
sys.exit(1 if bad else 0)
