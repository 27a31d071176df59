"""A UDP echo server from Python's standard library: socketserver.UDPServer with a
DatagramRequestHandler, in the handout's entry file. A real implementation nobody here wrote.

Usage: python3 server.py PORT
"""

import socketserver
import sys


class EchoHandler(socketserver.DatagramRequestHandler):
    def handle(self):
        # rfile holds the datagram; what is written to wfile goes back to its sender in one
        # datagram, from the server's socket (DatagramRequestHandler.finish).
        self.wfile.write(self.rfile.read())


class EchoServer(socketserver.UDPServer):
    max_packet_size = 65535  # the documented knob (default 8192): the largest UDP datagram


if __name__ == "__main__":
    with EchoServer(("", int(sys.argv[1])), EchoHandler) as server:
        server.serve_forever()
