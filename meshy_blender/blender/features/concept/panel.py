"""Concept Images panel: paint pictures with Meshy (Text to Image / Image to Image), then make
a 3D model from one without uploading it again.

Results are listed with a thumbnail and the actions an artist needs next: open in the Image
Editor, pack into the .blend, and "Make 3D" (Multi-image to 3D for several views), priced with
the Generate panel's model options like every other button.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bpy

from ...ui.panel_base import SidebarPanel, cost_button, section

if TYPE_CHECKING:
    from ...core import config
    from . import concepts

SHOWN_RESULTS = 4  # the newest concept jobs listed; older ones stay in Tasks


def _draw_inputs(layout: Any, n: Any) -> None:
    from ...scene import image_inputs
    from . import requests as concept_requests
    layout.row().prop(n, "concept_mode", expand=True)
    layout.prop(n, "concept_prompt")
    layout.prop(n, "concept_model")
    layout.prop(n, "concept_multi_view")
    if n.concept_mode == "TEXT":
        row = layout.row()
        row.enabled = not n.concept_multi_view  # multi-view pictures have a fixed shape
        row.prop(n, "concept_aspect_ratio")
        layout.prop(n, "concept_pose")
        return
    col = layout.column(align=True)
    slots = concept_requests.concept_references(n)
    shown = 1 + sum(1 for slot in slots if image_inputs.is_set(slot))
    for slot in slots[:min(shown, len(slots))]:
        col.prop(slot, "image", text="")
        if slot.image is None:
            col.prop(slot, "filepath", text="")


def _draw_result(layout: Any, context: Any, concept: concepts.Concept,
                 settings: config.Settings) -> None:
    from . import concepts
    from . import requests as concept_requests
    box = layout.box()
    box.label(text=concept.label or "Concept", icon="IMAGE_DATA")
    grid = box.grid_flow(columns=2, even_columns=True, align=True)
    for path in concept.paths:
        image = concepts.image_for(path)
        if image is None:
            continue
        cell = grid.column(align=True)
        cell.template_icon(icon_value=cell.icon(image), scale=4.0)
        row = cell.row(align=True)
        row.operator("meshy.concept_open", text="", icon="WINDOW").image = image.name
        packed = image.packed_file is not None
        sub = row.row(align=True)
        sub.enabled = not packed
        sub.operator("meshy.concept_pack", text="", icon="PACKAGE" if packed
                     else "UGLYPACKAGE").image = image.name
    what = "Make 3D (Multi-image)" if concept.multi_view else "Make 3D"
    req = concept_requests.concept_to_3d(context.scene.meshy, settings, concept.task_id,
                                         multi_view=concept.multi_view, label=concept.label,
                                         estimate=True)
    op = cost_button(box, "meshy.concept_to_3d", what, req, settings, icon="MESH_MONKEY",
                     context=context)
    op.job_id = concept.job_id


class MESHY_PT_concept(SidebarPanel):
    bl_idname = "MESHY_PT_concept"
    bl_label = "Concept Images"
    bl_options = {"DEFAULT_CLOSED"}

    def draw_panel(self, context: bpy.types.Context, settings: config.Settings) -> None:
        from . import concepts
        from . import requests as concept_requests
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        n = context.scene.meshy_tools  # type: ignore[attr-defined]
        _draw_inputs(layout, n)
        cost_button(layout, "meshy.concept_image", "Make Image",
                    concept_requests.concept(n, settings, estimate=True), settings,
                    icon="IMAGE_DATA", context=context)
        found = concepts.results()[:SHOWN_RESULTS]
        if not found:
            return
        body = section(layout, "meshy_concept_results", "Results", closed=False,
                       icon="IMAGE_REFERENCE")
        if body is not None:
            for concept in found:
                _draw_result(body, context, concept, settings)
