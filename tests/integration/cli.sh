#!/usr/bin/env bash
# The command-line contract: help, exit statuses, error messages that name
# the file and the place in it.
. "$(dirname "$0")/lib.bash"
need xmllint libxml2-utils

expect_status() { # STATUS DESCRIPTION CMD...
  local want=$1 what=$2; shift 2
  "$@" > "$WORK/out" 2> "$WORK/err"; local got=$?
  [ $got -eq "$want" ] && ok "$what: exit $got" || { bad "$what: expected exit $want, got $got"; cat "$WORK/err"; }
}

expect_status 0 "--help" "$EH" --help
for c in run list validate analyze diff; do expect_status 0 "$c --help" "$EH" $c --help; done
expect_status 2 "no command" "$EH"
expect_status 2 "unknown command" "$EH" frobnicate
expect_status 2 "unknown option" "$EH" run --frobnicate
expect_status 2 "bad --jobs" "$EH" run -j 0
expect_status 2 "bad --timeout-scale" "$EH" run --timeout-scale abc
expect_status 2 "missing scenario path" "$EH" run no/such/dir
expect_status 0 "validate the shipped scenarios" "$EH" validate scenarios

printf '{\n  "description": "x",\n  "kind": "behaviour",\n  "client": {},\n  "expect": [\n    {"echo": {"relation": "exact",}}\n  ]\n}\n' > "$WORK/broken.json"
expect_status 2 "validate a syntax error" "$EH" validate "$WORK/broken.json"
grep -qE "^$WORK/broken.json:6:[0-9]+: " "$WORK/err" && ok "syntax error names file:line:column: $(cat "$WORK/err")" \
  || bad "syntax error message: $(cat "$WORK/err")"

printf '{\n  "description": "x",\n  "kind": "behaviour",\n  "port": "65432",\n  "client": {},\n  "expect": [{"echo": {"relation": "exact"}}]\n}\n' > "$WORK/type.json"
expect_status 2 "validate a wrong type" "$EH" validate "$WORK/type.json"
grep -qE "^$WORK/type.json:4:[0-9]+: \\\$\.port: " "$WORK/err" && ok "type error names file:line:column and path: $(cat "$WORK/err")" \
  || bad "type error message: $(cat "$WORK/err")"
expect_status 2 "run refuses a broken scenario before running anything" "$EH" run --report-dir "$WORK/r" "$WORK/type.json"

# analyze -v: each connection's packets in the scenario descriptions' notation.
expect_status 0 "analyze -v" "$EH" analyze -v tests/data/real-basic-echo/input.pcap
seq=$(awk '$1 ~ /^\+[0-9.]+$/ {printf "%s ", $2}' "$WORK/out")
[ "$seq" = "C:S S:S. C:. C:P.12 S:. S:P.12 C:. C:F. S:F. C:. " ] && ok "analyze -v lists the packets: $seq" \
  || bad "analyze -v packets: '$seq'"
expect_status 0 "analyze --verbose" "$EH" analyze --verbose tests/data/crafted/tcp-retransmission/input.pcap
n=$(grep -c '^      +[0-9.]*  [CS]:P\.[0-9]* .*  retransmission$' "$WORK/out")
[ "$n" -eq 2 ] && ok "analyze -v marks the 2 retransmissions" || bad "analyze -v marked $n retransmissions: $(cat "$WORK/out")"
expect_status 0 "analyze -v of UDP" "$EH" analyze -v tests/data/real-udp/input.pcap
grep -q '^      +[0-9.]*  S:[0-9]* bytes$' "$WORK/out" && ok "analyze -v lists UDP replies" || bad "analyze -v UDP: $(cat "$WORK/out")"

expect_status 0 "list" "$EH" list
grep -q '^basic-echo ' "$WORK/out" && ok "list shows basic-echo" || bad "list output: $(head -3 "$WORK/out")"
expect_status 0 "list --tag broken-pipe" "$EH" list --tag broken-pipe
n=$(grep -c '^[a-z]' "$WORK/out"); [ "$n" -eq 2 ] && ok "--tag selects 2 scenarios" || bad "--tag selected $n"
expect_status 0 "list --tag tcp --tag ipv6" "$EH" list --tag tcp --tag ipv6
n=$(grep -c '^[a-z]' "$WORK/out"); [ "$n" -eq 1 ] && grep -q '^ipv6-echo ' "$WORK/out" && ok "repeated --tag narrows to ipv6-echo" || bad "--tag tcp --tag ipv6 selected $n: $(cat "$WORK/out")"
expect_status 0 "run --filter" "$EH" run -q --report-dir "$WORK/f" --filter 'basic-*'
n=$(json "$WORK/f/report.json" "d['summary']['total']"); [ "$n" -eq 1 ] && ok "--filter ran 1 scenario" || bad "--filter ran $n"
expect_status 2 "run with nothing selected" "$EH" run -q --report-dir "$WORK/g" --tag no-such-tag
grep -qE -- "--tag no-such-tag: none of the [0-9]+ scenarios" "$WORK/err" && ok "the message names the --tag that selected nothing" \
  || bad "nothing-selected message: $(cat "$WORK/err")"
