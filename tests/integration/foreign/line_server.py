# Buggy: a threaded echo server written with socketserver's stream handler,
# reading the connection as lines: it sends a line back once its newline has
# come, so bytes without a newline after them wait (for the next newline or
# for the end of the stream) instead of coming back as they arrive.
# Usage: python3 line_server.py HOST PORT
import socketserver
import sys


class LineEcho(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


with Server((sys.argv[1], int(sys.argv[2])), LineEcho) as server:
    server.serve_forever()
