# The socket tutorial's echo server, unchanged but for the address taken from
# the command line: a server that nobody on this project wrote, judged through
# --server-cmd. Usage: python3 tutorial_server.py HOST PORT [upper]
# With "upper" it echoes in upper case: a faulty server the scenarios must catch.
import socket
import sys

HOST = sys.argv[1]
PORT = int(sys.argv[2])
UPPER = len(sys.argv) > 3 and sys.argv[3] == "upper"

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.bind((HOST, PORT))
    s.listen()
    conn, addr = s.accept()
    with conn:
        print(f"Connected by {addr}")
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(data.upper() if UPPER else data)
