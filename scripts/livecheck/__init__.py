"""``make live-check``: one request of every kind against the real Meshy API, each answer's
shape compared with what the client and the emulator expect (see scripts/live_check.py)."""
