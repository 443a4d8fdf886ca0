# Buggy: a threaded echo server that keeps every accepted socket in a list
# (to count and list its clients) and never closes one: each client that has
# gone costs a descriptor for ever, and the client never sees the server's
# FIN. Usage: python3 leaks_fd.py HOST PORT
import socket
import sys
import threading

HOST, PORT = sys.argv[1], int(sys.argv[2])
clients = []


def serve(conn):
    while True:
        try:
            data = conn.recv(4096)
        except OSError:
            return
        if not data:
            return
        conn.sendall(data)


with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, PORT))
    s.listen(16)
    while True:
        conn, addr = s.accept()
        clients.append(conn)
        print(f"client {len(clients)} from {addr}", flush=True)
        threading.Thread(target=serve, args=(conn,), daemon=True).start()
