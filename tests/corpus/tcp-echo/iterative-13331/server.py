import socket

HOST = '0.0.0.0'
PORT = 13331

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, PORT))
    s.listen()
    print('echo server on port', PORT)
    while True:
        conn, addr = s.accept()
        with conn:
            print('Connected by', addr)
            while True:
                try:
                    data = conn.recv(1024)
                except ConnectionResetError:
                    break
                if not data:
                    break
                conn.sendall(data)
