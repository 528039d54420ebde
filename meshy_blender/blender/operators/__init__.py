"""Operators (``meshy.*``), one module per area: generate, selected object, tasks, account,
jobs. They check, build a JobRequest through ``session/``, submit it and report.

May import: ``session/``, ``scene/``, ``client/``, ``jobs/`` and bpy. Never imports ``ui/``:
names that panels also need live in ``session/`` or ``jobs/``.
"""
