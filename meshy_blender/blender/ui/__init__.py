"""What the artist sees: sidebar panels (tab "Meshy"), scene/window properties, add-on
preferences, UI lists. Draw code only reads state; buttons name operators by their id.

May import: ``session/``, ``scene/``, ``client/``, ``jobs/`` and bpy. Never imports
``operators/`` (operator ids are strings; shared names live in ``session/`` or ``jobs/``).
"""
