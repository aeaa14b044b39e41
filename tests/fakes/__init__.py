"""Test doubles: a local Bot API server (botapi.py)."""
