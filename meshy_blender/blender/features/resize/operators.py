"""Resize operator: the selected Meshy model at the sidebar's height and origin (1 credit).

Meshy's own models only (sent by task id): a mesh of the artist's is scaled in Blender, with
nothing to pay. The checks, the price and the submit are the selection operators' own
(``operators/on_selection.py``).
"""

from __future__ import annotations

import bpy

from ...operators.on_selection import OnSelection


class MESHY_OT_resize(OnSelection):
    """Scale the selected Meshy model to a real-world height, its origin at the bottom or the
    centre (1 credit)"""

    bl_idname = "meshy.resize"
    bl_label = "Meshy: Resize Selected"
    _can_replace = True
    _meshy_model_only = True
    _request = "resize"
    _settings = "meshy_resize"
    _dialog_props = ("height", "origin")

    def _build(self, s, settings, model, source):
        from . import requests
        return requests.resize(bpy.context.scene.meshy_resize, settings, model, source,
                               s.replace_selection)


CLASSES = (MESHY_OT_resize,)
