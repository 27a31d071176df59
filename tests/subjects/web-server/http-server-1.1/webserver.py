"""Python's own web server speaking HTTP/1.1: http.server's ThreadingHTTPServer with a
SimpleHTTPRequestHandler whose protocol_version is HTTP/1.1 (persistent connections, closed
when the request says "Connection: close")."""

import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer


class Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"


port = int(sys.argv[1]) if len(sys.argv) > 1 else 6789
ThreadingHTTPServer(("", port), Handler).serve_forever()
