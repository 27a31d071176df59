"""socket-grader: grades socket-programming assignments (TCP and UDP clients and servers)."""

__version__ = "0.1.0"
