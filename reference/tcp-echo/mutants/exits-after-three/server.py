"""TCP echo server (mutant: exits after three clients).

Usage: python3 server.py PORT

BUG: the accept loop runs three times (a for loop where while True belongs): the fourth
client is never served.
"""

import contextlib
import socket
import sys
import threading

# Bytes asked of each recv. Any size is correct: recv returns whatever has arrived, at most
# this much. Larger sizes just mean fewer calls.
BUFFER_SIZE = 65536


def serve_client(conn, addr):
    """Echo everything this client sends until it closes its side, then close ours."""
    with conn:  # closes the connection however the loop ends
        try:
            while True:
                data = conn.recv(BUFFER_SIZE)
                if not data:
                    # b"" means the client has shut down its sending side (close() or
                    # shutdown(SHUT_WR)): nothing more will come, so we are done.
                    break
                # data may be part of what the client sent, or several of its writes at
                # once: TCP is a byte stream, not a sequence of messages. Echo it as is.
                # sendall, unlike send, loops until every byte has been sent.
                conn.sendall(data)
        except (ConnectionResetError, BrokenPipeError) as e:
            # The client aborted the connection (a TCP reset). That ends this client,
            # not the server: report it and let the thread finish.
            print(f"client {addr[0]}:{addr[1]}: {e.strerror}", file=sys.stderr, flush=True)


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit(f"usage: {sys.argv[0]} PORT")
    port = int(sys.argv[1])

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Without SO_REUSEADDR, bind fails with "Address already in use" for about a minute
    # after a server that had open connections stops (they linger in TIME_WAIT).
    # It must be set before bind.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("0.0.0.0", port))  # 0.0.0.0: every interface of the machine
    listener.listen()
    print(f"listening on port {port}", flush=True)

    for _ in range(3):  # BUG: while True belongs here
        conn, addr = listener.accept()
        # One thread per client; the server ends when the last of them does.
        threading.Thread(target=serve_client, args=(conn, addr)).start()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C stops the server without a traceback
        main()
