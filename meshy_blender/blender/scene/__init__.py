"""The scene: import results (GLB/FBX, rigs, actions) with provenance, placement and one undo
step; export selections for upload; naming; what the selection is to Meshy.

May import: bpy, ``client/`` and ``jobs/`` (plain data only). Never imports ``core/``,
``operators/``, ``ui/`` or ``features/``: it is the bottom of the Blender layer, usable from
anywhere.
"""
