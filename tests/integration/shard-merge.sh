#!/usr/bin/env bash
# --shard K/N and merge: three shards of a run of several implementations,
# merged, give the same verdicts as the unsharded run; every selected
# (implementation, scenario) pair is in exactly one shard, the one FNV-1a 64
# of "impl/scenario" modulo N names (so a pair never moves when scenarios are
# added); --shard auto reads GitLab's CI_NODE_INDEX/CI_NODE_TOTAL; merge
# brings the captures from beside the parts; and merge refuses parts of
# another selection or version, or a shard given twice, with exit 2 and a
# message naming the file, and says when a shard is missing (exit 1).
. "$(dirname "$0")/lib.bash"
need xmllint libxml2-utils

args="--host {host} --port {port} --transport {transport} --family {family}"
impls=(--impl reference="$BIN/echo-server $args" --impl corrupt="$BIN/faulty-server-corrupt $args"
  --impl echoes-once="$BIN/faulty-server-echoes-once $args")
"$EH" run -q -j 2 --report-dir "$WORK/all" "${impls[@]}" scenarios > "$WORK/all.out" 2>&1
[ $? -eq 1 ] && ok "the unsharded run: exit 1 (faulty servers)" || { bad "unsharded run"; cat "$WORK/all.out"; }
for k in 1 2 3; do
  "$EH" run -q -j 2 --shard $k/3 --report-dir "$WORK/shard-$k" "${impls[@]}" scenarios > "$WORK/shard-$k.out" 2>&1
  st=$?; [ $st -le 1 ] && ok "shard $k/3: exit $st" || { bad "shard $k/3: exit $st"; cat "$WORK/shard-$k.out"; }
done
"$EH" merge "$WORK"/shard-{1,2,3}/report.json --report-dir "$WORK/merged" > "$WORK/merge.out" 2>&1
st=$?; [ $st -eq 1 ] && ok "merge of 3 shards: exit 1, as the unsharded run" || { bad "merge: exit $st"; cat "$WORK/merge.out"; }

# verdicts REPORT: "impl/scenario VERDICT" per result, sorted.
verdicts() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("\n".join(sorted("%s/%s %s" % (s["implementation"], s["name"], s["verdict"]) for s in d["scenarios"])))' "$1"; }
if diff <(verdicts "$WORK/all/report.json") <(verdicts "$WORK/merged/report.json") > "$WORK/diff"; then
  ok "the merged verdicts equal the unsharded run's ($(verdicts "$WORK/all/report.json" | wc -l) pairs)"
else bad "merged verdicts differ:"; cat "$WORK/diff"; fi
same=$(python3 -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:]); print(a["selection"] == b["selection"] and [s["name"] for s in a["scenarios"]] == [s["name"] for s in b["scenarios"]])' "$WORK/all/report.json" "$WORK/merged/report.json")
[ "$same" = True ] && ok "same selection, results in the same order" || bad "selection or order differs"
for f in summary.md; do
  if diff <(grep '^| ' "$WORK/all/$f") <(grep '^| ' "$WORK/merged/$f") > "$WORK/diff"; then ok "$f: the merged grid equals the unsharded one"
  else bad "$f grids differ:"; cat "$WORK/diff"; fi
done
grep -q '^Shards: 3 of 3  $' "$WORK/merged/summary.md" && ok "summary.md: Shards: 3 of 3" || bad "summary.md shards line missing"
n=$(find "$WORK/merged" -name '*.pcap' | wc -l); want=$(find "$WORK/all" -name '*.pcap' | wc -l)
[ "$n" -eq "$want" ] && [ "$n" -gt 0 ] && ok "merge brought the $n captures" || bad "merged captures: $n, unsharded: $want"
[ -s "$WORK/merged/corrupt/report.html" ] && grep -q 'href="corrupt/report.html#s' "$WORK/merged/report.html" \
  && ok "merge wrote the index and each implementation's report" || bad "merged index or corrupt/ missing"

# Each pair in exactly one shard: the one FNV-1a 64 of its name says.
python3 - "$WORK" << 'PY' > "$WORK/shards.out"
import json, sys
w = sys.argv[1]
def fnv(s):
    h = 0xcbf29ce484222325
    for b in s.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return h
sel = json.load(open(w + "/all/report.json"))["selection"]["pairs"]
where = {}
for k in (1, 2, 3):
    d = json.load(open("%s/shard-%d/report.json" % (w, k)))
    assert d["shard"] == {"of": 3, "parts": [k]}, d["shard"]
    for s in d["scenarios"]:
        where.setdefault(s["implementation"] + "/" + s["name"], []).append(k)
bad = [p for p in sel if where.get(p) != [fnv(p) % 3 + 1]]
print("OK" if not bad and sorted(where) == sorted(sel) else "BAD %s %s" % (bad, sorted(set(where) ^ set(sel))))
print(" ".join(str(sum(1 for p in sel if fnv(p) % 3 + 1 == k)) for k in (1, 2, 3)))
PY
[ "$(head -1 "$WORK/shards.out")" = OK ] && ok "every pair is in exactly the shard FNV-1a 64 of its name modulo 3 says (sizes $(tail -1 "$WORK/shards.out"))" \
  || bad "shard membership: $(cat "$WORK/shards.out")"

