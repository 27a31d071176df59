"""A TCP echo server from Python's standard library: socketserver.ThreadingTCPServer with a
StreamRequestHandler, in the handout's entry file. A real implementation nobody here wrote.

Usage: python3 server.py PORT
"""

import socketserver
import sys


class EchoHandler(socketserver.StreamRequestHandler):
    def handle(self):
        # read1: whatever has arrived (at most 64 KiB), b"" once the client has closed its side.
        while data := self.rfile.read1(65536):
            self.wfile.write(data)  # the unbuffered writer sends it all (sendall)


class EchoServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True  # the documented knob: restart at once on the same port
    daemon_threads = True


if __name__ == "__main__":
    with EchoServer(("", int(sys.argv[1])), EchoHandler) as server:
        server.serve_forever()
