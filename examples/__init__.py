"""Runnable examples of clients of Tributary (see the README)."""
