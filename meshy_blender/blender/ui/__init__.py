"""Drawing that several features share: the sidebar panel base (tab "Meshy"), scene/window
properties, UI lists, menus, model options, picture and texturing inputs. Draw code only reads
state; buttons name operators by their id. Each feature's own panel lives in its folder.

May import: ``core/``, ``scene/``, ``client/``, ``jobs/`` and bpy. Never imports ``operators/``
or ``features/`` (operator ids are strings; shared names live in ``core/`` or ``jobs/``).
"""
