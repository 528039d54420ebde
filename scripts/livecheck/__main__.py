"""``make live-check``: is Meshy's real API still the API the add-on was built for?

Runs one request of every kind (text/image/multi-image to 3D, refine, retexture, remesh,
convert, resize, rig, animate with one and several actions and a text-to-motion, text/image to
image, image-to-3D from an image task, text-to-motion, UV unwrap, 3D print analyze / repair /
multi-colour) plus balance, both animation-library listings and three error answers, and prints
every way an answer's shape (fields, types, nesting, status flow, SSE events, asset headers)
differs from what the client and the emulator expect (contract.py beside this file). Every
task is read, streamed and listed through API v2's /openapi/v2/tasks as the client reads it,
and each assumption docs/meshy-api-v2.md makes about those reads is named where it is checked.

Uses Meshy's published test-mode key (no credits) unless MESHY_API_KEY or --key says otherwise;
a real key spends credits, so it also needs --spend-credits. Offline it stops at once and says
why. Never part of ``make test``: the suite has no internet. Exit: 0 same shapes, 1 differences,
2 could not run.

    PYTHONPATH=scripts python -m livecheck [--base-url URL] [--key KEY] [--spend-credits]
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from urllib.parse import urlsplit

from meshy_blender.client import build_payload, is_loopback
from meshy_blender.client.pricing import quote

from .probe import ASSUMPTIONS, PLAN, Probe

TEST_MODE_KEY = "msy_dummy_api_key_for_test_mode_12345678"
DEFAULT_BASE = "https://api.meshy.ai"


def reachable(base_url: str, timeout: float = 5.0) -> str | None:
    """None when a TCP connection to the API host opens, else why not (in words)."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except socket.gaierror:
        return f"the name {host} cannot be resolved (no internet or no DNS)"
    except TimeoutError:
        return f"{host}:{port} did not answer within {timeout:.0f} s"
    except OSError as exc:
        return f"{host}:{port} refused or dropped the connection ({exc.strerror or exc})"


def planned_credits() -> int:
    """What the plan costs with a paying key (published base prices; some are not published)."""
    ids = {label: "00000000-0000-0000-0000-000000000000" for label, _, _ in PLAN}
    return sum(quote(kind, build_payload(kind, encode_files=False, **options(ids))).credits
               for _, kind, options in PLAN)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--base-url", default=os.environ.get("MESHY_API_BASE", DEFAULT_BASE))
    parser.add_argument("--key", default=os.environ.get("MESHY_API_KEY") or TEST_MODE_KEY)
    parser.add_argument("--spend-credits", action="store_true",
                        help="allow a real (non test-mode) key, which pays for every task")
    parser.add_argument("--task-timeout", type=float, default=600.0)
    parser.add_argument("--poll", type=float, default=2.0)
    args = parser.parse_args(argv)
    why = reachable(args.base_url)
    if why is not None:
        print(f"live-check: cannot reach {args.base_url}: {why}. It needs internet access; "
              "nothing was checked.")
        return 2
    if args.key != TEST_MODE_KEY and not is_loopback(args.base_url) and not args.spend_credits:
        print(f"live-check: this key is not Meshy's test-mode key, so the check would spend "
              f"about {planned_credits()}+ credits. Pass --spend-credits to accept.")
        return 2
    print(f"live-check against {args.base_url}")
    print("  reads through API v2; assumptions checked (docs/meshy-api-v2.md):")
    for number, what in ASSUMPTIONS.items():
        print(f"    {number}: {what}")
    probe = Probe(args.base_url, args.key, task_timeout=args.task_timeout, poll=args.poll)
    probe.check_account()
    probe.run_plan()
    report = probe.report
    for note in report.notes:
        print(f"  note: {note}")
    for diff in report.differences:
        print(f"  DIFFERENCE {diff}")
    print(f"live-check: {len(report.differences)} difference(s), {len(report.notes)} note(s)")
    return 1 if report.differences else 0


if __name__ == "__main__":
    sys.exit(main())
