"""The add-on's live session on the main thread: runtime (the jobs worker process and pump),
effective settings, pre-flight checks, the pump (the one channel by which worker results,
job events and background reads reach Blender), the sidebar's request building and prices,
the artist-message table (``messages``) and the reports when a job lands or fails
(``notices``).

May import: ``client/``, ``jobs/``, ``scene/`` and bpy. Never imports ``ui/``, ``operators/`` or
``registration``: buttons and panels call into the session, never the other way round.
"""
