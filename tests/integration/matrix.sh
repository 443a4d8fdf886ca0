#!/usr/bin/env bash
# One run judges several implementations: the reference server and two
# faulty builds as --impl with their full path commands, and socat from an
# --impls file (TCP over IPv4 only). The report directory holds each
# implementation's report in NAME/ and the index: summary.md's grid and
# report.html's matrix have the verdict of every cell (n/a where the scenario
# does not apply), linked to the details; junit.xml has one testsuite per
# implementation. Mistakes in --impl and --impls are refused with exit 2.
. "$(dirname "$0")/lib.bash"
need socat socat
need xmllint libxml2-utils

args() { echo "--host {host} --port {port} --transport {transport} --family {family}"; }
cat > "$WORK/impls.json" << 'EOF2'
{"implementations": [
  {"name": "socat", "server": "socat TCP-LISTEN:{port},reuseaddr,fork EXEC:cat",
   "transports": ["tcp"], "families": ["ipv4"]}
]}
EOF2
out=$WORK/m
# The scenarios but the server suite's (it expects services, and would only
# add rows here).
# shellcheck disable=SC2046 # one word per scenario file
"$EH" run -q -j 2 --report-dir "$out" \
  --impl reference="$BIN/echo-server $(args)" \
  --impl corrupt="$BIN/faulty-server-corrupt $(args)" \
  --impl echoes-once="$BIN/faulty-server-echoes-once $(args)" \
  --impls "$WORK/impls.json" $(without_server_suite) > "$WORK/stdout" 2>&1
status=$?
[ $status -eq 1 ] && ok "a matrix with faulty servers: exit 1" || { bad "matrix: expected exit 1, got $status"; cat "$WORK/stdout"; }
grep -q "^4 implementations: " "$WORK/stdout" && ok "the totals line counts 4 implementations" || bad "totals: $(tail -1 "$WORK/stdout")"
grep -q "^FAIL    corrupt/basic-echo: " "$WORK/stdout" && ok "failures are named implementation/scenario" || bad "stdout: $(cat "$WORK/stdout")"

for f in report.json junit.xml report.html summary.md; do
  [ -s "$out/$f" ] && ok "index $f" || bad "no index $f"
  for i in reference corrupt echoes-once socat; do
    [ -s "$out/$i/$f" ] || bad "no $i/$f"
  done
