#!/usr/bin/env bash
# What applies to a server under test. The tutorial's Python server binds
# TCP over IPv4 only: run against every scenario (but the server suite's,
# which expects a service), the UDP and IPv6 ones are
# SKIP "not served by this implementation (it bound tcp/ipv4 only)" within a
# fraction of the readiness timeout, the run passes, and --require udp turns
# the UDP one into FAIL. Given its hard-coded port and another --port, it is
# told at once where it listens and how to fix the command. Scenarios that
# judge only the reference builds are neither run nor counted, and
# `echoharness list` says which role each scenario judges.
. "$(dirname "$0")/lib.bash"
need xmllint libxml2-utils

py=$(command -v python3)
tutorial="$py tests/integration/servers/tutorial_server.py"

# The server takes the scenario's port but binds 127.0.0.1 whatever {host} is.
# Every scenario but the server suite's, which expects a service.
# shellcheck disable=SC2046 # one word per scenario file
"$EH" run -q -j 2 --report-dir "$WORK/all" --server-cmd "$tutorial 127.0.0.1 {port}" \
  $(without_server_suite) > "$WORK/all.out" 2>&1
st=$?
[ $st -eq 0 ] && ok "a TCP/IPv4-only server passes the run: exit 0" || { bad "exit $st"; cat "$WORK/all.out"; }
for s in udp-echo ipv6-echo; do
  v=$(verdict_of "$WORK/all" $s)
  r=$(reason_of "$WORK/all" $s)
  ms=$(json "$WORK/all/report.json" "[s['duration_ms'] for s in d['scenarios'] if s['name']=='$s'][0]")
  [ "$v" = SKIP ] && [ "$r" = "not served by this implementation (it bound tcp/ipv4 only)" ] \
    && ok "$s: $v: $r" || bad "$s: expected SKIP not served, got $v: $r"
  # Not served is told a settle time after the first bind: the whole scenario
  # ends before the readiness timeout (5 s) would have.
  limit=$(python3 -c "print(int(5000 * ${EH_TIMEOUT_SCALE:-1}))")
  [ "$ms" -lt "$limit" ] && ok "$s: told in $ms ms, before the readiness deadline" || bad "$s: took $ms ms (deadline $limit)"
done
ns=$(json "$WORK/all/report.json" "[s['not_served'] for s in d['scenarios'] if s['name']=='udp-echo'][0]")
[ "$ns" = "{'needs': 'udp/ipv4', 'bound': 'tcp/ipv4', 'required': False}" ] && ok "not_served in report.json: $ns" \
  || bad "not_served: $ns"
v=$(verdict_of "$WORK/all" basic-echo)
[ "$v" = PASS ] && ok "basic-echo still PASS" || bad "basic-echo: $v: $(reason_of "$WORK/all" basic-echo)"
names=$(json "$WORK/all/report.json" "sorted(s['name'] for s in d['scenarios'])")
na=$(json "$WORK/all/report.json" "d.get('not_applicable')")
total=$(json "$WORK/all/report.json" "d['summary']['total']")
if [[ "$names" != *broken-pipe* ]] && [[ "$na" == *"'broken-pipe-after-client-close'"* ]] && [[ "$na" == *"'recv1-partial-echo'"* ]]; then
  ok "reference-only scenarios are not run and not counted ($total counted): not_applicable $na"
else bad "reference-only scenarios: ran $names, not_applicable $na"; fi
grep -q "not run: they judge no role --server-cmd replaces" "$WORK/all.out" && ok "run names the scenarios it does not run" \
  || bad "no note of the scenarios not run: $(cat "$WORK/all.out")"
grep -qE '^grade: [0-9]+ of [0-9]+ rules that apply passed \(TCP [0-9]+ of [0-9]+\); 2 not served by this implementation$' "$WORK/all.out" \
  && ok "the terminal prints the grade: $(grep '^grade:' "$WORK/all.out")" || bad "no grade line: $(cat "$WORK/all.out")"
md=$WORK/all/summary.md
grep -qE '^## Grade: [0-9]+ of [0-9]+ rules that apply passed' "$md" && grep -q '^| UDP | 0 | 0 | 1 | 0 |$' "$md" \
  && grep -q '^- udp-echo (UDP): not served by this implementation (it bound tcp/ipv4 only)$' "$md" \
  && ok "summary.md grades the run and lists not served apart" || bad "summary.md: $(head -30 "$md")"

# --require udp: the UDP scenario fails, the IPv6 one is still only not served.
"$EH" run -q --report-dir "$WORK/req" --require udp --server-cmd "$tutorial 127.0.0.1 {port}" \
  scenarios/udp-echo.json scenarios/ipv6-echo.json > "$WORK/req.out" 2>&1
st=$?
v=$(verdict_of "$WORK/req" udp-echo); r=$(reason_of "$WORK/req" udp-echo)
[ $st -eq 1 ] && [ "$v" = FAIL ] && [[ "$r" == *"and --require udp asks for udp/ipv4" ]] && ok "--require udp: exit 1, $v: $r" \
  || bad "--require udp: exit $st, $v: $r"
v=$(verdict_of "$WORK/req" ipv6-echo)
[ "$v" = SKIP ] && ok "--require udp leaves ipv6-echo SKIP" || bad "--require udp: ipv6-echo $v"
"$EH" run -q --report-dir "$WORK/badreq" --require sctp scenarios/basic-echo.json > "$WORK/badreq.out" 2>&1
[ $? -eq 2 ] && grep -q "expected tcp, udp, ipv4 or ipv6, got 'sctp'" "$WORK/badreq.out" && ok "--require sctp is a usage error" \
  || bad "--require sctp: $(cat "$WORK/badreq.out")"

# A hard-coded port: the server listens on 65432, the scenarios want 40123.
"$EH" run -q --report-dir "$WORK/port" --port 40123 --server-cmd "$tutorial 127.0.0.1 65432" \
  scenarios/basic-echo.json scenarios/empty-read-on-shutdown.json > "$WORK/port.out" 2>&1
st=$?
want="the server listens on 127.0.0.1:65432/tcp, not on port 40123: use {port} in --server-cmd, or --port 65432"
limit=$(python3 -c "print(int(5000 * ${EH_TIMEOUT_SCALE:-1}))")
for s in basic-echo empty-read-on-shutdown; do
  v=$(verdict_of "$WORK/port" $s); r=$(reason_of "$WORK/port" $s)
  ms=$(json "$WORK/port/report.json" "[s['duration_ms'] for s in d['scenarios'] if s['name']=='$s'][0]")
  [ "$v" = ERROR ] && [ "$r" = "$want" ] && ok "$s: $v: $r" || bad "$s: expected ERROR '$want', got $v: $r"
  [ "$ms" -lt "$limit" ] && ok "$s: told in $ms ms, before the readiness deadline" || bad "$s: took $ms ms (deadline $limit)"
done
[ $st -eq 1 ] && ok "listens elsewhere: exit 1" || bad "listens elsewhere: exit $st"
grep -qF "$want" "$WORK/port.out" && ok "the terminal says it too" || bad "terminal: $(cat "$WORK/port.out")"

# list: which role each scenario judges.
"$EH" list > "$WORK/list.out"
grep -qE '^broken-pipe-after-client-close +behaviour +reference only +tcp' "$WORK/list.out" \
  && grep -qE '^empty-read-on-shutdown +conformance +server +tcp' "$WORK/list.out" \
  && grep -qE '^basic-echo +conformance +server\+client +tcp' "$WORK/list.out" \
  && ok "list shows the JUDGES column" || bad "list: $(head -8 "$WORK/list.out")"
finish
