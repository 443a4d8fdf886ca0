#!/usr/bin/env bash
# `run --server-cmd` judges echo servers nobody here wrote: the tutorial's
# Python server passes the TCP scenarios over IPv4 (it serves nothing else:
# --tag tcp --tag ipv4; not-served.sh runs it against the rest) but those of
# the server suite, which expect a service (it serves one client and exits);
# a Python server that upper-cases fails. (socat is foreign-server-socat.sh;
# the server suite against foreign services is server-suite.sh.)
. "$(dirname "$0")/lib.bash"
need xmllint libxml2-utils

py=$(command -v python3)
tutorial=$(without_server_suite)
run_cmd() { # NAME EXPECTED_STATUS CMD
  out=$WORK/$1
  # shellcheck disable=SC2086 # one word per scenario file
  "$EH" run -q --tag tcp --tag ipv4 --report-dir "$out" --server-cmd "$3" $tutorial > "$WORK/$1.stdout" 2>&1
  status=$?
  if [ $status -eq "$2" ]; then ok "$1: exit $status"; else bad "$1: expected exit $2, got $status"; cat "$WORK/$1.stdout"; fi
}

run_cmd python 0 "$py tests/integration/servers/tutorial_server.py {host} {port}"
for s in basic-echo ephemeral-client-port empty-read-on-shutdown; do
  v=$(verdict_of "$WORK/python" $s)
  [ "$v" = PASS ] && ok "python: $s PASS" || bad "python: $s expected PASS, got $v: $(reason_of "$WORK/python" $s)"
done
n=$(json "$WORK/python/report.json" "sum(1 for s in d['scenarios'] if s['name'] == 'broken-pipe-after-client-close')")
na=$(json "$WORK/python/report.json" "'broken-pipe-after-client-close' in d.get('not_applicable', [])")
[ "$n" = 0 ] && [ "$na" = True ] && ok "python: a reference-only scenario is not run, only named in not_applicable" \
  || bad "python: broken-pipe: $n results, in not_applicable: $na"

# The tutorial's hard-coded port, through --port.
run_cmd python-fixed-port 0 "$py tests/integration/servers/tutorial_server.py 127.0.0.1 65432"

# {transport} and {family}: one program serves every scenario. The reference
# server as a service (--concurrent), run as a program under test (so without
# its event log), passes all that put the server under test, UDP and IPv6
# included; the corrupting build fails every one of them that judges the
# echo (ephemeral-client-port judges ports and addresses only).
all_cmd() { "$EH" run -q -j 2 --report-dir "$WORK/$1" --server-cmd "$BIN/$1 --concurrent --host {host} --port {port} --transport {transport} --family {family}" scenarios > /dev/null 2>&1; }
all_cmd echo-server; st=$?
n=$(json "$WORK/echo-server/report.json" "sum(1 for s in d['scenarios'] if s['verdict'] == 'PASS')")
[ $st -eq 0 ] && [ "$n" -ge 6 ] && ok "{transport}/{family}: the reference server under test passes $n scenarios" \
  || bad "{transport}/{family}: exit $st, $n passed; $(json "$WORK/echo-server/report.json" \
    "'; '.join(s['name'] + ': ' + s['verdict'] + ': ' + s['reason'] for s in d['scenarios'] if s['verdict'] != 'PASS')")"
all_cmd faulty-server-corrupt; st=$?
f=$(json "$WORK/faulty-server-corrupt/report.json" "sorted(s['name'] for s in d['scenarios'] if s['verdict'] == 'PASS')")
[ $st -eq 1 ] && [ "$f" = "['ephemeral-client-port']" ] && ok "{transport}/{family}: the corrupting build fails every echo scenario" \
  || bad "{transport}/{family}: corrupting build: exit $st, still passing: $f"

# A server under test that keeps running is judged once its client is done
# and it has closed its connection, with no fixed grace (it used to be given
# 1 s to end on its own); one that dies of SIGPIPE just after its client
# closed is still caught, every time.
# (Without LeakSanitizer's exit-time check: under -DEH_SANITIZE=ON the server
# is an ASan build, and that check, run in the scenario's PID namespace whose
# /proc is the host's, can hang its exit after SIGTERM until the SIGKILL.)
forever="$BIN/echo-server --host {host} --port {port} --forever"
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
  "$EH" run -q --report-dir "$WORK/forever" --server-cmd "$forever" --filter basic-echo scenarios > /dev/null 2>&1
v=$(verdict_of "$WORK/forever" basic-echo)
ms=$(json "$WORK/forever/report.json" "d['scenarios'][0]['duration_ms']")
limit=$(python3 -c "import os; print(int(500 * float(os.environ.get('EH_TIMEOUT_SCALE', '1'))))")
[ "$v" = PASS ] && [ "$ms" -lt "$limit" ] && ok "--forever server: PASS in $ms ms, no grace" \
  || bad "--forever server: $v in $ms ms (limit $limit): $(reason_of "$WORK/forever" basic-echo)"
"$EH" run -q --repeat 10 --report-dir "$WORK/sigpipe" --filter basic-echo \
  --server-cmd "$forever --send-after-eof 3 --keep-sigpipe" scenarios > /dev/null 2>&1
r=$(reason_of "$WORK/sigpipe" basic-echo)
[[ "$r" == "10 of 10 runs FAIL; "*"killed by SIGPIPE"* ]] && ok "dies of SIGPIPE after the client: $r" \
  || bad "dies of SIGPIPE after the client: expected 10 of 10 runs FAIL, got: $r"

run_cmd python-upper 1 "$py tests/integration/servers/tutorial_server.py {host} {port} upper"
r=$(reason_of "$WORK/python-upper" basic-echo)
[[ "$r" == *"first difference at offset 1"* ]] && ok "upper-casing server: $r" || bad "upper-casing server: unexpected reason: $r"
finish
