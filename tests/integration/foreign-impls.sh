#!/usr/bin/env bash
# The scenarios judge echo implementations nobody on this project wrote, in
# Node.js, Perl and Python, run as a user runs them (--server-cmd,
# --client-cmd): the correct ones pass every scenario that applies, and each
# buggy one fails the scenario of the rule it breaks, for a reason that names
# it. The rows are tests/integration/foreign/expect.tsv (its header gives the
# columns; foreign/README.md says what each program does wrong). Each row is
# one run of echoharness with -j 2 over the scenarios it selects. The
# programs run from a copy in the test's own folder, so that the check that
# none outlived its run sees only this run's processes, whatever else runs
# on the machine (another checkout's tests, say).
. "$(dirname "$0")/lib.bash"
# node is not among the packages make test-deps installs: say so plainly.
command -v node > /dev/null || skip "node not installed (Debian package nodejs): the Node.js implementations cannot run"
need perl perl
need xmllint libxml2-utils

table=tests/integration/foreign/expect.tsv
cp -r tests/integration/foreign "$WORK/foreign"
rows=0
while IFS=$'\t' read -r role cmd select verdict reason; do
  case $role in '#'* | '') continue ;; esac
  rows=$((rows + 1))
  case $role in
    server | client) ;;
    *) bad "$table: row $rows: role '$role' is neither server nor client"; continue ;;
  esac
  sel=()
  if [[ $select == tag=* ]]; then
    IFS=, read -ra tags <<< "${select#tag=}"
    for t in "${tags[@]}"; do sel+=(--tag "$t"); done
  elif [ "$select" != '*' ]; then
    sel=(--filter "$select")
  fi
  cmd=${cmd//tests\/integration\/foreign\//$WORK\/foreign\/}
  prog=${cmd#* }
  prog=${prog%% *}
  name=$(basename "${prog%.*}")
  label="$name ($select)"
  out=$WORK/row$rows
  "$EH" run -q -j 2 "${sel[@]}" --name "$name" --report-dir "$out" "--$role-cmd" "$cmd" scenarios \
    > "$out.stdout" 2>&1
  status=$?
  want=1
  [ "$verdict" = PASS ] || [ "$verdict" = SKIP ] && want=0
  if [ $status -ne $want ] || [ ! -f "$out/report.json" ]; then
    bad "$label: expected exit $want, got $status"
    tail -5 "$out.stdout"
    continue
  fi
  # Every scenario that ran must have the verdict and the reason: one line
  # per scenario that does not, and the count of those that do.
  check=$(python3 - "$out/report.json" "$verdict" "$reason" << 'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
verdict, reason = sys.argv[2], sys.argv[3]
good = 0
for s in d["scenarios"]:
    if s["verdict"] == verdict and (reason == "-" or reason in s["reason"]):
        good += 1
    else:
        print(f"  {s['name']}: {s['verdict']}: {s['reason']}")
print(good)
EOF
  )
  n=${check##*$'\n'}
  because=
  [ "$reason" = - ] || because=", reason contains \"$reason\""
  if [ "$n" = "$check" ] && [ "$n" -gt 0 ]; then
    ok "$label: $n scenario(s) $verdict$because"
  else
    bad "$label: expected $verdict$because from every scenario selected, got:"
    printf '%s\n' "${check%$'\n'*}"
  fi
done < "$table"
[ "$rows" -ge 17 ] && ok "$table: $rows rows" || bad "$table: only $rows rows"
leftover=$(leftovers "$WORK/foreign/")
[ -z "$leftover" ] && ok "no implementation outlived its run" || bad "left running: $leftover"
finish
