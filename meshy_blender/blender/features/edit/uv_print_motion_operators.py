"""Operators for the Selected Object tools: UV Unwrap (then Retexture), 3D Print Analyze /
Repair / Multi-colour on the selection, and Text to Motion on the selected Meshy rig.

They send the selection exactly like Retexture and Remesh (a Meshy model by task id, anything
else exported to a GLB), so every check runs before the first credit. Where Meshy publishes no
price for what would be sent, clicking asks first (``dialog.confirm_or_run``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bpy

from ...operators.dialog import ConfirmUnpublished
from ...operators.on_selection import OnRig, OnSelection

if TYPE_CHECKING:
    from ....jobs.request import JobRequest
    from ...core import config


def _n(context: Any) -> Any:
    return context.scene.meshy_tools


class MESHY_OT_uv_unwrap(OnSelection):
    """Give the selected mesh new, clean UVs (at most 40,000 faces); optionally retexture it
    afterwards keeping them"""

    bl_idname = "meshy.uv_unwrap"
    bl_label = "Meshy: UV Unwrap Selected"
    _can_replace = True
    _request = "uv-unwrap"
    _dialog_props = ("replace_selection",)

    def _build(self, s, settings, model, source):
        from . import uv_print_motion_requests
        return uv_print_motion_requests.uv_unwrap(s, bpy.context.scene.meshy_tools, settings,
                                                  model, source)


class MESHY_OT_print_analyze(OnSelection):
    """Check whether the selected model can be 3D printed (watertight, holes, non-manifold
    edges, volume); free, and the model is not changed"""

    bl_idname = "meshy.print_analyze"
    bl_label = "Meshy: Analyze for 3D Print"
    _request = "print-analyze"

    def _build(self, s, settings, model, source):
        from . import uv_print_motion_requests
        return uv_print_motion_requests.print_analyze(settings, model, source)


class MESHY_OT_print_repair(OnSelection):
    """Make the selected model printable (closes holes, fixes non-manifold edges); the result
    has no textures"""

    bl_idname = "meshy.print_repair"
    bl_label = "Meshy: Repair for 3D Print"
    _can_replace = True
    _request = "print-repair"
    _dialog_props = ("replace_selection",)

    def _build(self, s, settings, model, source):
        from . import uv_print_motion_requests
        return uv_print_motion_requests.print_repair(s, settings, model, source)


class MESHY_OT_print_multi_color(OnSelection):
    """Make a multi-colour 3MF of the selected model for colour 3D printers; the file is saved
    to Meshy's cache folder (Tasks > Open Folder), the scene is not changed"""

    bl_idname = "meshy.print_multi_color"
    bl_label = "Meshy: Multi-colour 3D Print File"
    _request = "print-multi-color"

    def _build(self, s, settings, model, source):
        from . import uv_print_motion_requests
        return uv_print_motion_requests.print_multi_color(bpy.context.scene.meshy_tools,
                                                          settings, model, source)


class MESHY_OT_text_to_motion(ConfirmUnpublished, OnRig):
    """Make a motion from a description and add it to the selected Meshy rig as a new action
    (biped rigs)"""

    bl_idname = "meshy.text_to_motion"
    bl_label = "Meshy: Text to Motion on Selected Rig"

    def dialog_request(self, context: Any, settings: config.Settings) -> JobRequest:
        from ...scene import selection
        from . import uv_print_motion_requests
        armature = context.view_layer.objects.active
        return uv_print_motion_requests.text_to_motion(
            context.scene.meshy, _n(context), settings, selection.rig_task_id(armature),
            armature.name)


CLASSES = (MESHY_OT_uv_unwrap, MESHY_OT_print_analyze, MESHY_OT_print_repair,
           MESHY_OT_print_multi_color, MESHY_OT_text_to_motion)
