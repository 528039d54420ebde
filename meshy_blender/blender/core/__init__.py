"""The add-on's shared core on the main thread: runtime (the jobs worker process and pump),
effective settings, the one submit gate (``submit``) with its pre-flight checks and prices, the
pump (the one channel by which worker results, job events and background reads reach Blender),
the sidebar's request building shared by every feature, uploads, thumbnails, the artist-message
table (``messages``) and the reports when a job lands or fails (``notices``).

May import: ``client/``, ``jobs/``, ``scene/`` and bpy. Never imports ``ui/``, ``operators/``,
``features/`` or ``registration``: buttons and panels call into the core, never the other way
round.
"""
