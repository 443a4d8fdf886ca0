#!/usr/bin/env bash
# replay.sh DIR NAME... - the CTest test fuzz/replay: runs DIR/replay_<NAME>
# over fuzz/corpus/<NAME>/ and, when it exists, tests/data/fuzz-regressions/<NAME>/.
# Fails when a program is missing, a corpus is empty or an input crashes.
set -u
cd "${EH_SOURCE_DIR:-$(dirname "$0")/..}" || exit 1
dir=$1
shift
status=0
for t in "$@"; do
  inputs=("fuzz/corpus/$t")
  [ -d "tests/data/fuzz-regressions/$t" ] && inputs+=("tests/data/fuzz-regressions/$t")
  if "$dir/replay_$t" "${inputs[@]}"; then
    echo "ok   $t"
  else
    echo "FAIL $t (exit $?)"
    status=1
  fi
done
exit $status
