# Chat server (threads): run as  python3 server.py [port]
import socket
import sys
import threading

from chatroom import Member, Room

HOST = ''
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12000
room = Room()


def client_thread(member):
    while True:
        try:
            data = member.sock.recv(1024)
        except OSError:
            break
        if not data:
            break
        room.broadcast(member, data)
    room.leave(member)
    member.sock.close()
    print(member.addr, 'left')


def main():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((HOST, PORT))
    server.listen(5)
    print('Waiting for connections on port', PORT)
    while True:
        conn, addr = server.accept()
        print('Connected with', addr[0] + ':' + str(addr[1]))
        member = Member(conn, addr)
        room.join(member)
        threading.Thread(target=client_thread, args=(member,), daemon=True).start()


if __name__ == '__main__':
    main()
