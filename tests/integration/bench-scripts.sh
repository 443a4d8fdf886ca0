#!/usr/bin/env bash
# bench-scripts - the three bench/ scripts `make bench` runs still run to
# the end and print their figures, at a small size. Their figures are not
# judged here (a benchmark on a busy machine is no test); that they run is:
# a change to the CLI or the reports broke bench/scenarios once and nothing
# said so until someone ran `make bench`.
source "$(dirname "$0")/lib.bash"
need gcc gcc
need socat socat
need dumpcap tshark
need tshark tshark
need ethtool ethtool
[ -x /usr/bin/time ] || skip "GNU time not installed (Debian package time)"
[ "$(id -u)" = 0 ] || skip "bench/analyze needs root"
export EH_BUILD_DIR=${EH_BIN_DIR:+$(dirname "$EH_BIN_DIR")}
EH_BUILD_DIR=${EH_BUILD_DIR:-$SRC/build}

# run NAME EXPECTED_REGEX... : runs bench/NAME with the arguments before
# "--", then checks that its output has a line matching each regex after it.
run() {
  local name=$1 args=() out=$WORK/$1.out
  shift
  while [ "$1" != -- ]; do args+=("$1"); shift; done
  shift
  if timeout $((300 * ${EH_TIMEOUT_SCALE:-1})) "$SRC/bench/$name" "${args[@]}" > "$out" 2>&1; then
    ok "bench/$name ${args[*]} exits 0"
  else
    bad "bench/$name ${args[*]} exits $?:"
    tail -20 "$out"
    return
  fi
  local re
  for re in "$@"; do
    if grep -Eq "$re" "$out"; then
      ok "bench/$name prints /$re/"
    else
      bad "bench/$name prints no line matching /$re/:"
      tail -20 "$out"
    fi
  done
}

num='[0-9]+(\.[0-9]+)?'
# Every scenario once (the names come from `echoharness list`).
run scenarios --runs 1 --suite-runs 1 -- \
  "^floor .*: $num ms in process" \
  "^basic-echo +$num +$num" \
  "^udp-truncation +$num +$num" \
  "^largest peak RSS: [a-z0-9-]+, $num MiB" \
  "^reference builds: $num s" \
  "^  without them: $num s for [0-9]+ scenarios" \
  "^(PASS|MISS)  basic-echo median at most 10 ms \(in process\): $num ms" \
  "^(PASS|MISS)  basic-echo peak RSS under 20 MiB: $num MiB" \
  "^(PASS|MISS)  suite against a server that keeps running under 3 s"
run analyze --size-mb 2 -- \
  "^echoharness analyze --json +$num s" \
  "^tshark -q -z conv,tcp +$num s" \
  "^(PASS|MISS)  10x faster than tshark"
run load --connections 20 --bytes-per-conn 65536 --chunk-bytes 16384 -- \
  "^reference echo-server --concurrent: $num MiB/s each way" \
  "^socat fork PIPE: +$num MiB/s each way" \
  "^ratio reference / socat: +$num"

finish
