# An echo server nobody on this project wrote the C of: Python's socketserver,
# used as its documentation shows, to judge through --server-cmd against the
# server scenarios (scenarios/server-*.json). Usage:
#   python3 threaded_server.py tcp|udp HOST PORT
# TCP: a thread per client, each echoing with recv/sendall until recv returns
# b"" (socketserver then shuts down the sending side and closes). A client's
# reset ends its own thread only (socketserver reports it and goes on).
# UDP: every datagram answered by one datagram with its data, in the order
# they came, into a buffer large enough for any (socketserver's default of
# 8192 bytes would cut larger datagrams).
import socketserver
import sys


class EchoStream(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            data = self.request.recv(65536)
            if not data:
                break
            self.request.sendall(data)


class EchoDatagram(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(data, self.client_address)


class TCPServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class UDPServer(socketserver.UDPServer):
    allow_reuse_address = True
    max_packet_size = 65536


def main():
    transport, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    server = (TCPServer if transport == "tcp" else UDPServer)(
        (host, port), EchoStream if transport == "tcp" else EchoDatagram)
    with server:
        server.serve_forever()


if __name__ == "__main__":
    main()
