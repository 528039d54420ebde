"""The session's first balance read: asked for by the sidebar's first draw, started right after.

Building the runtime starts the worker process, which would cost the first draw more than all
of its own drawing; so the draw only asks (:func:`ask`) and a one-shot timer (:func:`start`)
builds the runtime and starts the read right after it. The Account header says "Reading
balance..." meanwhile; the outcome arrives through the pump's tick, which redraws the sidebar.
"""

from __future__ import annotations

from . import account, config, preflight

_asked = False  # the draw asked; the timer has not started the read yet


def ask(settings: config.Settings) -> bool:
    """The sidebar's draw: ask for the first read (once per session with a usable key, see
    ``account.first_read_due``) without building the runtime."""
    global _asked
    if not account.first_read_due(settings):
        return False
    import bpy

    _asked = True
    if not bpy.app.timers.is_registered(start):
        bpy.app.timers.register(start, first_interval=0.0)
    return True


def asked() -> bool:
    """True between the draw asking for the first read and the timer starting it."""
    return _asked


def start() -> None:
    """One-shot timer after the draw that asked: build the runtime (starts the worker process)
    and start the balance read."""
    global _asked
    if not _asked:
        return None
    _asked = False
    from ...client.errors import MeshyError
    from . import runtime

    settings = config.resolve()
    if preflight.problem(settings) is not None:  # the key was removed meanwhile
        return None
    try:
        rt = runtime.get_runtime(settings=settings)
    except MeshyError:  # an unusable policy file: the Account panel says why
        return None
    account.start_balance(rt.client)
    return None


def reset() -> None:
    """Forget a pending ask (add-on disabled; tests)."""
    global _asked
    _asked = False
