"""The members of the chat room, each with its own sending thread and queue."""
import queue
import threading


class Member:
    def __init__(self, sock, addr):
        self.sock = sock
        self.addr = addr
        self.outbox = queue.Queue()
        self.sender = threading.Thread(target=self._send_loop, daemon=True)
        self.sender.start()

    def _send_loop(self):
        while True:
            data = self.outbox.get()
            if data is None:
                return
            try:
                self.sock.sendall(data)
            except OSError:
                return

    def stop(self):
        self.outbox.put(None)


class Room:
    def __init__(self):
        self.lock = threading.Lock()
        self.members = []

    def join(self, member):
        with self.lock:
            self.members.append(member)

    def leave(self, member):
        with self.lock:
            if member in self.members:
                self.members.remove(member)
        member.stop()

    def broadcast(self, sender, data):
        with self.lock:
            others = [m for m in self.members if m is not sender]
        for m in others:
            m.outbox.put(data)
