"""Account reads for the sidebar: balance and recent server tasks, run as background calls.

Operators start them, panels draw their outcomes by the same call names; both import this
module, so neither needs the other. The balance is read by itself the first time the sidebar
draws with a usable key, and again after every job ends (credits were charged or refunded), so
the price under each button is compared with a current balance without the artist asking.
"""

from __future__ import annotations

from typing import Any

from . import calls, config, preflight

BUY_CREDITS_URL = "https://www.meshy.ai/settings/api"  # keys and API credit top-ups (Meshy docs)
GET_KEY_URL = "https://www.meshy.ai/settings/api"
_first_read_done = False

BALANCE_CALL = "balance"
RECENT_CALL = "recent_tasks"


def start_balance(client: Any) -> bool:
    """Start a balance read (no-op while one runs)."""
    return calls.CALLS.start(BALANCE_CALL, client.later("balance"))


def balance() -> int | None:
    """The last balance read (None before the first read finishes, or when it failed)."""
    outcome = calls.CALLS.outcomes.get(BALANCE_CALL)
    if outcome is None or outcome.error is not None or outcome.value is None:
        return None
    try:
        return int(outcome.value)
    except (TypeError, ValueError):
        return None


def first_read_due(settings: config.Settings) -> bool:
    """True once per session: when the sidebar first draws with a usable key and no balance
    was read yet (marks it done)."""
    global _first_read_done
    if _first_read_done or preflight.problem(settings) is not None:
        return False
    _first_read_done = True
    return BALANCE_CALL not in calls.CALLS.outcomes and not calls.CALLS.running(BALANCE_CALL)


def reset() -> None:
    """Forget that the first read happened (add-on disabled; tests)."""
    global _first_read_done
    _first_read_done = False


def start_recent(client: Any, kind: str) -> bool:
    """Start reading the account's newest tasks of ``kind`` with their thumbnails (the History
    gallery; no-op while a read runs)."""
    return calls.CALLS.start(RECENT_CALL, client.later("recent_rows", kind))


def connection_report(outcome: calls.Outcome | None) -> tuple[str, str]:
    """(report level, message) for a finished balance call."""
    if outcome is None:
        return "ERROR", "Meshy: no answer yet; the connection test timed out"
    if outcome.error is not None:
        return "ERROR", f"Meshy: connection failed: {outcome.error}"
    return "INFO", f"Meshy: connected; balance {outcome.value} credits"