# A --filter without glob characters matches part of a name, or one whole name.
expect_status 0 "list --filter echo" "$EH" list --filter echo
n=$(grep -c '^[a-z]' "$WORK/out"); [ "$n" -ge 2 ] && ok "--filter echo matches part of $n names" || bad "--filter echo selected $n"
expect_status 0 "list --filter basic" "$EH" list --filter basic
grep -q '^basic-echo ' "$WORK/out" && ok "--filter basic selects basic-echo" || bad "--filter basic: $(cat "$WORK/out")"
expect_status 0 "list --filter basic-echo" "$EH" list --filter basic-echo
n=$(grep -c '^[a-z]' "$WORK/out"); [ "$n" -eq 1 ] && ok "a whole name selects that scenario alone" || bad "--filter basic-echo selected $n"
# A --require that no selected scenario is over is an error, not a silent pass.
expect_status 2 "--require ipv6 with only udp scenarios" "$EH" run -q --report-dir "$WORK/rq" --require ipv6 --tag udp
grep -q -- "--require ipv6: none of the [0-9]* selected scenarios is over ipv6" "$WORK/err" \
  && ok "the message names the --require" || bad "--require message: $(cat "$WORK/err")"

# Repeated, a --filter adds: a name any of them matches is selected.
expect_status 0 "list with two --filter" "$EH" list --filter 'server-se*' --filter basic-echo
names=$(grep -o '^[a-z][a-z0-9-]*' "$WORK/out" | tr '\n' ' ')
case "$names" in
  "basic-echo server-se"*) ok "two --filter select the scenarios of either: $names" ;;
  *) bad "--filter 'server-se*' --filter basic-echo selected: $names" ;;
esac
expect_status 2 "run with two --filter matching nothing" "$EH" run -q --report-dir "$WORK/g2" --filter no-such --filter nor-this
grep -qE -- "--filter 'no-such', 'nor-this' matched none of the [0-9]+ scenario names" "$WORK/err" \
  && ok "the message names every --filter" || bad "two --filter message: $(cat "$WORK/err")"
expect_status 2 "run --filter matching nothing" "$EH" run -q --report-dir "$WORK/g" --filter no-such-name
grep -qE -- "--filter 'no-such-name' matched none of the [0-9]+ scenario names" "$WORK/err" && ! grep -q tags "$WORK/err" \
  && ok "the message names the --filter, not tags" || bad "--filter message: $(cat "$WORK/err")"
# --repeat: a measured distribution of the timing-dependent outcomes.
expect_status 2 "bad --repeat" "$EH" run --repeat 0
expect_status 0 "run --repeat 3" "$EH" run -q -j 2 --repeat 3 --report-dir "$WORK/rep" --filter recv1-partial-echo
grep -q '^recv1-partial-echo: 3 runs: PASS 3; .*client received .*first FIN/RST from client' "$WORK/out" \
  && ok "repeat prints the distribution, who closed first included: $(head -1 "$WORK/out")" \
  || bad "repeat output: $(cat "$WORK/out")"
n=$(json "$WORK/rep/report.json" "sum(d['scenarios'][0]['repeat']['distribution']['client_received_bytes'].values())")
[ "$n" -eq 3 ] && ok "the distribution counts 3 runs" || bad "the distribution counts $n runs"
n=$(ls "$WORK"/rep/pcap/recv1-partial-echo.run*.pcap 2>/dev/null | wc -l)
[ "$n" -eq 3 ] && ok "one capture per run" || bad "$n captures for 3 runs"
grep -q '^- recv1-partial-echo: 3 runs: PASS 3' "$WORK/rep/summary.md" && grep -q '<b>Repeated:</b> 3 runs' "$WORK/rep/report.html" \
  && ok "summary.md and report.html show the distribution" || bad "the distribution is missing from summary.md or report.html"
expect_status 1 "run --repeat 2 against a faulty build" "$EH" run -q --repeat 2 --report-dir "$WORK/repf" --server-program faulty-server-corrupt --filter basic-echo
r=$(reason_of "$WORK/repf" basic-echo)
[[ "$r" == "2 of 2 runs FAIL; run 1: "* ]] && ok "repeat names the failing runs: $r" || bad "repeat reason: $r"

# The report's command line is quoted, so it can be pasted into a shell.
"$EH" run -q --report-dir "$WORK/cmd" --filter basic-echo --server-cmd "$BIN/echo-server --port {port}" > /dev/null 2>&1
c=$(json "$WORK/cmd/report.json" "d['command']")
[[ "$c" == *"--server-cmd '$BIN/echo-server --port {port}'"* ]] && ok "the report's command is quoted: $c" || bad "report command: $c"

