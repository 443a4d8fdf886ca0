#!/usr/bin/env bash
# Regenerates the committed baselines ON PURPOSE:
#   reference.json   every scenario against the reference builds;
#   socat-fork.json  the server suite (tag server) against socat with EXEC:cat;
#   socat-pipe.json  the server suite against socat with PIPE, less the two
#                    scenarios socat.bash explains.
# Each keeps what `echoharness diff` compares (names, verdicts, reasons,
# checks) and the other fields every result has, without event logs, output
# and wire analysis, so the committed file stays small and still a valid
# report.json (reports/schema/report.schema.json).
set -euo pipefail
cd "$(dirname "$0")/../.."
. reports/baselines/socat.bash
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# baseline NAME RUN-ARGS...: runs echoharness and keeps reports/baselines/NAME.json.
baseline() {
  local name=$1
  shift
  build/bin/echoharness run -q --report-dir "$out/$name" "$@" > /dev/null || true
  python3 - "$out/$name/report.json" "reports/baselines/$name.json" <<'PY'
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
  echo "wrote reports/baselines/$name.json"
}

baseline reference scenarios
baseline socat-fork -j 2 --tag server --server-cmd "$SOCAT_FORK" scenarios
# shellcheck disable=SC2046 # one word per file
baseline socat-pipe -j 2 --server-cmd "$SOCAT_PIPE" $(socat_pipe_files)