# --shard auto: GitLab's variables.
CI_NODE_INDEX=2 CI_NODE_TOTAL=3 "$EH" run -q --shard auto --report-dir "$WORK/auto" "${impls[@]}" scenarios > /dev/null 2>&1
if diff <(verdicts "$WORK/shard-2/report.json" | cut -d' ' -f1) <(verdicts "$WORK/auto/report.json" | cut -d' ' -f1) > /dev/null; then
  ok "--shard auto with CI_NODE_INDEX=2 CI_NODE_TOTAL=3 runs shard 2/3"; else bad "--shard auto ran other pairs"; fi
"$EH" run -q --shard auto --report-dir "$WORK/x" scenarios > /dev/null 2> "$WORK/err"
[ $? -eq 2 ] && grep -q "CI_NODE_INDEX and CI_NODE_TOTAL" "$WORK/err" && ok "--shard auto without the variables: exit 2" || bad "--shard auto unset: $(cat "$WORK/err")"
for bad_shard in 0/3 4/3 3 a/b 1/0; do
  "$EH" run -q --shard "$bad_shard" scenarios > /dev/null 2> "$WORK/err"
  [ $? -eq 2 ] && grep -q "expected K/N" "$WORK/err" || bad "--shard $bad_shard: $(cat "$WORK/err")"
done
ok "--shard 0/3, 4/3, 3, a/b, 1/0: exit 2"

# A run of one implementation shards and merges too (the CI recipes' case).
for k in 1 2; do "$EH" run -q --name ref --shard $k/2 --filter echo --report-dir "$WORK/one-$k" scenarios > /dev/null 2>&1; done
"$EH" run -q --name ref --filter echo --report-dir "$WORK/one-all" scenarios > /dev/null 2>&1
"$EH" merge "$WORK"/one-{1,2}/report.json --report-dir "$WORK/one-merged" > /dev/null 2>&1
st=$?
if [ $st -eq 0 ] && diff <(verdicts "$WORK/one-all/report.json") <(verdicts "$WORK/one-merged/report.json") > /dev/null \
  && [ -d "$WORK/one-merged/pcap" ] && [ ! -d "$WORK/one-merged/ref" ]; then
  ok "one implementation: 2 shards merged equal the unsharded run, in the single layout"
else bad "one implementation: merge exit $st"; fi

# Refusals: exit 2, the message names the file.
refuses() { # DESCRIPTION EXPECTED-TEXT PART...
  local what=$1 want=$2; shift 2
  "$EH" merge "$@" --report-dir "$WORK/refused" > /dev/null 2> "$WORK/err"; local st=$?
  if [ $st -eq 2 ] && grep -qF -- "$want" "$WORK/err"; then ok "refuses $what: $(cat "$WORK/err")"
  else bad "$what: expected exit 2 and '$want', got $st: $(cat "$WORK/err")"; fi
}
refuses "another selection" "$WORK/one-1/report.json: another selection than $WORK/shard-1/report.json" \
  "$WORK/shard-1/report.json" "$WORK/one-1/report.json"
refuses "a shard twice" "$WORK/shard-1/report.json: shard 1/3 is also in $WORK/shard-1/report.json" \
  "$WORK/shard-1/report.json" "$WORK/shard-1/report.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["version"]="9.9.9"; json.dump(d, open(sys.argv[2], "w"))' \
  "$WORK/shard-2/report.json" "$WORK/other-version.json"
refuses "another version" "$WORK/other-version.json: written by echoharness 9.9.9, but $WORK/shard-1/report.json by" \
  "$WORK/shard-1/report.json" "$WORK/other-version.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["schema_version"]=1; del d["selection"]; json.dump(d, open(sys.argv[2], "w"))' \
  "$WORK/shard-2/report.json" "$WORK/old.json"
v=$(json "$WORK/shard-1/report.json" "d['schema_version']")
refuses "a report of schema_version 1" "$WORK/old.json: \$.schema_version: expected $v, got 1" "$WORK/shard-1/report.json" "$WORK/old.json"
refuses "a file that is not a report" "$WORK/all.out:1:" "$WORK/all.out"
"$EH" merge "$WORK/shard-1/report.json" > /dev/null 2>&1; [ $? -eq 2 ] && ok "merge without --report-dir: exit 2" || bad "merge without --report-dir"

# A missing shard: the report of what was given, exit 1, and the message.
"$EH" merge "$WORK"/shard-{1,3}/report.json --report-dir "$WORK/partial" > /dev/null 2> "$WORK/err"
st=$?
[ $st -eq 1 ] && grep -q "shard 2 of 3 not given" "$WORK/err" && grep -q 'Shards: 2 of 3 (missing: 2)' "$WORK/partial/summary.md" \
  && ok "a missing shard: exit 1, '$(cat "$WORK/err")'" || bad "missing shard: exit $st: $(cat "$WORK/err")"
finish
