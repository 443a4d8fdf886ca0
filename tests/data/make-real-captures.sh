#!/usr/bin/env bash
# make-real-captures.sh - regenerate tests/data/real-*/input.pcap on purpose.
#
# Each case runs in a fresh private network namespace (unshare -n, only lo
# up), where dumpcap captures lo into pcap format while the reference echo
# server and client (build/bin, or a python3 stand-in with the same options
# when they are not built) do one exchange. The captures are real kernel
# traffic, made by another tool than echoharness, and a few KB each.
# Afterwards run tests/data/regen-golden.sh to refresh their expected.json.
#
# Usage: tests/data/make-real-captures.sh [CASE...]   (as root; default: all)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bin=${EH_BIN_DIR:-$here/../../build/bin}
port=65432
all_cases="basic-echo recv1-rst half-close refused udp ipv6"

# A stand-in for echo-server / echo-client taking the same options:
#   server --host H --port P [--transport udp] [--family ipv6] [--recv-size N]
#   client --host H --port P [--transport udp] [--family ipv6] [--read-all] [--shutdown-write]
# The server serves one connection (or one datagram); the client sends
# "Hello, world" and reads once, or until EOF with --read-all.
py_echo='
import argparse, socket, sys
ap = argparse.ArgumentParser()
ap.add_argument("role")
ap.add_argument("--host"); ap.add_argument("--port", type=int)
ap.add_argument("--transport", default="tcp"); ap.add_argument("--family", default="ipv4")
ap.add_argument("--recv-size", type=int, default=1024)
ap.add_argument("--read-all", action="store_true"); ap.add_argument("--shutdown-write", action="store_true")
a = ap.parse_args()
fam = socket.AF_INET6 if ":" in a.host else socket.AF_INET
typ = socket.SOCK_DGRAM if a.transport == "udp" else socket.SOCK_STREAM
s = socket.socket(fam, typ)
if a.role == "server":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.host, a.port))
    if typ == socket.SOCK_DGRAM:
        data, peer = s.recvfrom(65535); s.sendto(data, peer); sys.exit(0)
    s.listen(1); c, _ = s.accept()
    try:
        while (data := c.recv(a.recv_size)):
            c.sendall(data)
    except OSError:
        pass
    c.close()
else:
    s.connect((a.host, a.port)); s.sendall(b"Hello, world")
    if a.shutdown_write:
        s.shutdown(socket.SHUT_WR)
    while (data := s.recv(1024)) and a.read_all:
        pass
    s.close()
'

server() {
    if [ -x "$bin/echo-server" ]; then "$bin/echo-server" "$@"; else python3 -c "$py_echo" server "$@"; fi
}
client() {
    if [ -x "$bin/echo-client" ]; then "$bin/echo-client" "$@"; else python3 -c "$py_echo" client "$@"; fi
}

# Waits (at most 5 s) until something listens on $port.
wait_listening() {
    for _ in $(seq 500); do
        [ -n "$(ss -Hlntu "sport = :$port")" ] && return 0
        sleep 0.01
    done
    echo "no listener on port $port" >&2
    return 1
}

# Runs case $1 inside the current (private) namespace, capturing lo to $2.
run_case() {
    local name=$1 out=$2 log srv="" sargs=() cargs=()
    case $name in
    basic-echo) sargs=(--host 127.0.0.1) cargs=(--host 127.0.0.1) ;;
    recv1-rst) sargs=(--host 127.0.0.1 --recv-size 1) cargs=(--host 127.0.0.1) ;;
    half-close) sargs=(--host 127.0.0.1) cargs=(--host 127.0.0.1 --shutdown-write --read-all) ;;
    refused) cargs=(--host 127.0.0.1) ;;
    udp) sargs=(--host 127.0.0.1 --transport udp) cargs=(--host 127.0.0.1 --transport udp) ;;
    ipv6) sargs=(--host ::1 --family ipv6) cargs=(--host ::1 --family ipv6) ;;
    *) echo "unknown case: $name" >&2; return 2 ;;
    esac
    ip link set lo up
    log=$(mktemp)
    dumpcap -i lo -P -q -w "$out" 2>"$log" &
    local cap=$!
    for _ in $(seq 500); do grep -q '^File:' "$log" && break; sleep 0.01; done
    if [ ${#sargs[@]} -gt 0 ]; then
        server --port $port "${sargs[@]}" >/dev/null &
        srv=$!
        wait_listening
    fi
    client --port $port "${cargs[@]}" >/dev/null || [ "$name" = refused ]
    if [ -n "$srv" ]; then # the server ends after its one exchange; 2 s at most
        for _ in $(seq 200); do kill -0 "$srv" 2>/dev/null || break; sleep 0.01; done
        kill "$srv" 2>/dev/null || true
        wait "$srv" || true
    fi
    # dumpcap reads the kernel ring in blocks that are handed over after a
    # timeout (no immediate mode): a stop before then loses the last block.
    sleep 1.2
    kill -INT $cap
    wait $cap
    rm -f "$log"
}

if [ "${1:-}" = --in-netns ]; then
    run_case "$2" "$3"
    exit
fi

[ "$(id -u)" = 0 ] || { echo "run as root (unshare -n and dumpcap on the namespace's lo)" >&2; exit 2; }
command -v dumpcap >/dev/null || { echo "dumpcap not found (Debian package tshark)" >&2; exit 2; }
[ -x "$bin/echo-server" ] || echo "note: $bin/echo-server not built; using the python3 stand-in" >&2

cases=("$@")
[ ${#cases[@]} -gt 0 ] || read -ra cases <<<"$all_cases"
for name in "${cases[@]}"; do
    dir=$here/real-$name
    mkdir -p "$dir"
    tmp=$(mktemp /tmp/eh-real.XXXXXX.pcap)
    # recv1-rst shows the client's RST only when its one recv got fewer than
    # all bytes (from most runs to one in ten, with load; docs/linux-behaviour.md
    # §4): retry until it does.
    want="frame"
    [ "$name" = recv1-rst ] && want="tcp.flags.reset == 1 && tcp.dstport == $port"
    for try in $(seq 20); do
        unshare -n -- "$0" --in-netns "$name" "$tmp"
        [ -n "$(tshark -r "$tmp" -Y "$want" 2>/dev/null)" ] && break
        [ "$try" = 20 ] && { echo "real-$name: no capture with \"$want\" in 20 tries" >&2; exit 1; }
        echo "real-$name: try $try has no \"$want\", again" >&2
    done
    mv "$tmp" "$dir/input.pcap"
    chmod 644 "$dir/input.pcap"
    printf '%-22s %6s bytes, %s packets\n' "real-$name" "$(stat -c %s "$dir/input.pcap")" \
        "$(tshark -r "$dir/input.pcap" 2>/dev/null | wc -l)"
done
