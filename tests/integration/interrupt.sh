#!/usr/bin/env bash
# Ctrl-C or SIGTERM in the middle of a run: the harness stops the running
# scenarios at once, starts no new one, writes the partial reports, exits
# 128+signal, and leaves no process, temporary directory or half-written
# capture behind.
. "$(dirname "$0")/lib.bash"
need xmllint libxml2-utils

scale=${EH_TIMEOUT_SCALE:-1}
py=$(command -v python3)
# A private copy of the hanging server, so that the leftover check sees only
# this test's processes (hostile.sh may run the same build meanwhile).
mkdir -p "$WORK/bin"
server=$WORK/bin/hangs-after-accept
cp "$BIN/hostile-hangs-after-accept" "$server"

# interrupt SIGNAL MODE: runs every scenario with a server that hangs after
# accept (each would take its whole deadline), signals the harness after 1.5 s.
interrupt() {
  local sig=$1 mode=$2 out=$WORK/$1-$2 opts=()
  [ "$mode" = host-loopback ] && opts=(--no-namespaces)
  mkdir -p "$out/tmp"
  # Started from Python with default signal dispositions: a shell's
  # background job would have SIGINT ignored, and the harness keeps it so.
  "$py" - "$sig" "$scale" "$out" "$EH" run -j 2 --report-dir "$out/r" "${opts[@]}" \
    --server-cmd "$server --host {host} --port {port}" scenarios \
    > "$out/log" 2>&1 <<'PY'
import os, signal, subprocess, sys, time
sig, scale, out, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4:]
env = dict(os.environ, TMPDIR=out + "/tmp")
p = subprocess.Popen(cmd, env=env, stdout=open(out + "/stdout", "w"), stderr=open(out + "/stderr", "w"),
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
time.sleep(1.5 * scale)
t0 = time.monotonic()
p.send_signal(getattr(signal, "SIG" + sig))
try:
    status = p.wait(timeout=10 * scale)
except subprocess.TimeoutExpired:
    p.kill()
    status = "hung"
print(status, round(time.monotonic() - t0, 2))
PY
  read -r status took < "$out/log"
  want=$((128 + $(kill -l "$sig")))
  [ "$status" = "$want" ] && ok "$sig ($mode): exit $status after ${took}s" \
    || { bad "$sig ($mode): expected exit $want, got $status after ${took}s"; cat "$out/log" "$out/stderr"; }
  grep -q "interrupted by SIG$sig" "$out/stderr" && ok "$sig ($mode): says so: $(grep interrupted "$out/stderr")" \
    || { bad "$sig ($mode): no message"; cat "$out/stderr"; }
  [ -s "$out/r/report.json" ] && [ -s "$out/r/junit.xml" ] && ok "$sig ($mode): partial reports written" \
    || bad "$sig ($mode): no reports"
  local got
  got=$(json "$out/r/report.json" "d.get('interrupted', '-') + ' ' + ' '.join(sorted(set(s['verdict'] for s in d['scenarios'])))")
  [[ "$got" == "SIG$sig "* ]] && [[ "$got" != *PASS* ]] && ok "$sig ($mode): report says interrupted: $got" \
    || bad "$sig ($mode): report: $got"
  local cut
  cut=$(json "$out/r/report.json" "sum(1 for s in d['scenarios'] if s['reason'].startswith('interrupted by SIG$sig'))")
  [ "$cut" -ge 1 ] && ok "$sig ($mode): $cut running scenarios cut short as ERROR" || bad "$sig ($mode): none cut short"
  [ -z "$(ls -A "$out/tmp")" ] && ok "$sig ($mode): temporary directories removed" \
    || bad "$sig ($mode): left in TMPDIR: $(ls "$out/tmp")"
  ls "$out"/r/pcap/*.tmp > /dev/null 2>&1 && bad "$sig ($mode): half-written captures: $(ls "$out"/r/pcap)" \
    || ok "$sig ($mode): no half-written capture"
  local left
  sleep 0.2
  left=$(leftovers "^$server"; leftovers "$out/tmp/")
  [ -z "$left" ] && ok "$sig ($mode): no process left" || bad "$sig ($mode): processes left: $left"
}

interrupt INT namespaces
interrupt TERM namespaces
interrupt INT host-loopback
finish
