# A correct echo client in Python: sends one message, reads until the whole
# echo is back (recv returns what has arrived, not the whole message), then
# closes. Usage: python3 echo_client.py tcp|udp HOST PORT [MESSAGE]
# Exits 0 with the whole echo, 1 when the server closed early, refused the
# connection or did not answer.
import socket
import sys


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("tcp", "udp"):
        print("usage: echo_client.py tcp|udp HOST PORT [MESSAGE]", file=sys.stderr)
        return 2
    transport, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    message = (sys.argv[4] if len(sys.argv) > 4 else "Hello, world").encode()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    kind = socket.SOCK_STREAM if transport == "tcp" else socket.SOCK_DGRAM
    try:
        with socket.socket(family, kind) as s:
            s.settimeout(5)
            s.connect((host, port))
            if transport == "udp":
                s.send(message)
                data = s.recv(65535)
            else:
                s.sendall(message)
                data = b""
                while len(data) < len(message):
                    chunk = s.recv(1024)
                    if not chunk:
                        break
                    data += chunk
    except OSError as e:
        print(f"echo_client: {host} port {port}: {e}", file=sys.stderr)
        return 1
    print(f"Received {data!r}")
    if data != message:
        print(f"echo_client: got {len(data)} of {len(message)} bytes", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
