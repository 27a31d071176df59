"""Hostile: threads without end before it listens, so no pid is ever free."""
import threading
import time


def park():
    time.sleep(3600)


while True:
    try:
        threading.Thread(target=park, daemon=True).start()
    except RuntimeError:
        time.sleep(0.01)
