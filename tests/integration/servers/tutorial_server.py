# The socket tutorial's echo server, unchanged but for the address taken from
# the command line: a server that nobody on this project wrote, judged through
# --server-cmd. Usage: python3 tutorial_server.py HOST PORT [upper|abort]
# Faulty variants the scenarios must catch: with "upper" it echoes in upper
# case; with "abort" it ends the connection with SO_LINGER {1, 0}, so close()
# sends RST instead of FIN (visible only on the wire).
import socket
import struct
import sys

HOST = sys.argv[1]
PORT = int(sys.argv[2])
MODE = sys.argv[3] if len(sys.argv) > 3 else ""
UPPER = MODE == "upper"

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
        if MODE == "abort":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
