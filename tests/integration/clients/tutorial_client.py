# The socket tutorial's echo client, unchanged but for the address taken from
# the command line: a client that nobody on this project wrote and that keeps
# no event log, judged through --client-cmd. Usage:
#   python3 tutorial_client.py HOST PORT [bind PORT]
# With "bind PORT" it binds that source port before connecting: a fixed port
# outside ip_local_port_range, which only the wire can show.
import socket
import sys

HOST = sys.argv[1]
PORT = int(sys.argv[2])
BIND = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "bind" else None

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    if BIND is not None:
        s.bind((HOST, BIND))
    s.connect((HOST, PORT))
    s.sendall(b"Hello, world")
    data = s.recv(1024)

print(f"Received {data!r}")
