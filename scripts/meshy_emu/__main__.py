"""Run the Meshy emulator: a local fake of the Meshy API for tests and the demo.

    PYTHONPATH=scripts python -m meshy_emu [--port P] [--asset-port P] [--task-seconds S]
        [--key KEY[:BALANCE]]... [--fault NAME[=VALUE]]... [--queue-limit N] [--rate-limit N]
        [--v1-gone]

Prints `api: http://127.0.0.1:PORT` and `assets: http://127.0.0.1:PORT`, then the
`export MESHY_API_BASE=...` / `export MESHY_API_KEY=...` lines and a `make cli` command to paste
into another shell, then serves until SIGINT/SIGTERM. A child process starts it with
``meshy_emu.command()`` and ``meshy_emu.child_env()``.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from . import TEST_MODE_KEY, Emulator
from . import faults as fault_mod


def _key(text: str) -> tuple[str, int]:
    key, sep, balance = text.rpartition(":")
    if not sep or not balance.isdigit():
        key, balance = text, ""
    if not key:
        raise argparse.ArgumentTypeError("empty key")
    return key, int(balance) if balance else 10_000


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m meshy_emu", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Faults (also MESHY_EMULATOR_FAULTS=name=value,... or POST /_emulator/faults):\n"
               + fault_mod.__doc__.split("\n\n", 2)[2])
    parser.add_argument("--port", type=int, default=0, help="API port (0: a free port)")
    parser.add_argument("--asset-port", type=int, default=0, help="asset port (0: a free port)")
    parser.add_argument("--task-seconds", type=float, default=20.0,
                        help="how long one generation takes (default 20)")
    parser.add_argument("--key", action="append", type=_key, default=[], metavar="KEY[:BALANCE]",
                        help=f"accepted API key and its credits (default {TEST_MODE_KEY}:10000)")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME[=VALUE]",
                        help="inject a fault (see below); repeatable")
    parser.add_argument("--queue-limit", type=int, default=10,
                        help="unfinished tasks allowed per key (default 10)")
    parser.add_argument("--rate-limit", type=float, default=20.0,
                        help="requests per second per key (default 20; 0 disables)")
    parser.add_argument("--parallelism", type=int, default=3,
                        help="tasks per key that run at once, the rest wait PENDING (default 3)")
    parser.add_argument("--v1-gone", action="store_true",
                        help="answer every v1 route that has a v2 version as Meshy will after "
                             "2027-03-15 (404, v2 error object); POST /_emulator/settings "
                             "{\"v1_gone\": false} switches it back")
    parser.add_argument("--assets-dir", default=None, help="where the Blender-made files live")
    return parser


def paste_lines(api_url: str, key: str) -> str:
    """What to paste into another shell to use this emulator from the CLI or Blender."""
    return (f"\nIn another shell (the key is the emulator's, not a Meshy account's):\n"
            f"  export MESHY_API_BASE={api_url}\n"
            f"  export MESHY_API_KEY={key}\n"
            f"  make cli ARGS='text-to-3d \"a wooden chair\" --out chair.glb'\n"
            "Ctrl-C stops the emulator.")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    emu = Emulator(task_seconds=args.task_seconds, keys=dict(args.key) or None,
                   queue_limit=args.queue_limit, rate_limit=args.rate_limit or None,
                   port=args.port, asset_port=args.asset_port, assets_dir=args.assets_dir,
                   parallelism=args.parallelism, v1_gone=args.v1_gone)
    for spec in args.fault:
        try:
            emu.set_fault(*fault_mod.parse(spec))
        except fault_mod.FaultError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    emu.start()
    try:
        print(f"api: {emu.api_url}", flush=True)
        print(f"assets: {emu.assets_url}", flush=True)
        key = args.key[0][0] if args.key else TEST_MODE_KEY
        print(paste_lines(emu.api_url, key), flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
