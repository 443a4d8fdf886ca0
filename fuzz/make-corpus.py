#!/usr/bin/env python3
"""make-corpus.py - write the seed corpora of the fuzz targets, on purpose.

Writes fuzz/corpus/<target>/ from the test data, so every seed is an input
the tests already know:
  decode         the first frames of every tests/data capture (one per file)
  flow           every tests/data capture in fuzz_flow's frame-list form
  capture_file   every tests/data/*/input.pcap, and three as pcapng
  scenario       scenarios/*.json, tests/data/scenarios-valid/*.json,
                 tests/invalid/*.json
  template       the command templates below
  report_reader  reports/baselines/reference.json, small hand-made reports,
                 and the REPORT.json files given on the command line, trimmed
                 (event logs cut to a few entries, paths to base names)
Seed files are overwritten, never deleted: remove stale ones by hand. The
committed report seeds came from `echoharness run` with
--server-program faulty-server-corrupt --filter basic-echo,
--repeat 2 --filter recv1-partial-echo, and --server-cmd with --filter
'*-[bcd]*' (PASS and SKIP verdicts).
Keep the corpora small: the script prints their total size (keep it under
1 MiB). The tests never run it.

Usage: python3 fuzz/make-corpus.py [REPORT.json...]
"""
import hashlib
import json
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus")

# LINKTYPE_ value in a file header -> index into eh_fuzz_linktypes (fuzz/fuzz.h):
# EN10MB, LINUX_SLL, LINUX_SLL2, NULL, LOOP, RAW, IPV4, IPV6, then USER0 (8)
# for any other.
LINKTYPE_INDEX = {1: 0, 113: 1, 276: 2, 0: 3, 108: 4, 101: 5, 228: 6, 229: 7}
DECODE_FRAMES_PER_FILE = 6

TEMPLATES = [
    "python3 my_server.py {host} {port}",
    "./my-client --{transport} --{family} {host} {port}",
    "sh -c 'exec ./srv --port {port}' \"a b\" c\\ d",
    "prog '' \"\" {{literal}} \"$HOME \\\" \\\\ \\$ \\`\" 'it'\\''s'",
    "tab\tseparated\nwords {odd}",
    "bad {unknown} placeholder",
    "unterminated 'quote",
    "trailing \\",
    "}",
]

SMALL_REPORTS = [
    {"scenarios": []},
    {"scenarios": [{"name": "a", "verdict": "PASS"}, {"name": "b", "verdict": "FAIL",
                                                      "reason": "expected x, got y"}]},
    {"scenarios": [{"name": "a", "verdict": "SKIP"}, {"name": "a", "verdict": "ERROR"},
                   {"name": "t", "verdict": "TIMEOUT", "checks": [{"verdict": "FAIL"}],
                    "roles": {"server": {"exit": {"signal": "SIGPIPE", "signo": 13},
                                         "stdout": "x\u0000y", "events": [{}]}}}]},
    {"scenarios": [{"name": 1, "verdict": "PASS"}]},
]


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def sha(data):
    return hashlib.sha1(data).hexdigest()


def captures():
    """(case name, path) of every capture under tests/data."""
    out = []
    data = os.path.join(ROOT, "tests", "data")
    for top in sorted(os.listdir(data)):
        p = os.path.join(data, top)
        if os.path.isfile(os.path.join(p, "input.pcap")):
            out.append((top, os.path.join(p, "input.pcap")))
        elif os.path.isdir(p):
            for case in sorted(os.listdir(p)):
                q = os.path.join(p, case, "input.pcap")
                if os.path.isfile(q):
                    out.append((case, q))
    return out


