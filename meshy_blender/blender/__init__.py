"""Everything that touches bpy, in shared rooms plus one folder per capability. Main thread only.

- ``core/``       the runtime (client + job manager + pump), settings, pre-flight checks, the one
  submit gate, the one main-thread delivery channel, background reads, the request building
  every area shares, prices, candidates, thumbnails (``bpy.utils.previews``), uploads
- ``scene/``      import into the scene, export of selections, actions, provenance, naming,
  assets (marking, catalogs, asset libraries), candidates' row, a chain's stand-ins
- ``ui/``         shared drawing: the panel base, properties (``scene.meshy``,
  ``scene.meshy_tools``), lists, menus, model options, picture and texturing inputs
- ``operators/``  shared operators: job watching and cancel, cache, assets, the menu dialogs
- ``features/<capability>/``  generate, shape_first, edit (selected object: retexture, remesh,
  rig, animate, UV unwrap / 3D print / motion), concept, tasks (+ history), account (+
  preferences): each its ``operators.py``, ``panel.py`` and requests
- ``registration.py``  registers every class, property, timer; ``panels.py`` the panel order;
  ``cli_command.py`` the CLI hook

Enabling the add-on (every Blender start) imports only ``registration`` and the modules whose
classes it registers: panel and operator modules import ``core``, ``scene`` and the client/jobs
layers inside the functions that use them (first draw, first click), and keep what a class needs
at definition time in leaf modules (``core/sidebar_data.py``, ``client/limits.py``,
``jobs/kinds.py``, ``jobs/retention_rules.py``); tests/addon/core/test_performance.py checks which
modules an enable loads.

Imports go down: ``features`` may use ``core``, ``scene``, ``ui`` and ``operators``; ``ui`` and
``operators`` may use ``core`` and ``scene``; ``core`` may use ``scene``; ``scene`` uses none of
them; a feature never imports another feature, and a panel never imports an operator module
(names both need live in ``core/`` or ``jobs/``). All may use ``client/`` and ``jobs/``.
Enforced by tests/tools/test_architecture.py.
"""
