"""Echo server: python3 echo_server.py PORT"""
import sys
import threading

from netutil import echo_all, make_listener


def main():
    listener = make_listener(int(sys.argv[1]))
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=echo_all, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
