"""Simulated packet loss for the pinger server."""
import random


class LossyChannel:
    def __init__(self, rate):
        self.rate = rate
        self.lost = 0

    def lose(self):
        if random.random() < self.rate:
            self.lost += 1
            return True
        return False
