#!/usr/bin/env bash
# run.sh BUILD_DIR SECONDS [NAME...] - `make fuzz`: runs each libFuzzer target.
#
# Each target BUILD_DIR/fuzz/fuzz_<NAME> (default: every fuzz/fuzz_*.c) runs
# for SECONDS, with the dictionary fuzz/<NAME>.dict if there is one (JSON
# member names, from fuzz/make-corpus.py), on a fresh copy of fuzz/corpus/<NAME>/ in
# BUILD_DIR/fuzz-work/<NAME>/, so the inputs libFuzzer adds never land in the
# repository; its log is kept there too. An input that crashes, leaks, hangs
# (over 10 s) or runs out of memory is copied to
# tests/data/fuzz-regressions/<NAME>/, where the CTest test fuzz/replay runs it
# in every build: fix the bug, commit the input. Prints per target the runs,
# coverage (cov: edges, ft: features) and corpus size libFuzzer reached;
# exits 1 if any target failed.
set -u
cd "$(dirname "$0")/.." || exit 1
if [ $# -lt 2 ]; then
  echo "usage: fuzz/run.sh BUILD_DIR SECONDS [NAME...]" >&2
  exit 2
fi
build=$1
seconds=$2
shift 2
if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in fuzz/fuzz_*.c; do
    t=${f#fuzz/fuzz_}
    targets+=("${t%.c}")
  done
fi

status=0
summary=()
for t in "${targets[@]}"; do
  prog=$build/fuzz/fuzz_$t
  work=$build/fuzz-work/$t
  if [ ! -x "$prog" ]; then
    echo "fuzz: $prog is missing (configure with CC=clang -DEH_FUZZ=ON)" >&2
    exit 2
  fi
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp fuzz/corpus/"$t"/* "$work/corpus/"
  dict=()
  [ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
  echo "fuzz: $t for ${seconds} s (log: $work/log)"
  "$prog" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    "${dict[@]}" -artifact_prefix="$work/artifacts/" "$work/corpus" > "$work/log" 2>&1
  rc=$?
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -1)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
  cov=$(sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\) corp: \([^ ]*\).*/cov \1, ft \2, corpus \3/p' \
    <<< "$done_line")
  if [ $rc -eq 0 ]; then
    summary+=("$(printf '%-14s ok    %10s runs  %s' "$t" "${runs:-?}" "$cov")")
    continue
  fi
  status=1
  grep -E 'ERROR: |SUMMARY: |invariant broken|ALARM|out-of-memory' "$work/log" | head -5
  saved=""
  for a in "$work"/artifacts/*; do
    [ -f "$a" ] || continue
    mkdir -p "tests/data/fuzz-regressions/$t"
    cp "$a" "tests/data/fuzz-regressions/$t/"
    saved="$saved tests/data/fuzz-regressions/$t/$(basename "$a")"
  done
  summary+=("$(printf '%-14s FAIL  exit %d; input saved:%s' "$t" "$rc" "${saved:- none}")")
done
echo
printf '%s\n' "${summary[@]}"
exit $status
