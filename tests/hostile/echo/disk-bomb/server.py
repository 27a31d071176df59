"""Hostile: fills its work dir until the disk is full, then gives up."""
import sys

with open("fill.bin", "wb") as out:
    try:
        while True:
            out.write(b"\0" * (1 << 20))
            out.flush()
    except OSError as e:
        print("disk full:", e, file=sys.stderr)
sys.exit(1)
