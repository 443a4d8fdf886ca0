#!/usr/bin/env bash
# Each scenario fails, for the expected reason, against at least one faulty
# build: proof that it can fail. Cases: tests/integration/faulty-cases.tsv.
# killmatrix.sh runs each row 20 times.
. "$(dirname "$0")/lib.bash"
need xmllint libxml2-utils

declare -A proven
while IFS=$'\t' read -r scenario option build verdict reason; do
  case "$scenario" in ''|'#'*) continue ;; esac
  out=$WORK/$scenario-$build
  "$EH" run -q --report-dir "$out" "$option" "$build" "scenarios/$scenario.json" > "$WORK/stdout" 2>&1
  status=$?
  got=$(verdict_of "$out" "$scenario" 2>/dev/null)
  why=$(reason_of "$out" "$scenario" 2>/dev/null)
  if [ $status -eq 1 ] && [ "$got" = "$verdict" ] && [[ "$why" == *"$reason"* ]]; then
    ok "$scenario with $build: $got ($reason)"
    proven[$scenario]=1
  else
    bad "$scenario with $build: expected exit 1, $verdict containing '$reason'; got exit $status, $got: $why"
    cat "$WORK/stdout"
  fi
done < "$SRC/tests/integration/faulty-cases.tsv"
for s in scenarios/*.json; do
  name=$(basename "$s" .json)
  if [ -n "${proven[$name]:-}" ]; then ok "$name is proven able to fail"
  else bad "$name has no faulty build that makes it fail"; fi
done
finish
