"""API keys, credit balances and the published price list."""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

TEST_MODE_KEY = "msy_dummy_api_key_for_test_mode_12345678"
DEFAULT_BALANCE = 10_000

# Meshy-7's own price is not published; latest = meshy-7.1 (deprecations page). Meshy-6 Lite
# costs what older models did (5 a shape, 15 textured: meshy-mcp-server v0.6.0).
_MESHY6 = {"meshy-6", "meshy-7", "meshy-7.1", "latest", None, ""}
_IMAGE_MODEL_PRICES = {
    "text-to-image": {"nano-banana": 3, "nano-banana-2-1": 4, "nano-banana-2": 6,
                      "nano-banana-pro": 9, "gpt-image-2": 9},
    "image-to-image": {"nano-banana": 3, "nano-banana-2-1": 4, "nano-banana-2": 6,
                       "nano-banana-pro": 9, "gpt-image-2": 12},
}
IMAGE_MODELS = tuple(_IMAGE_MODEL_PRICES["text-to-image"])


def price(kind: str, params: dict[str, Any]) -> int:
    """Credits a task costs at creation, per the pricing table (seed 002 and the API notes)."""
    if kind == "text-to-3d-preview":
        if params.get("model_type") == "lowpoly" or params.get("ai_model") in _MESHY6:
            return 20
        return 5
    if kind in ("image-to-3d", "multi-image-to-3d"):
        textured = params.get("should_texture", True) is not False
        if params.get("model_type") == "lowpoly" or params.get("ai_model") in _MESHY6:
            return 30 if textured else 20
        return 15 if textured else 5
    if kind in _IMAGE_MODEL_PRICES:
        return _IMAGE_MODEL_PRICES[kind][str(params.get("ai_model"))]
    return {"text-to-3d-refine": 10, "retexture": 10, "remesh": 5, "rig": 5, "animate": 3,
            "convert": 1, "resize": 1, "text-to-motion": 10, "uv-unwrap": 5,
            "print-analyze": 0, "print-repair": 10, "print-multi-color": 10}[kind]


class Accounts:
    """Balances per key plus a per-key sliding-window request-rate limiter.

    Account settings (all off by default, cleared by `reset`): the permanent share of a
    balance (v2 balance splits monthly / permanent credits; monthly ones are spent first), an
    API key's own credit limit (v2's 402 "API key credit limit" while the balance is positive),
    and no-credit task slots (an unlimited plan out of credits: v2's
    `concurrent_task_limit_reached` once they are used)."""

    def __init__(self, keys: dict[str, int] | None, rate_limit: float | None) -> None:
        self._initial = dict(keys) if keys else {TEST_MODE_KEY: DEFAULT_BALANCE}
        self.rate_limit = rate_limit
        self._lock = threading.Lock()
        self._balances = dict(self._initial)
        self._hits: dict[str, deque[float]] = {}
        self.permanent: dict[str, int] = {}
        self.key_credit_limit: dict[str, int] = {}
        self.no_credit_slots: dict[str, int] = {}
        self._spent: dict[str, int] = {}

    def reset(self) -> None:
        with self._lock:
            self._balances = dict(self._initial)
            self._hits.clear()
            self.permanent.clear()
            self.key_credit_limit.clear()
            self.no_credit_slots.clear()
            self._spent.clear()

    def split(self, key: str) -> tuple[int, int]:
        """(monthly, permanent) credits of the balance; monthly ones go first."""
        with self._lock:
            total = self._balances[key]
        permanent = max(0, min(total, self.permanent.get(key, 0)))
        return total - permanent, permanent

    def over_key_limit(self, key: str, amount: int) -> bool:
        """True when `amount` more would pass this API key's own credit limit."""
        limit = self.key_credit_limit.get(key)
        with self._lock:
            return limit is not None and amount > 0 and self._spent.get(key, 0) + amount > limit

    def known(self, key: str) -> bool:
        with self._lock:
            return key in self._balances

    def balance(self, key: str) -> int:
        with self._lock:
            return self._balances[key]

    def set_balance(self, key: str, amount: int) -> None:
        with self._lock:
            self._balances[key] = int(amount)

    def charge(self, key: str, amount: int) -> bool:
        """Deduct `amount` if the balance covers it; False (nothing deducted) otherwise."""
        with self._lock:
            if self._balances[key] < amount:
                return False
            self._balances[key] -= amount
            self._spent[key] = self._spent.get(key, 0) + amount
            return True

    def refund(self, key: str, amount: int) -> None:
        with self._lock:
            if key in self._balances:
                self._balances[key] += amount
                self._spent[key] = max(0, self._spent.get(key, 0) - amount)

    def allow_request(self, key: str) -> bool:
        """Sliding one-second window: False when this key exceeded `rate_limit` requests/s.

        Meshy documents the rate (20/s, Enterprise 100/s), not how it counts it. Assumed here
        (and by the add-on's pacer, jobs/pacing.py): a sliding window over the requests Meshy
        accepted; a refused request does not count. A fixed bucket would never be stricter."""
        if not self.rate_limit:
            return True
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= 1.0:
                hits.popleft()
            if len(hits) >= self.rate_limit:
                return False
            hits.append(now)
            return True