def read_pcap(path):
    """(linktype, [(ts_us, caplen bytes, wire length)]); stops at a cut record."""
    with open(path, "rb") as f:
        b = f.read()
    magic = struct.unpack("<I", b[:4])[0]
    e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
    linktype = struct.unpack(e + "I", b[20:24])[0] & 0xFFFF
    frames, at = [], 24
    while at + 16 <= len(b):
        sec, frac, incl, orig = struct.unpack(e + "IIII", b[at:at + 16])
        at += 16
        if at + incl > len(b):
            break
        frames.append((sec * 1000000 + (frac // 1000 if nano else frac), b[at:at + incl], orig))
        at += incl
    return linktype, frames


def flow_seed(linktype, frames):
    out = bytearray([LINKTYPE_INDEX.get(linktype, 8)])
    prev = frames[0][0] if frames else 0
    for ts, data, orig in frames:
        dt = max(0, min(255, (ts - prev) // 1000))
        prev = ts
        out += struct.pack("<HBB", len(data), max(0, min(255, orig - len(data))), dt)
        out += data
    return bytes(out)


def pcapng(linktype, frames):
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = len(body) + 12
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)

    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", linktype, 0, 262144))
    for ts, data, orig in frames:
        out += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(data), orig) + data)
    return out


def trim_report(report):
    """A run's report cut to a seed: three scenarios, a few events per role,
    output and the wire table cut short, paths as base names."""
    report["scenarios"] = report.get("scenarios", [])[:3]
    for sc in report["scenarios"]:
        for role in sc.get("roles", {}).values():
            if isinstance(role.get("events"), list):
                role["events"] = role["events"][:4]
            if isinstance(role.get("argv"), list) and role["argv"]:
                role["argv"] = [os.path.basename(a) for a in role["argv"]]
            for key in ("stdout", "stderr"):
                if isinstance(role.get(key), str):
                    role[key] = role[key][:200]
        if isinstance(sc.get("wire_text"), str):
            sc["wire_text"] = sc["wire_text"][:600]
    report["command"] = "run"
    return report


def json_words(value, out):
    """Every member name, and every short string value, of a JSON value."""
    if isinstance(value, dict):
        for k, v in value.items():
            out.add(k)
            json_words(v, out)
    elif isinstance(value, list):
        for v in value:
            json_words(v, out)
    elif isinstance(value, str) and len(value) <= 24:
        out.add(value)


def write_dict(target, dirs):
    """fuzz/<target>.dict: libFuzzer's dictionary of the JSON words (quoted)
    found in the files of dirs, so mutations insert whole member names."""
    words = set()
    for d in dirs:
        for name in sorted(os.listdir(d)):
            try:
                with open(os.path.join(d, name)) as f:
                    json_words(json.load(f), words)
            except ValueError:
                continue
    lines = ['"%s"' % json.dumps(w)[1:-1].replace("\\", "\\\\").replace('"', '\\"')
             for w in sorted(words) if w.isprintable()]
    lines = ['"\\"%s\\""' % l[1:-1] for l in lines]
    lines += ['"true"', '"false"', '"null"', '"{}"', '"[]"', '":"', '","']
    with open(os.path.join(ROOT, "fuzz", target + ".dict"), "w") as f:
        f.write("# %s.dict - written by fuzz/make-corpus.py: JSON words of the seeds.\n" % target)
        f.write("\n".join(lines) + "\n")


def main():
    pcapng_cases = {"real-basic-echo", "link-sll2", "udp-fragments"}
    for case, path in captures():
        with open(path, "rb") as f:
            raw = f.read()
        write("capture_file", case + ".pcap", raw)
        linktype, frames = read_pcap(path)
        if case in pcapng_cases:
            write("capture_file", case + ".pcapng", pcapng(linktype, frames))
        write("flow", case, flow_seed(linktype, frames))
        for _, data, _ in frames[:DECODE_FRAMES_PER_FILE]:
            write("decode", sha(data), data)
    for d in ("scenarios", os.path.join("tests", "data", "scenarios-valid"),
              os.path.join("tests", "invalid")):
        for name in sorted(os.listdir(os.path.join(ROOT, d))):
            if name.endswith(".json"):
                with open(os.path.join(ROOT, d, name), "rb") as f:
                    prefix = os.path.basename(d)
                    write("scenario", prefix + "-" + name, f.read())
    for t in TEMPLATES:
        write("template", sha(t.encode()), t.encode())
    with open(os.path.join(ROOT, "reports", "baselines", "reference.json"), "rb") as f:
        write("report_reader", "baseline-reference.json", f.read())
    for i, r in enumerate(SMALL_REPORTS):
        write("report_reader", "small-%d.json" % i, json.dumps(r).encode())
    for path in sys.argv[1:]:
        with open(path) as f:
            r = trim_report(json.load(f))
        name = "run-" + sha(json.dumps(r, sort_keys=True).encode())[:12] + ".json"
        write("report_reader", name, json.dumps(r, indent=1).encode())
    write_dict("scenario", [os.path.join(ROOT, "scenarios"),
                            os.path.join(ROOT, "tests", "data", "scenarios-valid")])
    write_dict("report_reader", [os.path.join(OUT, "report_reader")])
    total = 0
    for d, _, files in os.walk(OUT):
        for name in files:
            total += os.path.getsize(os.path.join(d, name))
    print("fuzz/corpus: %d bytes" % total)


if __name__ == "__main__":
    main()
