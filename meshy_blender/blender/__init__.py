"""Everything that touches bpy, in rooms. Runs on Blender's main thread only.

- ``session/``    the runtime (client + job manager + pump), settings, pre-flight checks, the one
  main-thread delivery channel, background reads, the sidebar's request building and prices,
  shape first and candidates, thumbnails (``bpy.utils.previews``), the history gallery's reads
- ``scene/``      import into the scene, export of selections, actions, provenance, naming,
  assets (marking, catalogs, asset libraries), candidates' row, a chain's stand-ins
- ``operators/``  one module per area: generate, selected object, shape (Texture It), history,
  assets, concept, UV unwrap / 3D print / motion, tasks, account, jobs; menu dialogs
- ``ui/``         panels, properties (``scene.meshy``, ``scene.meshy_tools``), preferences, lists,
  menus
- ``registration.py``  registers every class, property, timer; ``cli_command.py`` the CLI hook

Enabling the add-on (every Blender start) imports only ``registration`` and the modules whose
classes it registers: ``ui`` and ``operators`` modules import ``session``, ``scene`` and the
client/jobs layers inside the functions that use them (first draw, first click), and keep what
a class needs at definition time in leaf modules (``session/sidebar_data.py``,
``client/limits.py``, ``jobs/kinds.py``, ``jobs/retention_rules.py``);
tests/test_performance.py checks which modules an enable loads.

Imports go down: ``ui`` and ``operators`` may use ``session`` and ``scene``; ``session`` may use
``scene``; ``scene`` uses neither; ``ui`` and ``operators`` never import each other (names both
need live in ``session/`` or ``jobs/``). All may use ``client/`` and ``jobs/``. Enforced by
tests/test_architecture.py.
"""
