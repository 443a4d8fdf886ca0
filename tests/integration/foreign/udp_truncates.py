# Buggy: a UDP echo server written from the TCP tutorial, with its
# recvfrom(1024): a longer datagram is cut to its first 1024 bytes (the
# rest is discarded by the kernel), and the cut one is what goes back.
# Usage: python3 udp_truncates.py HOST PORT
import socket
import sys

HOST, PORT = sys.argv[1], int(sys.argv[2])

with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.bind((HOST, PORT))
    while True:
        data, addr = s.recvfrom(1024)
        s.sendto(data, addr)
