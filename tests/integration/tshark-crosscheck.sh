#!/usr/bin/env bash
# tshark-crosscheck.sh - echoharness analyze agrees with tshark on the real captures.
#
# For every tests/data/real-*/input.pcap (kernel traffic captured by dumpcap,
# see tests/data/make-real-captures.sh), compares what `echoharness analyze
# --json` reports with an independent decoder:
#   TCP: the connections, and frames and frame bytes each way, against
#        `tshark -q -z conv,tcp`;
#   UDP: the exchanges and datagrams each way against `tshark -q -z conv,udp`,
#        and payload bytes each way against the sum of tshark's udp.length - 8.
# Any difference fails (exit 1) and prints both figures. Skipped (exit 77,
# which CTest shows as Skipped) when tshark is not installed; `make test`
# installs it (Makefile TEST_PKGS).
# Environment: EH_SOURCE_DIR, EH_BIN_DIR (set by CTest).
set -euo pipefail

src=${EH_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${EH_BIN_DIR:-$src/build/bin}
if ! command -v tshark >/dev/null; then
    echo "SKIP: tshark not installed (Debian package tshark)"
    exit 77
fi
[ -x "$bin/echoharness" ] || { echo "FAIL: $bin/echoharness not built" >&2; exit 1; }

shopt -s nullglob
captures=("$src"/tests/data/real-*/input.pcap)
[ ${#captures[@]} -gt 0 ] || { echo "FAIL: no tests/data/real-*/input.pcap" >&2; exit 1; }

failed=0
for pcap in "${captures[@]}"; do
    name=$(basename "$(dirname "$pcap")")
    analysis=$(${EH_WRAPPER:-} "$bin/echoharness" analyze --json "$pcap") || { echo "FAIL $name: analyze failed"; failed=1; continue; }
    conv=$(tshark -r "$pcap" -q -z conv,tcp -z conv,udp 2>/dev/null)
    udp=$(tshark -r "$pcap" -Y udp -T fields -E separator=, \
        -e ip.src -e ipv6.src -e udp.srcport -e ip.dst -e ipv6.dst -e udp.dstport -e udp.length 2>/dev/null)
    python3 - "$name" "$analysis" "$conv" "$udp" <<'EOF' || failed=1
import json, re, sys

name, analysis, conv, udp_fields = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]

def ep(s):  # "127.0.0.1:80", "::1:80" (tshark) or "[::1]:80" (echoharness)
    host, port = s.rsplit(":", 1)
    host = host.strip("[]")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

# tshark conv rows: "A <-> B  frames bytes (B->A)  frames bytes (A->B)  total ...".
row = re.compile(r"^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+(\d+) bytes\s+(\d+)\s+(\d+) bytes\s")
tshark = {"TCP": {}, "UDP": {}}
section = None
for line in conv.splitlines():
    if line.endswith(" Conversations"):
        section = line.split()[0]
    elif section and "<->" in line:
        m = row.match(line)
        if not m:
            sys.exit(f"FAIL {name}: cannot read tshark's row (not in bytes?): {line.strip()}")
        a, b = ep(m[1]), ep(m[2])
        tshark[section][(a, b)] = {"frames": int(m[5]), "bytes": int(m[6])}
        tshark[section][(b, a)] = {"frames": int(m[3]), "bytes": int(m[4])}
udp_payload = {}
for line in udp_fields.splitlines():
    v4src, v6src, sport, v4dst, v6dst, dport, length = line.split(",")
    key = (ep(f"{v4src or v6src}:{sport}"), ep(f"{v4dst or v6dst}:{dport}"))
    udp_payload[key] = udp_payload.get(key, 0) + int(length) - 8

ours = {"TCP": {}, "UDP": {}}
for c in analysis["tcp"]:
    cl, sv = ep(c["client"]), ep(c["server"])
    for key, d in (((cl, sv), c["c2s"]), ((sv, cl), c["s2c"])):
        ours["TCP"][key] = {"frames": d["packets"], "bytes": d["frame_bytes"]}
for u in analysis["udp"]:
    cl, sv = ep(u["client"]), ep(u["server"])
    for key, d in (((cl, sv), u["c2s"]), ((sv, cl), u["s2c"])):
        ours["UDP"][key] = {"frames": d["datagrams"], "payload": d["bytes"]}
for key in set(udp_payload) | set(tshark["UDP"]):
    tshark["UDP"].setdefault(key, {"frames": 0, "bytes": 0})["payload"] = udp_payload.get(key, 0)
for proto in ("TCP", "UDP"):  # tshark lists the empty direction of a conversation too
    for key in list(tshark[proto]):
        if tshark[proto][key]["frames"] == 0 and key not in ours[proto]:
            del tshark[proto][key]

bad = []
for proto, fields in (("TCP", ("frames", "bytes")), ("UDP", ("frames", "payload"))):
    theirs, count = len({frozenset(k) for k in tshark[proto]}), len(analysis[proto.lower()])
    if theirs != count:
        bad.append(f"{proto} conversations: tshark {theirs}, echoharness {count}")
    for key in sorted(set(tshark[proto]) | set(ours[proto])):
        t, o = tshark[proto].get(key, {}), ours[proto].get(key, {})
        bad += [f"{proto} {key[0]} -> {key[1]} {what}: tshark {t.get(what)}, echoharness {o.get(what)}"
                for what in fields if t.get(what) != o.get(what)]
if bad:
    print(f"FAIL {name}:\n  " + "\n  ".join(bad))
    sys.exit(1)
summary = "; ".join(f"{k[0]} -> {k[1]} " + ", ".join(f"{v} {w}" for w, v in d.items())
                    for p in ("TCP", "UDP") for k, d in sorted(ours[p].items()))
print(f"ok {name}: {len(analysis['tcp'])} tcp, {len(analysis['udp'])} udp; {summary}")
EOF
done
if [ $failed -ne 0 ]; then
    echo "tshark-crosscheck: mismatches found"
    exit 1
fi
echo "tshark-crosscheck: ${#captures[@]} captures agree with tshark"
