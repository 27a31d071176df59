# server.py: the frame server written the way socket tutorials write theirs (HOST and PORT
# constants, `with socket.socket(...) as s`, "Connected by", struct), but correct: a thread
# per client, every read loops until it has the bytes it needs, "!" byte order throughout.
import socket
import struct
import threading

HOST = ""  # all interfaces
PORT = 65432  # port to listen on (non-privileged ports are > 1023)


def recv_exactly(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def reply(frame_type, payload):
    if frame_type == 1:
        return struct.pack("!HI", 1, len(payload)) + payload.upper()
    if frame_type == 2 and len(payload) % 4 == 0:
        numbers = struct.unpack(f"!{len(payload) // 4}i", payload)
        return struct.pack("!HIq", 2, 8, sum(numbers))
    return struct.pack("!HI", 0xFFFF, 0)


def handle(conn, addr):
    print(f"Connected by {addr}")
    with conn:
        while True:
            header = recv_exactly(conn, 6)
            if header is None:
                break
            frame_type, length = struct.unpack("!HI", header)
            payload = recv_exactly(conn, length) if length else b""
            if payload is None:
                break
            conn.sendall(reply(frame_type, payload))


with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, PORT))
    s.listen()
    while True:
        conn, addr = s.accept()
        threading.Thread(target=handle, args=(conn, addr), daemon=True).start()
