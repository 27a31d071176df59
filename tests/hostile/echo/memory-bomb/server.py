"""Hostile: allocates memory without end before it listens."""
hoard = []
while True:
    hoard.append(bytearray(16 << 20))
