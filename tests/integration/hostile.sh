#!/usr/bin/env bash
# Hostile systems under test: each row of tests/integration/hostile-cases.tsv
# is one program that misbehaves on purpose (never listens, never accepts,
# never reads, never writes, crashes, closes its output, floods the socket or
# its output, resets, daemonizes, leaves a child; a client that never
# connects, connects to the wrong port or exits first). For each, echoharness
#  - gives the expected verdict with the expected reason (or one of the
#    allowed pairs, where the outcome depends on the machine's load), and
#    exits 1 (0 for PASS);
#  - finishes within the row's time (the scenario's deadline plus teardown,
#    times EH_TIMEOUT_SCALE) and peak memory;
#  - leaves nothing behind: no process (each case runs its programs through
#    symlinks in a folder of its own, so any process still running from there
#    is the case's, the namespaces' PID 1 included: a namespace lives only as
#    long as a process in it, and the harness pins none otherwise), no
#    temporary file (TMPDIR is the case's own, checked empty afterwards), and
#    no descriptor of its own (EH_DEBUG_FD_REPORT=1: as many open at the end
#    of the run as at its start).
# Under AddressSanitizer (make test-asan sets ASAN_OPTIONS) every memory
# limit is doubled: its shadow memory and quarantine add to what the
# harness itself keeps. Cases run EH_HOSTILE_LANES (default 4) at a time:
# most of them wait out a deadline. After the table: the flooding program's output is kept bounded,
# and a daemon a shell command leaves behind dies with the scenario.
. "$(dirname "$0")/lib.bash"
need xmllint libxml2-utils
need /usr/bin/time time

scale=${EH_TIMEOUT_SCALE:-1}
lanes=${EH_HOSTILE_LANES:-4}
scaled() { python3 -c "import math; print(math.ceil($1 * $scale))"; }

