"""Everyday city management: routing, the case loop, deadlines and evaluation."""
