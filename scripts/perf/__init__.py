"""Measurement code behind scripts/perf_probe.py (import, enable, idle timer)."""
