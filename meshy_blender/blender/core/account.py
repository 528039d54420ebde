"""Account reads for the sidebar: balance and recent server tasks, run as background calls.

Operators start them, panels draw their outcomes by the same call names; both import this
module, so neither needs the other. The balance is read by itself the first time the sidebar
draws with a usable key, and again after every job ends (credits were charged or refunded), so
the price under each button is compared with a current balance without the artist asking.

The draw only asks for that first read (see first_read.py).
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
    """Start a balance read with its monthly / permanent split (no-op while one runs)."""
    return calls.CALLS.start(BALANCE_CALL, client.later("balance_details"))


def _balance_answer() -> Any:
    outcome = calls.CALLS.outcomes.get(BALANCE_CALL)
    if outcome is None or outcome.error is not None or outcome.value is None:
        return None
    return outcome.value


def balance() -> int | None:
    """The last balance read (None before the first read finishes, or when it failed)."""
    value = _balance_answer()
    if isinstance(value, dict):
        value = value.get("balance")
    if isinstance(value, bool):
        return None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def balance_split() -> str:
    """"9,000 monthly (resets 2027-01-01) + 960 permanent" from the last read, or "" when
    Meshy gave no split (or nothing was read)."""
    import time

    from ...client.account_balance import parse_balance
    from ...client.errors import MeshyError

    value = _balance_answer()
    if not isinstance(value, dict):
        return ""
    try:
        return parse_balance(value).split_text(now_ms=int(time.time() * 1000))
    except MeshyError:
        return ""


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
    value = outcome.value.get("balance") if isinstance(outcome.value, dict) else outcome.value
    return "INFO", f"Meshy: connected; balance {value} credits"