# run_case N BUILD OPTION SCENARIO ISOLATION ENV VERDICT REASON MAX_S MAX_MIB:
# writes its ok/FAIL lines to $WORK/cN/result.
run_case() {
  local n=$1 build=$2 option=$3 scenario=$4 iso=$5 envs=$6 verdict=$7 reason=$8 max_s=$9 max_mib=${10}
  local dir=$WORK/c$n name="$build $option $scenario ($iso)" f
  [ "$envs" = - ] || name="$name with $envs"
  mkdir -p "$dir/bin" "$dir/tmp"
  for f in "$BIN"/*; do ln -s "$f" "$dir/bin/"; done
  local path=scenarios/$scenario.json
  [ -f "$path" ] || path=tests/integration/scenarios/$scenario.json
  local args=(run -q --report-dir "$dir/report" --bin-dir "$dir/bin")
  case $option in
    --server-cmd | --client-cmd) args+=("$option" "$dir/bin/$build --host {host} --port {port}") ;;
    *) args+=("$option" "$build") ;;
  esac
  [ "$iso" = host-loopback ] && args+=(--no-namespaces)
  local env_args=(TMPDIR="$dir/tmp" EH_DEBUG_FD_REPORT=1)
  [ "$envs" = - ] || env_args+=("$envs")
  local limit start status elapsed
  limit=$(scaled "$max_s")
  start=$(date +%s%N)
  env "${env_args[@]}" /usr/bin/time -f '%M' -o "$dir/rss" \
    timeout -k 5 $((limit * 3)) "$dir/bin/echoharness" "${args[@]}" "$path" > "$dir/stdout" 2> "$dir/stderr"
  status=$?
  elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
  {
    local want_status=1 v why
    [ "$verdict" = PASS ] && want_status=0
    v=$(verdict_of "$dir/report" "$scenario" 2> /dev/null)
    why=$(reason_of "$dir/report" "$scenario" 2> /dev/null)
    local verdicts reasons k matched=0
    IFS='|' read -r -a verdicts <<< "$verdict"
    # Deadlines in a reason are the scenario's times the timeout scale.
    reason=$(EH_SCALE=${EH_TIMEOUT_SCALE:-1} python3 -c 'import math,os,re,sys
s=float(os.environ["EH_SCALE"])
print(re.sub(r"(\d+) ms", lambda m: "%d ms" % math.ceil(int(m.group(1)) * s), sys.argv[1]))' "$reason")
    IFS='|' read -r -a reasons <<< "$reason"
    for k in "${!verdicts[@]}"; do # the allowed (verdict, reason) pairs
      [ "$v" = "${verdicts[k]}" ] && [[ "$why" == *"${reasons[k]}"* ]] && matched=1
    done
    if [ $matched = 1 ] && [ $status -eq $want_status ]; then
      ok "$name: $v in ${elapsed} ms: $why"
    else
      bad "$name: expected $verdict containing '$reason' and exit $want_status, got $v, exit $status: $why"
      cat "$dir/stdout" "$dir/stderr"
    fi
    [ "$elapsed" -le $((limit * 1000)) ] && ok "$name: finished within ${limit} s" \
      || bad "$name: took ${elapsed} ms (limit ${limit} s)"
    local kib
    kib=$(tail -1 "$dir/rss")
    [ -n "${ASAN_OPTIONS:-}" ] && max_mib=$((max_mib * 2))
    [ "$kib" -le $((max_mib * 1024)) ] && ok "$name: peak memory $((kib / 1024)) MiB (limit $max_mib)" \
      || bad "$name: peak memory $((kib / 1024)) MiB, over $max_mib MiB"
    local fds
    fds=$(sed -n 's/^echoharness: EH_DEBUG_FD_REPORT: \([0-9]*\) open file descriptors at the \(start\|end\) of run$/\1/p' "$dir/stderr" | tr '\n' ' ')
    read -r fd_start fd_end <<< "$fds"
    [ -n "$fd_start" ] && [ "$fd_start" = "$fd_end" ] && ok "$name: $fd_start descriptors open at the start and the end" \
      || bad "$name: descriptors at the start and the end: '$fds'"
    local left="" i
    for i in $(seq 20); do # a host-mode leftover may take a moment to die
      left=$(leftovers "$dir/")
      [ -z "$left" ] && break
      sleep 0.1
    done
    if [ -z "$left" ]; then ok "$name: no process left"
    else
      bad "$name: processes left: $left"
      pgrep -f -- "$dir/" | xargs -r kill -9
    fi
    [ -z "$(ls -A "$dir/tmp")" ] && ok "$name: no temporary file left" \
      || bad "$name: left in TMPDIR: $(ls -A "$dir/tmp")"
  } > "$dir/result" 2>&1
}

n=0
while IFS=$'\t' read -r build option scenario iso envs verdict reason max_s max_mib; do
  case "$build" in '' | '#'*) continue ;; esac
  n=$((n + 1))
  run_case $n "$build" "$option" "$scenario" "$iso" "$envs" "$verdict" "$reason" "$max_s" "$max_mib" &
  while [ "$(jobs -rp | wc -l)" -ge "$lanes" ]; do wait -n; done
done < "$SRC/tests/integration/hostile-cases.tsv"
wait
for i in $(seq $n); do
  cat "$WORK/c$i/result"
  checks=$((checks + $(grep -c '^\(ok  \|FAIL\) ' "$WORK/c$i/result")))
  failures=$((failures + $(grep -c '^FAIL ' "$WORK/c$i/result")))
done
[ $n -ge 20 ] && ok "$n hostile cases ran" || bad "only $n hostile cases in hostile-cases.tsv"

# Flooding output: the harness keeps a bounded part and the echo still passes.
out=$WORK/flood
"$EH" run -q --report-dir "$out" --server-cmd "$BIN/hostile-floods-output --host {host} --port {port}" \
  scenarios/basic-echo.json > /dev/null 2>&1
kept=$(json "$out/report.json" "len(d['scenarios'][0]['roles']['server']['stdout'])")
total=$(json "$out/report.json" "d['scenarios'][0]['roles']['server']['stdout_bytes']")
[ "$kept" -le 65536 ] && [ "$total" -ge 4194304 ] && ok "flood: kept $kept of $total bytes of stdout" \
  || bad "flood: kept $kept of $total bytes (expected at most 65536 of at least 4194304)"

# A server that daemonizes a child into its own session (out of every process
# group the harness signals): the child dies with the scenario in either
# isolation mode; on the host loopback there is no PID namespace to catch it.
py=$(command -v python3)
for mode in namespaces host-loopback; do
  opts=(); [ $mode = host-loopback ] && opts=(--no-namespaces)
  marker=3141.$RANDOM
  "$EH" run -q "${opts[@]}" --report-dir "$WORK/daemon-$mode" \
    --server-cmd "sh -c 'setsid sleep $marker < /dev/null > /dev/null 2>&1 & exec \"\$0\" \"\$@\"' $py tests/integration/servers/tutorial_server.py {host} {port}" \
    scenarios/basic-echo.json > "$WORK/daemon.stdout" 2>&1
  v=$(verdict_of "$WORK/daemon-$mode" basic-echo 2>/dev/null)
  [ "$v" = PASS ] && ok "daemonizing shell command ($mode): $v" || { bad "daemonizing shell command ($mode): $v"; cat "$WORK/daemon.stdout"; }
  left=$(leftovers "sleep $marker")
  [ -z "$left" ] && ok "daemonizing shell command ($mode): its setsid child is gone" \
    || { bad "daemonizing shell command ($mode): left $left"; pgrep -f "sleep $marker" | xargs -r kill -9; }
done
finish