# A report directory is not a mix of two runs' captures.
n=$("$EH" run -q --report-dir "$WORK/rep" --filter basic-echo > /dev/null 2>&1; ls "$WORK/rep/pcap" | tr '\n' ' ')
[ "$n" = "basic-echo.pcap " ] && ok "a new run removes the captures of the last one" || bad "pcap/ after a second run: $n"
# diff: 1 on a regression, 0 without, 2 for a usage error or a broken report.
printf '{"scenarios": [{"name": "a", "verdict": "PASS"}, {"name": "b", "verdict": "PASS"}]}\n' > "$WORK/old.json"
printf '{"scenarios": [{"name": "a", "verdict": "FAIL", "reason": "r"}]}\n' > "$WORK/new.json"
printf '{"scenarios": [\n  {"name": "a",, }\n]}\n' > "$WORK/bad-report.json"
expect_status 1 "diff with a regression" "$EH" diff "$WORK/old.json" "$WORK/new.json"
grep -qx 'REGRESSION a: PASS -> FAIL (r)' "$WORK/out" && grep -qx 'not run b (was PASS)' "$WORK/out" \
  && ok "diff names the regression and the scenario not run" || bad "diff output: $(cat "$WORK/out")"
expect_status 0 "diff of a report with itself" "$EH" diff "$WORK/old.json" "$WORK/old.json"
expect_status 2 "diff with one report" "$EH" diff "$WORK/old.json"
grep -q '^usage: echoharness diff' "$WORK/err" && ok "diff with one report shows the usage" || bad "diff usage: $(cat "$WORK/err")"
expect_status 2 "diff with a broken report" "$EH" diff "$WORK/old.json" "$WORK/bad-report.json"
grep -q "^$WORK/bad-report.json:2:" "$WORK/err" && ok "a broken report is named with its line: $(cat "$WORK/err")" \
  || bad "broken report message: $(cat "$WORK/err")"
EH_TIMEOUT_SCALE=abc "$EH" list > /dev/null 2> "$WORK/err"; st=$?
[ $st -eq 2 ] && grep -q EH_TIMEOUT_SCALE "$WORK/err" && ok "a bad EH_TIMEOUT_SCALE is a usage error" || bad "EH_TIMEOUT_SCALE=abc: exit $st"
# The scale a run uses: --timeout-scale, else EH_TIMEOUT_SCALE, else 1.
EH_TIMEOUT_SCALE=2.5 "$EH" run -q --report-dir "$WORK/scale-env" --filter basic-echo > /dev/null 2>&1
EH_TIMEOUT_SCALE=2.5 "$EH" run -q --report-dir "$WORK/scale-opt" --filter basic-echo --timeout-scale 1.5 > /dev/null 2>&1
e=$(json "$WORK/scale-env/report.json" "d['timeout_scale']"); o=$(json "$WORK/scale-opt/report.json" "d['timeout_scale']")
[ "$e" = 2.5 ] && [ "$o" = 1.5 ] && ok "the run uses EH_TIMEOUT_SCALE ($e), and --timeout-scale over it ($o)" \
  || bad "timeout_scale in the report: $e from EH_TIMEOUT_SCALE=2.5, $o with --timeout-scale 1.5"

# A report directory whose parents do not exist yet (reports/ in a fresh clone).
expect_status 0 "run into a nested new report directory" "$EH" run -q --report-dir "$WORK/new/nested/dir" --filter basic-echo
[ -s "$WORK/new/nested/dir/pcap/basic-echo.pcap" ] && ok "nested report dir holds the capture" || bad "no capture in the nested report dir"
touch "$WORK/file"
expect_status 2 "a report directory that cannot be made" "$EH" run -q --report-dir "$WORK/file/sub" --filter basic-echo
grep -q "report-dir" "$WORK/err" && ok "the error names --report-dir: $(cat "$WORK/err")" || bad "report-dir error: $(cat "$WORK/err")"
# A command or program that cannot run is a configuration error, found
# before any scenario runs (exit 2), not one ERROR per scenario (exit 1).
bad_option() { # DESCRIPTION EXPECTED_MESSAGE OPTION VALUE
  expect_status 2 "$1" "$EH" run -q --report-dir "$WORK/bad-option" "$3" "$4" scenarios/basic-echo.json
  grep -qF -- "$2" "$WORK/err" && ok "$1: $(cat "$WORK/err")" || bad "$1: expected '$2', got: $(cat "$WORK/err")"
}
bad_option "--server-cmd with an unterminated quote" "echoharness run: --server-cmd: command template: column 1: unterminated single quote" --server-cmd "'srv {port}"
bad_option "--client-cmd with an unknown placeholder" "echoharness run: --client-cmd: command template: column 5: unknown placeholder {prot}" --client-cmd "cli {prot}"
bad_option "--server-cmd naming a missing file" "echoharness run: --server-cmd: cannot run /no/such/server: No such file or directory" --server-cmd "/no/such/server {port}"
bad_option "--client-cmd naming a program not in PATH" "echoharness run: --client-cmd: cannot run eh-no-such-client: not found in PATH" --client-cmd "eh-no-such-client {host} {port}"
bad_option "--server-program naming a missing build" "echoharness run: --server-program: cannot run $BIN/no-such-build: No such file or directory" --server-program no-such-build
[ ! -e "$WORK/bad-option/report.json" ] && ok "no scenario ran for a bad option" || bad "a report was written for a bad option"
finish
