#!/usr/bin/env bash
# Wire expectations judge programs that keep no event log. With the
# tutorial's Python server and client (nobody here wrote them) as the server
# and client under test, every log-based check is SKIP and only the capture
# passes or fails the scenario; each faulty variant must FAIL with the wire
# check's reason. The last case keeps the reference client's log: a server
# that ends with RST instead of FIN passes every log-based check and only
# wire_close catches it.
. "$(dirname "$0")/lib.bash"
need xmllint libxml2-utils

py=$(command -v python3)
server="$py tests/integration/servers/tutorial_server.py {host} {port}"
client="$py tests/integration/clients/tutorial_client.py {host} {port}"

# case_ NAME SCENARIO VERDICT REASON_SUBSTRING SERVER_CMD [CLIENT_CMD]
case_() {
  local name=$1 scenario=$2 want=$3 reason=$4 out=$WORK/$1
  local args=(--server-cmd "$5")
  [ $# -ge 6 ] && args+=(--client-cmd "$6")
  "$EH" run -q --report-dir "$out" "${args[@]}" "scenarios/$scenario.json" > "$WORK/$name.stdout" 2>&1
  local v why
  v=$(verdict_of "$out" "$scenario" 2>/dev/null)
  why=$(reason_of "$out" "$scenario" 2>/dev/null)
  if [ "$v" = "$want" ] && [[ "$why" == *"$reason"* ]]; then
    ok "$name: $v: $why"
  else
    bad "$name: expected $want containing '$reason', got $v: $why"
    cat "$WORK/$name.stdout"
  fi
}

# Kinds and verdicts of the scenario's checks, "wire_echo=PASS echo=SKIP ...".
checks_of() { json "$1/report.json" "' '.join(c['kind'] + '=' + c['verdict'] for c in d['scenarios'][0]['checks'])"; }

for s in basic-echo ephemeral-client-port; do
  case_ "tutorial-$s" $s PASS "all expectations met" "$server" "$client"
  got=$(checks_of "$WORK/tutorial-$s")
  log_judged=$(tr ' ' '\n' <<< "$got" | grep -E '^(echo|event|sequence|client_port|mirror)=' | grep -vc '=SKIP$')
  wire_passed=$(tr ' ' '\n' <<< "$got" | grep -c '^wire_.*=PASS$')
  if [ "$log_judged" -eq 0 ] && [ "$wire_passed" -ge 2 ]; then ok "tutorial-$s: judged from the wire only: $got"
  else bad "tutorial-$s: expected log checks SKIP and wire checks PASS, got $got"; fi
done

case_ upper-server basic-echo FAIL "got differs at offset 1: expected 0x65 'e', got 0x45 'E'" \
  "$server upper" "$client"
case_ fixed-port-client ephemeral-client-port FAIL "(ip_local_port_range, a window set for this run), got 1234 on 127.0.0.1:1234 -> " \
  "$server" "$client bind 1234"
case_ aborting-server basic-echo FAIL "expected close in {graceful} (first FIN/RST from client) on" \
  "$server abort"
why=$(reason_of "$WORK/aborting-server" basic-echo 2>/dev/null)
[[ "$why" == *"got server-abort"* ]] && ok "aborting-server: classified server-abort" \
  || bad "aborting-server: expected server-abort in: $why"
finish