done
n=$(ls "$out"/socat/pcap/*.pcap 2> /dev/null | wc -l)
[ "$n" -eq 4 ] && ok "socat/pcap holds its 4 captures" || bad "socat/pcap holds $n captures"
[ ! -e "$out/pcap" ] && ok "no pcap/ beside the index" || bad "the index has a pcap/ of its own"

# The grid: one row per scenario, one column per implementation.
grid() { grep "^| $1 |" "$out/summary.md"; }
row=$(grid scenario); [ "$row" = "| scenario | reference | corrupt | echoes-once | socat |" ] && ok "grid header: $row" || bad "grid header: $row"
expect_row() {
  local got; got=$(grid "$1")
  [ "$got" = "$2" ] && ok "grid: $got" || bad "grid row $1: expected '$2', got '$got'"
}
expect_row basic-echo "| basic-echo | PASS | **FAIL** | PASS | PASS |"
expect_row large-stream-echo "| large-stream-echo | PASS | **FAIL** | **FAIL** | PASS |"
expect_row udp-echo "| udp-echo | PASS | **FAIL** | PASS | n/a |"
expect_row ipv6-echo "| ipv6-echo | PASS | **FAIL** | PASS | n/a |"
expect_row ephemeral-client-port "| ephemeral-client-port | PASS | PASS | PASS | PASS |"
grep -q "^# echoharness: 4 implementations: " "$out/summary.md" && ok "summary.md title: $(head -1 "$out/summary.md")" || bad "title: $(head -1 "$out/summary.md")"
[ -z "$(grid broken-pipe-sigpipe-kills)" ] && ok "no row for a scenario that applies to none" || bad "row: $(grid broken-pipe-sigpipe-kills)"

# The matrix in report.html: each verdict links to the scenario in that
# implementation's report (its index in that report).
idx=$(json "$out/corrupt/report.json" "[s['name'] for s in d['scenarios']].index('basic-echo')")
grep -q "<a class=\"v FAIL\" href=\"corrupt/report.html#s$idx\"" "$out/report.html" \
  && ok "report.html: corrupt/basic-echo is a FAIL linked to corrupt/report.html#s$idx" || bad "report.html has no FAIL cell for corrupt/basic-echo"
grep -q "id=\"s$idx\"" "$out/corrupt/report.html" && ok "the link's target exists" || bad "corrupt/report.html has no id s$idx"
n=$(grep -o '<a class="v [A-Z]*" href="[a-z-]*/report.html#s[0-9]*"' "$out/report.html" | wc -l)
total=$(json "$out/report.json" "d['summary']['total']")
[ "$n" -eq "$total" ] && ok "report.html: $n linked cells, one per result" || bad "report.html: $n linked cells for $total results"
n=$(grep -c 'title="does not apply to this implementation">n/a' "$out/report.html")
[ "$n" -eq 2 ] && ok "report.html: 2 n/a cells (socat: udp-echo, ipv6-echo)" || bad "report.html: $n n/a cells"

# report.json and junit.xml of the index; each implementation's own report.
[ "$(json "$out/report.json" "d['layout']")" = index ] && ok "report.json: layout index" || bad "layout is not index"
names=$(json "$out/report.json" "' '.join(i['name'] for i in d['implementations'])")
[ "$names" = "reference corrupt echoes-once socat" ] && ok "report.json: implementations $names" || bad "implementations: $names"
v=$(json "$out/report.json" "[s['verdict'] for s in d['scenarios'] if s['implementation']=='echoes-once' and s['name']=='large-stream-echo'][0]")
[ "$v" = FAIL ] && ok "report.json: echoes-once/large-stream-echo FAIL" || bad "echoes-once/large-stream-echo: $v"
suites=$(grep -o '<testsuite name="[^"]*"' "$out/junit.xml" | cut -d'"' -f2 | tr '\n' ' ')
[ "$suites" = "reference corrupt echoes-once socat " ] && ok "junit.xml: one testsuite per implementation: $suites" || bad "junit.xml suites: $suites"
grep -q '^<testsuites name="echoharness"' "$out/junit.xml" && ok "junit.xml: a <testsuites> root" || bad "junit.xml root: $(sed -n 2p "$out/junit.xml")"
grep -q '<testsuite name="socat"' "$out/socat/junit.xml" && ok "socat/junit.xml is socat's suite" || bad "socat/junit.xml: $(sed -n 2p "$out/socat/junit.xml")"
grep -q '^# echoharness: socat: all 4 scenarios passed' "$out/socat/summary.md" && ok "socat/summary.md title names socat" || bad "socat title: $(head -1 "$out/socat/summary.md")"
grep -qF 'Server under test: socat TCP-LISTEN:{port},reuseaddr,fork EXEC:cat' "$out/socat/summary.md" \
  && ok "socat/summary.md shows the command under test" || bad "socat/summary.md: no command"

# A run of one implementation names it: --name, and the title.
"$EH" run -q --name tutorial --filter basic-echo --report-dir "$WORK/one" --server-cmd "$BIN/echo-server --port {port}" scenarios > /dev/null 2>&1
grep -q '<testsuite name="tutorial"' "$WORK/one/junit.xml" && ok "--name names the testsuite" || bad "--name: $(sed -n 2p "$WORK/one/junit.xml")"
grep -q '^# echoharness: tutorial: ' "$WORK/one/summary.md" && ok "--name names summary.md's title" || bad "title: $(head -1 "$WORK/one/summary.md")"
[ ! -e "$WORK/one/tutorial" ] && [ "$(json "$WORK/one/report.json" "d['layout']")" = single ] && ok "a run of one keeps the single layout" || bad "a run of one made a folder"

# Mistakes, each exit 2 with the message naming the option or the file.
expect_error() { # DESCRIPTION EXPECTED-TEXT ARGS...
  local what=$1 want=$2; shift 2
  "$EH" run -q --report-dir "$WORK/err" "$@" scenarios > /dev/null 2> "$WORK/err.txt"; local st=$?
  if [ $st -eq 2 ] && grep -qF -- "$want" "$WORK/err.txt"; then ok "$what: exit 2: $(head -1 "$WORK/err.txt")"
  else bad "$what: expected exit 2 and '$want', got $st: $(cat "$WORK/err.txt")"; fi
}
expect_error "--impl without =" "--impl: expected NAME=CMD, got 'socat'" --impl socat
expect_error "a name that is no folder name" "--impl: '../x' is not a name" --impl "../x=cat"
expect_error "two implementations of one name" "--impl a: the name 'a' is already given by --impl a" --impl "a=cat" --impl "a=cat"
expect_error "--impl with --server-cmd" "--server-cmd judges one implementation" --impl "a=cat" --server-cmd cat
expect_error "--impl naming a missing program" "--impl a: cannot run no-such-echo: not found in PATH" --impl "a=no-such-echo {port}"
printf '{"implementations": [{"name": "x", "server": "cat", "colour": "red"}]}\n' > "$WORK/bad.json"
expect_error "an unknown key in --impls" "$WORK/bad.json: \$.implementations[0].colour: unknown key" --impls "$WORK/bad.json"
printf '{"implementations": [{"name": "x", "server": "cat", "transports": ["sctp"]}]}\n' > "$WORK/bad.json"
expect_error "an unknown transport in --impls" "$WORK/bad.json: \$.implementations[0].transports[0]: expected one of tcp, udp" --impls "$WORK/bad.json"
printf '{"implementations": [\n  {"name": "x" "server": "cat"}]}\n' > "$WORK/bad.json"
expect_error "--impls that is not JSON" "$WORK/bad.json:2:" --impls "$WORK/bad.json"
expect_error "an implementation no scenario applies to" "--impl-client c: none of the" --impl-client "c=cat" --filter large-stream-echo
finish
