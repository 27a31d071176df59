"""An ESMTP client that wants security first: EHLO, then STARTTLS and AUTH LOGIN if it can.

Usage: python3 smtp_client.py HOST PORT

Written as a careful client talks to a server it does not know: it reads each reply whole
(multi-line replies up to the line whose code is followed by a space), tries STARTTLS and
AUTH LOGIN even though the server's EHLO reply offers neither, and goes on in plain text
without logging in when the server refuses them (502, 530 ...), as a submission client
configured for "opportunistic" security does. A 5xx reply to the envelope or the message
ends the mail with RSET, and the client always says QUIT.
"""

import base64
import socket
import sys


class Connection:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=30)
        self.file = self.sock.makefile("rb")

    def reply(self):
        """(code, lines) of one whole reply."""
        lines = []
        while True:
            line = self.file.readline(4096)
            if not line.endswith(b"\r\n"):
                raise ConnectionError(f"the reply ended early: {line!r}")
            text = line[:-2].decode("utf-8", "replace")
            lines.append(text)
            print(f"S: {text}", flush=True)
            if len(text) < 4 or text[3] != "-":
                return int(text[:3]), lines

    def command(self, text):
        print(f"C: {text}", flush=True)
        self.sock.sendall(text.encode() + b"\r\n")
        return self.reply()

    def close(self):
        self.file.close()
        self.sock.close()


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    conn = Connection(host, port)
    try:
        code, _ = conn.reply()
        if code != 220:
            sys.exit(f"no greeting: {code}")
        code, lines = conn.command("EHLO client.example.org")
        offered = {line[4:].split()[0].upper() for line in lines[1:] if len(line) > 4}
        print(f"offered: {sorted(offered)}", flush=True)
        # Try them whatever the server offered: a refusal (502, 530 ...) just means plain text.
        code, _ = conn.command("STARTTLS")
        if code == 220:
            sys.exit("this client has no TLS library wired in: it cannot go on")
        code, _ = conn.command("AUTH LOGIN")
        if code == 334:
            conn.command(base64.b64encode(b"carol").decode())
            conn.command(base64.b64encode(b"secret").decode())
        sent = False
        code, _ = conn.command("MAIL FROM:<carol@example.org>")
        if code == 250:
            code, _ = conn.command("RCPT TO:<dave@example.net>")
            if code == 250:
                code, _ = conn.command("DATA")
                if code == 354:
                    body = [
                        "From: Carol <carol@example.org>",
                        "To: Dave <dave@example.net>",
                        "Subject: after trying STARTTLS and AUTH",
                        "",
                        "Plain text after all.",
                        ".. this line starts with one dot",
                    ]
                    conn.sock.sendall("".join(f"{line}\r\n" for line in body).encode() + b".\r\n")
                    code, _ = conn.reply()
                    sent = code == 250
        if not sent:
            conn.command("RSET")
        conn.command("QUIT")
    finally:
        conn.close()
    sys.exit(0 if sent else 1)


if __name__ == "__main__":
    main()
