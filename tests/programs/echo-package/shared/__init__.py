"""What the echo client and server share."""
