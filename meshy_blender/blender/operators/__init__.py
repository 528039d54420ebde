"""Operators (``meshy.*``) that several features use: watching and cancelling jobs, the cache,
assets, and the confirm dialogs every priced button shares. Each feature's own operators live
in its folder and send work through ``core/submit.py``.

May import: ``core/``, ``scene/``, ``client/``, ``jobs/`` and bpy. Never imports ``ui/`` or
``features/``: names that panels also need live in ``core/`` or ``jobs/``.
"""
