# helper functions for the web server lab

TYPES = {'html': 'text/html', 'png': 'image/png', 'jpg': 'image/jpeg', 'txt': 'text/plain'}


def read_request(conn):
    """Read until the end of the headers, return (method, path) or None."""
    data = b''
    while b'\r\n\r\n' not in data:
        part = conn.recv(4096)
        if not part:
            return None
        data += part
    first = data.split(b'\r\n', 1)[0].decode('latin-1')
    words = first.split()
    if len(words) < 2:
        return None
    return words[0], words[1]


def content_type(name):
    ext = name.rsplit('.', 1)[-1].lower()
    return TYPES.get(ext, 'application/octet-stream')


def response_header(code, reason, length, name='x.html'):
    lines = [
        'HTTP/1.1 %d %s' % (code, reason),
        'Content-Type: ' + content_type(name),
        'Content-Length: %d' % length,
        'Connection: close',
        '',
        '',
    ]
    return '\r\n'.join(lines).encode()
