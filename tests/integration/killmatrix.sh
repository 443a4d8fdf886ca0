#!/usr/bin/env bash
# killmatrix.sh - every scenario proven able to fail, 20 times out of 20.
#
# Each row of tests/integration/faulty-cases.tsv (scenario, --server-program,
# --client-program or --client-cmd and its build, verdict, reason text) is run
# with `echoharness run --repeat 20`: each of the 20 runs (report.json's
# repeat.runs_detail) must end with the row's verdict and a reason holding its
# text. Every scenario is also run 20 times against the reference builds and
# must PASS 20 of 20. Scenarios tagged load are opt-in (a folder run leaves them
# out, and one run takes 10 to 20 s): faulty.sh and load.sh run them once,
# and the matrix lists them without repeating them. Every scenarios/*.json
# must have a row, and the table in
# scenarios/README.md ("The kill matrix") must be the file, row for row.
# Prints the matrix: scenario, reference runs, build, runs that failed as
# required.
#
#   killmatrix.sh           the test (CTest label killmatrix)
#   killmatrix.sh --table   prints the README table from the tsv
#
# EH_KILLMATRIX_RUNS (default 20) and EH_KILLMATRIX_JOBS (-j, default 2)
# change the run count and the parallelism, for a quick look by hand.
. "$(dirname "$0")/lib.bash"
TSV=tests/integration/faulty-cases.tsv
RUNS=${EH_KILLMATRIX_RUNS:-20}
JOBS=${EH_KILLMATRIX_JOBS:-2}

# The README table, one row per tsv row.
table() {
  python3 - "$TSV" <<'PY'
import sys
print("| scenario | run with | verdict | the reason contains |")
print("|---|---|---|---|")
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        continue
    scenario, option, build, verdict, reason = line.split("\t")
    print("| `%s` | `%s %s` | %s | %s |" % (scenario, option, build, verdict, reason))
PY
}

if [ "${1:-}" = --table ]; then
  table
  exit 0
fi
need xmllint libxml2-utils

# The README's table agrees with the tsv.
sed -n '/^<!-- kill-matrix: begin/,/^<!-- kill-matrix: end/p' scenarios/README.md \
  | grep '^|' > "$WORK/readme-table"
table > "$WORK/tsv-table"
if diff -u "$WORK/tsv-table" "$WORK/readme-table" > "$WORK/table.diff"; then
  ok "scenarios/README.md's kill matrix is $TSV, row for row ($(($(wc -l < "$WORK/tsv-table") - 2)) rows)"
else
  bad "scenarios/README.md's kill matrix differs from $TSV (regenerate it with killmatrix.sh --table):"
  cat "$WORK/table.diff"
fi

# The opt-in scenarios (tag load), left out of the repeated runs.
declare -A optin
while read -r name; do optin[$name]=1; done < <(python3 -c '
import glob, json, os
for f in sorted(glob.glob("scenarios/*.json")):
    if "load" in json.load(open(f)).get("tags", []):
        print(os.path.basename(f)[:-5])')

# Every scenario has a row.
declare -A has_row
while IFS=$'\t' read -r scenario _; do
  case "$scenario" in ''|'#'*) continue ;; esac
  has_row[$scenario]=1
done < "$TSV"
files=()
for f in scenarios/*.json; do
  name=$(basename "$f" .json)
  [ -n "${has_row[$name]:-}" ] || bad "$name has no row in $TSV"
  [ -n "${optin[$name]:-}" ] || files+=("$f")
done

# counts REPORT SCENARIO VERDICT TEXT: "matching/runs" of the scenario's runs
# whose own verdict is VERDICT and whose reason holds TEXT (any reason if "").
counts() {
  python3 - "$@" <<'PY'
import json, sys
report, name, verdict, text = sys.argv[1:5]
d = json.load(open(report))
s = [s for s in d["scenarios"] if s["name"] == name]
runs = s[0].get("repeat", {}).get("runs_detail", []) if s else []
if s and not runs:  # a single run
    runs = [{"verdict": s[0]["verdict"], "reason": s[0]["reason"]}]
good = [r for r in runs if r["verdict"] == verdict and text in r["reason"]]
bad = [r for r in runs if r not in good]
print("%d/%d" % (len(good), len(runs)))
if bad:
    print("  first other run: %s: %s" % (bad[0]["verdict"], bad[0]["reason"]), file=sys.stderr)
PY
}

t0=$SECONDS
"$EH" run -q -j "$JOBS" --repeat "$RUNS" --report-dir "$WORK/reference" "${files[@]}" > "$WORK/ref.out" 2>&1
ref_s=$((SECONDS - t0))
declare -A ref
for f in "${files[@]}"; do
  name=$(basename "$f" .json)
  ref[$name]=$(counts "$WORK/reference/report.json" "$name" PASS "" 2> "$WORK/why")
  if [ "${ref[$name]}" = "$RUNS/$RUNS" ]; then ok "$name against the reference builds: PASS ${ref[$name]}"
  else bad "$name against the reference builds: PASS ${ref[$name]}, expected $RUNS/$RUNS"; cat "$WORK/why"; fi
done

rows=()
i=0
while IFS=$'\t' read -r scenario option build verdict reason; do
  case "$scenario" in ''|'#'*) continue ;; esac
  i=$((i + 1))
  if [ -n "${optin[$scenario]:-}" ]; then
    rows+=("$scenario"$'\t'"-"$'\t'"$option $build"$'\t'"(opt-in: faulty.sh runs it once)"$'\t'"")
    continue
  fi
  out=$WORK/row$i
  row_t0=$SECONDS
  "$EH" run -q -j "$JOBS" --repeat "$RUNS" --report-dir "$out" "$option" "$build" \
    "scenarios/$scenario.json" > "$out.stdout" 2>&1
  got=$(counts "$out/report.json" "$scenario" "$verdict" "$reason" 2> "$WORK/why")
  rows+=("$scenario"$'\t'"${ref[$scenario]:-?}"$'\t'"$option $build"$'\t'"$verdict $got"$'\t'"$((SECONDS - row_t0)) s")
  if [ "$got" = "$RUNS/$RUNS" ]; then ok "$scenario with $option $build: $verdict $got ($reason)"
  else bad "$scenario with $option $build: $verdict $got, expected $RUNS/$RUNS containing '$reason'"; cat "$WORK/why"; fi
done < "$TSV"
elapsed=$((SECONDS - t0))

echo
echo "kill matrix: $RUNS runs per cell, -j $JOBS, ${elapsed} s (every scenario against the reference builds: ${ref_s} s)"
{
  printf 'scenario\treference PASS\trun with\tas required\ttime\n'
  printf '%s\n' "${rows[@]}"
} | python3 -c '
import sys
rows = [l.rstrip("\n").split("\t") for l in sys.stdin]
widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
for r in rows:
    print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())'
echo
finish
