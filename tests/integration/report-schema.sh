#!/usr/bin/env bash
# report.json follows reports/schema/report.schema.json: the schema is valid
# JSON Schema (draft 2020-12), the reports of a reference run (network
# conditions included), a --repeat run, a run against a faulty build and a
# run against a server under test (not served and not applicable) validate,
# as do the committed baseline and the wire analysis of every golden capture;
# a report with a wrong type, an unknown key, an unknown verdict or another
# schema_version does not; and diff reads reports with and without
# schema_version. Exit 77 (CTest: skipped) without python3-jsonschema.
. "$(dirname "$0")/lib.bash"
py=$(schema_python) || { echo "SKIP: python3-jsonschema is not installed (make test-deps installs it)"; exit 77; }
validate() { "$py" tests/integration/validate-report.py "$@"; }

"$EH" run -q -j 2 --report-dir "$WORK/ref" scenarios > /dev/null 2>&1
"$EH" run -q --repeat 3 --filter recv1-partial-echo --report-dir "$WORK/repeat" scenarios > /dev/null 2>&1
"$EH" run -q --server-program faulty-server-corrupt --report-dir "$WORK/faulty" scenarios > /dev/null 2>&1
# A TCP/IPv4 server under test: the UDP and IPv6 scenarios are not served (SKIP).
"$EH" run -q -j 2 --server-cmd "$BIN/echo-server --port {port}" --report-dir "$WORK/cmd" scenarios > /dev/null 2>&1
for r in ref repeat faulty cmd; do
  if out=$(validate "$WORK/$r/report.json" 2>&1); then ok "$r run: report.json is valid"
  else bad "$r run: report.json is not valid:"; echo "$out"; fi
done
v=$(json "$WORK/ref/report.json" "d['schema_version']")
[ "$v" = 6 ] && ok "report.json carries schema_version 6" || bad "schema_version is $v"
verdicts=$(json "$WORK/faulty/report.json" "' '.join(sorted(set(s['verdict'] for s in d['scenarios'])))")
case "$verdicts" in *FAIL*) ok "the faulty run's FAIL results were checked ($verdicts)" ;; *) bad "the faulty run has no FAIL: $verdicts" ;; esac
skips=$(json "$WORK/cmd/report.json" "sum(1 for s in d['scenarios'] if s['verdict'] == 'SKIP' and 'not_served' in s)")
na=$(json "$WORK/cmd/report.json" "len(d.get('not_applicable', []))")
[ "$skips" -gt 0 ] && [ "$na" -gt 0 ] && ok "the --server-cmd run's not served SKIP results ($skips) and not_applicable ($na) were checked" \
  || bad "the --server-cmd run: $skips not served, $na not applicable"
reps=$(json "$WORK/repeat/report.json" "d['scenarios'][0]['repeat']['runs']")
[ "$reps" = 3 ] && ok "the --repeat run's repeat object was checked" || bad "repeat.runs is $reps"

if out=$(validate reports/baselines/reference.json 2>&1); then ok "the committed baseline is valid"
else bad "reports/baselines/reference.json is not valid:"; echo "$out"; fi

golden=(tests/data/real-*/expected.json tests/data/crafted/*/expected.json)
if out=$(validate --wire "${golden[@]}" 2>&1); then ok "${#golden[@]} golden wire analyses valid against \$defs/wire"
else bad "golden wire analyses not valid:"; echo "$out"; fi
"$EH" analyze --json tests/data/real-udp/input.pcap > "$WORK/analyze.json"
if out=$(validate --wire "$WORK/analyze.json" 2>&1); then ok "analyze --json is valid against \$defs/wire"
else bad "analyze --json is not valid:"; echo "$out"; fi

# rejects NAME PYTHON-STATEMENT EXPECTED-TEXT: a copy of the reference report,
# changed by the statement (over `d`), is rejected with EXPECTED-TEXT.
mkdir -p "$WORK/broken"
rejects() {
  local f=$WORK/broken/$1.json out status
  "$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); exec(sys.argv[2]); json.dump(d, open(sys.argv[3], "w"))' \
    "$WORK/ref/report.json" "$2" "$f"
  out=$(validate "$f" 2>&1); status=$?
  if [ $status -eq 1 ] && grep -qF -- "$3" <<< "$out"; then ok "rejects $1: $(head -1 <<< "$out")"
  else bad "$1: expected exit 1 and '$3', got $status: $out"; fi
}
rejects wrong-type "d['duration_ms'] = '12'" "\$.duration_ms: '12' is not of type 'integer'"
rejects unknown-key "d['colour'] = 'blue'" "'colour' was unexpected"
rejects unknown-result-key "d['scenarios'][0]['notes'] = ''" "\$.scenarios[0]: Additional properties are not allowed ('notes'"
rejects unknown-verdict "d['scenarios'][1]['verdict'] = 'MAYBE'" "\$.scenarios[1].verdict: 'MAYBE' is not one of"
rejects wrong-check-type "d['scenarios'][0]['checks'][0]['reason'] = 3" "\$.scenarios[0].checks[0].reason: 3 is not of type 'string'"
rejects wrong-wire-type "d['scenarios'][0]['wire']['tcp'][0]['c2s']['bytes'] = -1" "\$.scenarios[0].wire.tcp[0].c2s.bytes: -1 is less than the minimum of 0"
rejects missing-version "del d['schema_version']" "'schema_version' is a required property"
rejects other-version "d['schema_version'] = 5" "\$.schema_version: 6 was expected"
echo '{"tool": "echoharness",' > "$WORK/broken/truncated.json"
validate "$WORK/broken/truncated.json" > /dev/null 2>&1
[ $? -eq 2 ] && ok "a file that is not JSON: exit 2" || bad "a file that is not JSON did not exit 2"

# diff reads reports written before schema_version existed, in either order.
"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["schema_version"]; json.dump(d, open(sys.argv[2], "w"))' \
  "$WORK/ref/report.json" "$WORK/broken/unversioned.json"
"$EH" diff "$WORK/broken/unversioned.json" "$WORK/ref/report.json" > "$WORK/diff1" 2>&1 \
  && "$EH" diff "$WORK/ref/report.json" "$WORK/broken/unversioned.json" > "$WORK/diff2" 2>&1 \
  && ok "diff reads reports with and without schema_version" \
  || { bad "diff of an unversioned and a versioned report failed"; cat "$WORK/diff1" "$WORK/diff2"; }
finish
