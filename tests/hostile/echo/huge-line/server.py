"""Hostile: one 8 MB line without an end on stderr, then it exits 1 before it listens."""
import sys

sys.stderr.write("A" * (8 << 20))
sys.stderr.flush()
sys.exit(1)
