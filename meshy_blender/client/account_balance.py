"""The account balance as API v2 reports it: the total, its monthly / permanent split and when
the monthly credits reset.

``balance`` is what can be spent (Meshy already lowers it for a member or workspace limit, but
not for an API key's own credit limit); the split and the reset date are optional extras, so an
answer without them (v1's ``{"balance": n}``) still reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .errors import MalformedResponseError


@dataclass(frozen=True)
class Balance:
    """Credits: ``balance`` to spend; ``monthly`` / ``permanent`` and ``resets_at_ms`` when
    Meshy said (None when it did not)."""

    balance: int
    monthly: int | None = None
    permanent: int | None = None
    resets_at_ms: int | None = None

    def reset_date(self, now_ms: int | None = None) -> str | None:
        """The reset day as YYYY-MM-DD, or None when unknown or already past (Meshy sends a
        past date for accounts without monthly credits)."""
        if self.resets_at_ms is None:
            return None
        if now_ms is not None and self.resets_at_ms <= now_ms:
            return None
        return datetime.fromtimestamp(self.resets_at_ms / 1000, tz=UTC).strftime("%Y-%m-%d")

    def split_text(self, now_ms: int | None = None) -> str:
        """"9,000 monthly (resets 2027-01-01) + 960 permanent", or "" when Meshy gave no split."""
        if self.monthly is None and self.permanent is None:
            return ""
        parts = []
        if self.monthly is not None:
            day = self.reset_date(now_ms)
            parts.append(f"{self.monthly:,} monthly" + (f" (resets {day})" if day else ""))
        if self.permanent is not None:
            parts.append(f"{self.permanent:,} permanent")
        return " + ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"balance": self.balance, "monthly_credits": self.monthly,
                "permanent_credits": self.permanent, "monthly_resets_at": self.resets_at_ms}


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def parse_balance(data: Any) -> Balance:
    """A :class:`Balance` from Meshy's answer; only a missing or non-numeric ``balance`` is an
    error (the split fields are read when they are numbers, else left unknown)."""
    value = _count(data.get("balance")) if isinstance(data, dict) else None
    if value is None:
        raise MalformedResponseError("Meshy sent a balance the add-on could not read.")
    return Balance(balance=value, monthly=_count(data.get("monthly_credits")),
                   permanent=_count(data.get("permanent_credits")),
                   resets_at_ms=_count(data.get("monthly_resets_at")))
