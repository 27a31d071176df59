"""Python's own web server, handed in as the web-server assignment: http.server's
ThreadingHTTPServer with SimpleHTTPRequestHandler (HTTP/1.0 responses, "404 File not found"),
serving the working directory on the port given on the command line."""

import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

port = int(sys.argv[1]) if len(sys.argv) > 1 else 6789
ThreadingHTTPServer(("", port), SimpleHTTPRequestHandler).serve_forever()
