"""API keys, credit balances and the published price list."""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

TEST_MODE_KEY = "msy_dummy_api_key_for_test_mode_12345678"
DEFAULT_BALANCE = 10_000

# Meshy API v2's prices (reference §8; Text to 3D assumed priced as Image to 3D: A8): a
# textured model 30 (untextured 20) on Meshy-6 / 7 / 7.1 (latest), 15 / 5 on Meshy-6 Lite and
# Smart Topology (meshy-t2, meshy-t2.5); the Ultra geometry pass (2k / 4k) +5.
# v1's older models (meshy-4, meshy-5: retired, still taken by the emulator's v1 routes) kept
# v1's price, the same 15 / 5.
_LIGHT_MODELS = {"meshy-6-lite", "meshy-t2", "meshy-t2.5", "meshy-4", "meshy-5"}
GEOMETRY_PASS = 5
# v1's image models (its validators take these); v2 also takes nano-banana-2-lite (assumed 3,
# its price is not published) and every gpt-image-2.x variant (priced as gpt-image-2).
IMAGE_MODELS = ("nano-banana", "nano-banana-2-1", "nano-banana-2", "nano-banana-pro",
                "gpt-image-2")
_IMAGE_MODEL_PRICES = {
    "text-to-image": {"nano-banana": 3, "nano-banana-2-1": 4, "nano-banana-2": 6,
                      "nano-banana-pro": 9, "gpt-image-2": 9, "nano-banana-2-lite": 3},
    "image-to-image": {"nano-banana": 3, "nano-banana-2-1": 4, "nano-banana-2": 6,
                       "nano-banana-pro": 9, "gpt-image-2": 12, "nano-banana-2-lite": 3},
}
FLAT = {"text-to-3d-refine": 10, "remesh": 5, "rig-check": 1, "rig": 5, "convert": 1,
        "resize": 1, "text-to-motion": 10, "uv-unwrap": 5, "print-analyze": 0,
        "print-repair": 10, "print-multi-color": 10}


def price(kind: str, params: dict[str, Any]) -> int:
    """Credits a task costs at creation, v1 and v2 routes alike (v1's preview / refine pair
    costs what v2's shape + Texture It does: 20 + 10). A KeyError for an unknown image model."""
    if kind in ("text-to-3d", "text-to-3d-preview", "image-to-3d", "multi-image-to-3d"):
        textured = kind != "text-to-3d-preview" and params.get("should_texture", True) is not False
        light = params.get("ai_model") in _LIGHT_MODELS
        credits = (15 if textured else 5) if light else (30 if textured else 20)
        ultra = params.get("geometry_resolution") in ("2k", "4k") or params.get("ultra_mode")
        return credits + (GEOMETRY_PASS if ultra and kind != "text-to-3d-preview" else 0)
    if kind == "retexture":
        return 15 if params.get("texture_resolution") == "8k" else 10
    if kind == "animate":
        return 3 * len(params.get("action_ids") or [0])
    if kind in _IMAGE_MODEL_PRICES:
        model = str(params.get("ai_model"))
        if model.startswith("gpt-image"):  # every gpt-image variant: 9, from an image 12
            return _IMAGE_MODEL_PRICES[kind]["gpt-image-2"]
        return _IMAGE_MODEL_PRICES[kind][model]
    return FLAT[kind]


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
