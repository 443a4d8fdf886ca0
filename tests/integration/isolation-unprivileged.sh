#!/usr/bin/env bash
# An unprivileged user gets its namespaces (and the right to capture there)
# from a user namespace: run as nobody, every scenario passes in namespaces.
# On the host loopback nobody may not capture: every scenario is ERROR with
# libpcap's own message, and the harness neither crashes nor hangs. Needs
# root, to become nobody with setpriv.
. "$(dirname "$0")/lib.bash"
need xmllint libxml2-utils
need setpriv util-linux
[ "$(id -u)" = 0 ] || skip "needs root to switch to the user nobody"
id nobody > /dev/null 2>&1 || skip "no user nobody here"

# A world-readable copy, since the clone itself may not be.
copy=$(mktemp -d /tmp/eh-nobody.XXXXXX)
trap 'rm -rf "$WORK" "$copy"' EXIT
cp -r "$BIN" "$copy/bin" && cp -r scenarios "$copy/scenarios" && chmod -R a+rX "$copy" && chmod 1777 "$copy"
as_nobody() { (cd "$copy" && setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"); }

as_nobody ./bin/echoharness run -q --report-dir "$copy/r" scenarios > "$WORK/nobody.stdout" 2>&1
status=$?
[ $status -eq 0 ] && ok "as nobody: every scenario passes" || { bad "as nobody: exit $status"; cat "$WORK/nobody.stdout"; }
iso=$(json "$copy/r/report.json" "d['isolation']")
[ "$iso" = namespaces ] && ok "as nobody: isolation $iso (user namespace)" || bad "as nobody: isolation $iso"
n=$(json "$copy/r/report.json" "sum(1 for s in d['scenarios'] if 'pcap' in s)")
[ "$n" -gt 0 ] && ok "as nobody: $n captures written" || bad "as nobody: no capture"
check_junit "$copy/r/junit.xml"

as_nobody timeout 60 ./bin/echoharness run -q --no-namespaces --report-dir "$copy/h" scenarios \
  > "$WORK/nobody-host.stdout" 2>&1
status=$?
got=$(json "$copy/h/report.json" "' | '.join(sorted(set(s['verdict'] + ': ' + s['reason'] for s in d['scenarios'])))" 2>&1)
if [ $status -eq 1 ] && [[ "$got" == "ERROR: capture: capture on lo: "*"permission"* ]] && [[ "$got" != *"|"* ]]; then
  ok "as nobody on the host loopback: exit 1, $got"
else
  bad "as nobody on the host loopback: expected exit 1 and only ERROR with libpcap's message, got exit $status, $got"
  cat "$WORK/nobody-host.stdout"
fi
check_junit "$copy/h/junit.xml"
finish
