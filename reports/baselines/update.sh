#!/usr/bin/env bash
# Regenerates reports/baselines/reference.json ON PURPOSE: runs every scenario
# against the reference builds and keeps what `echoharness diff` compares
# (names, verdicts, reasons, checks) and the other fields every result has,
# without event logs, output and wire analysis, so the committed file stays
# small and still a valid report.json (reports/schema/report.schema.json).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
build/bin/echoharness run -q --report-dir "$out" scenarios
python3 - "$out/report.json" reports/baselines/reference.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
keep = ("implementation", "name", "file", "description", "kind", "tags", "verdict", "reason",
        "duration_ms", "checks")
d["scenarios"] = [{k: s[k] for k in keep if k in s} for s in d["scenarios"]]
for s in d["scenarios"]:
    for c in s.get("checks", []):
        c.pop("evidence", None)
with open(sys.argv[2], "w") as f:
    json.dump(d, f, indent=2)
    f.write("\n")
PY
echo "wrote reports/baselines/reference.json"
