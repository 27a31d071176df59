import sys
import threading

from shared.net import echo, listener

if __name__ == "__main__":
    server = listener(int(sys.argv[1]))
    while True:
        conn, _ = server.accept()
        threading.Thread(target=echo, args=(conn,), daemon=True).start()
