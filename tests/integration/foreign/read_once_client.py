# Buggy: the socket tutorial's echo client. It sends its message, calls
# recv(1024) once, and closes: when the echo comes back in pieces it keeps
# the first piece and the rest is lost. Usage: python3 read_once_client.py HOST PORT
import socket
import sys

HOST, PORT = sys.argv[1], int(sys.argv[2])

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.connect((HOST, PORT))
    s.sendall(b"Hello, world")
    data = s.recv(1024)

print(f"Received {data!r}")
