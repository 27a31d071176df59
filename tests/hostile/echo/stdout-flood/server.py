"""Hostile: writes to stdout without end, and never listens."""
import sys

line = b"flood " * 10000 + b"\n"
while True:
    sys.stdout.buffer.write(line)
