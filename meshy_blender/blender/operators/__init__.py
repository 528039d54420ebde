"""Operators (``meshy.*``), one module per area: generate, selected object, concept, UV unwrap /
3D print / motion (``uv_print_motion``), tasks, account, jobs. They check, build a JobRequest
through ``session/``, submit it and report.

May import: ``session/``, ``scene/``, ``client/``, ``jobs/`` and bpy. Never imports ``ui/``:
names that panels also need live in ``session/`` or ``jobs/``.
"""
