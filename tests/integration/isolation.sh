#!/usr/bin/env bash
# Isolation modes: the host-loopback fallback (--no-namespaces) still judges
# every scenario and says so in the report; an unprivileged user gets its
# namespaces (and the right to capture) from a user namespace.
. "$(dirname "$0")/lib.bash"

out=$WORK/host
"$EH" run -q --no-namespaces --report-dir "$out" scenarios > "$WORK/host.stdout" 2>&1
status=$?
[ $status -eq 0 ] && ok "--no-namespaces: every scenario passes" || { bad "--no-namespaces: exit $status"; cat "$WORK/host.stdout"; }
iso=$(json "$out/report.json" "d['isolation'] + ' / ' + d.get('isolation_note', '')")
[[ "$iso" == host-loopback* ]] && ok "report says: $iso" || bad "report isolation: $iso"
ports=$(json "$out/report.json" "sorted(set(s['endpoint']['port'] for s in d['scenarios']))")
[[ "$ports" != *65432* ]] && ok "host-loopback allocates ports: $ports" || bad "host-loopback used the fixed port: $ports"

# A server with a hard-coded port (--port) on the host loopback: scenarios
# run one at a time even with -j, or they would share the port (a client
# reaching the other scenario's server, EADDRINUSE).
py=$(command -v python3)
"$EH" run -q -j 2 --no-namespaces --port 45678 --report-dir "$WORK/fixed" \
  --server-cmd "$py tests/integration/servers/tutorial_server.py {host} {port}" \
  scenarios/basic-echo.json scenarios/ephemeral-client-port.json scenarios/empty-read-on-shutdown.json \
  > "$WORK/fixed.stdout" 2> "$WORK/fixed.stderr"
status=$?
[ $status -eq 0 ] && ok "--no-namespaces --port -j 2: every scenario passes" \
  || { bad "--no-namespaces --port -j 2: exit $status"; cat "$WORK/fixed.stdout" "$WORK/fixed.stderr"; }
grep -q "running one scenario at a time" "$WORK/fixed.stderr" && ok "says: $(cat "$WORK/fixed.stderr")" \
  || bad "no note about -j: $(cat "$WORK/fixed.stderr")"

if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1 && command -v setpriv > /dev/null; then
  # A world-readable copy, since the clone itself may not be.
  copy=$(mktemp -d /tmp/eh-nobody.XXXXXX)
  cp -r "$BIN" "$copy/bin" && cp -r scenarios "$copy/scenarios" && chmod -R a+rX "$copy" && chmod 1777 "$copy"
  (cd "$copy" && setpriv --reuid=nobody --regid=nogroup --clear-groups \
     ./bin/echoharness run -q --report-dir "$copy/r" scenarios) > "$WORK/nobody.stdout" 2>&1
  status=$?
  [ $status -eq 0 ] && ok "as nobody: every scenario passes" || { bad "as nobody: exit $status"; cat "$WORK/nobody.stdout"; }
  iso=$(json "$copy/r/report.json" "d['isolation']")
  [ "$iso" = namespaces ] && ok "as nobody: isolation $iso (user namespace)" || bad "as nobody: isolation $iso"
  n=$(json "$copy/r/report.json" "sum(1 for s in d['scenarios'] if 'pcap' in s)")
  [ "$n" -gt 0 ] && ok "as nobody: $n captures written" || bad "as nobody: no capture"
  # On the host loopback nobody may not capture: every scenario is ERROR with
  # libpcap's own message, and the harness neither crashes nor hangs.
  (cd "$copy" && setpriv --reuid=nobody --regid=nogroup --clear-groups \
     timeout 60 ./bin/echoharness run -q --no-namespaces --report-dir "$copy/h" scenarios) > "$WORK/nobody-host.stdout" 2>&1
  status=$?
  got=$(json "$copy/h/report.json" "' | '.join(sorted(set(s['verdict'] + ': ' + s['reason'] for s in d['scenarios'])))" 2>&1)
  if [ $status -eq 1 ] && [[ "$got" == "ERROR: capture: capture on lo: "*"permission"* ]] && [[ "$got" != *"|"* ]]; then
    ok "as nobody on the host loopback: exit 1, $got"
  else
    bad "as nobody on the host loopback: expected exit 1 and only ERROR with libpcap's message, got exit $status, $got"
    cat "$WORK/nobody-host.stdout"
  fi
  rm -rf "$copy"
else
  echo "skip unprivileged run: needs root to switch to nobody (and setpriv)"
fi
finish
