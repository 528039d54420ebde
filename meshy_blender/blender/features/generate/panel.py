"""Generate panel: Text / Image / Multi-image, the options in closed sections laid out like
Blender's own (property split), the priced Generate button checked against the balance, and
the newest job's progress with its named step and Cancel right under it.

Sections are drawn from one table (``SECTIONS``), so later features (e.g. shape first,
candidates) add a row instead of rewriting the panel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bpy

from ...core.sidebar_data import GENERATE_OPERATORS, REQUEST_FOR_MODE, candidate_count
from ...ui.animation_list import MESHY_PT_animation_picker, chosen_text
from ...ui.model_options import draw_image_model_options, draw_texture_views
from ...ui.panel_base import (
    SidebarPanel,
    cost_button,
    option,
    policy_pins,
    section,
    ui_policy,
    wrapped,
)
from ...ui.texturing import draw_texturing, image_input

if TYPE_CHECKING:
    from ....jobs.request import JobRequest
    from ...core import config
    from ...core.costs import Estimate


def draw_inputs(layout: Any, s: Any) -> None:
    if s.mode == "TEXT":
        row = layout.row(align=True)  # one line: the prompt, or the Text datablock holding it
        if s.prompt_text is None:
            row.prop(s, "prompt", text="")
        row.prop(s, "prompt_text", text="" if s.prompt_text is None else "Long Prompt",
                 icon="TEXT")
    elif s.mode == "IMAGE":
        image_input(layout, s.image, "Picture")
    else:
        for n in range(1, 5):
            image_input(layout, getattr(s, f"multi_image_{n}"), f"Picture {n}")


def draw_refused_by_v2(layout: Any, s: Any) -> None:
    """Art Style and Avoid: Meshy API v2 has neither, so they are drawn only while an old file
    has them set (the button then says why it cannot send them), to be cleared."""
    if s.art_style != "realistic":
        layout.prop(s, "art_style")
    if s.negative_prompt.strip():
        layout.prop(s, "negative_prompt")


def draw_model(layout: Any, s: Any, pins: dict[str, Any]) -> None:
    """The shape: model, the one Remesh control set (remesh, its topology, polycount),
    symmetry and pose; Meshy-7 and the geometry pass where the mode takes them."""
    if s.mode == "TEXT":
        draw_refused_by_v2(layout, s)
    option(layout, s, "ai_model", pins)
    option(layout, s, "model_type", pins)
    if s.mode != "TEXT":
        draw_image_model_options(layout, s, pins)
    else:
        option(layout, s.id_data.meshy_tools, "geometry_resolution", pins)
    row = layout.row(heading="Remesh")
    option(row, s, "should_remesh", pins, text="")
    sub = row.row()
    sub.enabled = s.should_remesh
    option(sub, s, "topology", pins, text="")
    row = layout.row(heading="Polycount")
    row.prop(s, "use_polycount", text="")
    sub = row.row()
    sub.enabled = s.use_polycount
    option(sub, s, "target_polycount", pins, text="")
    option(layout, s, "symmetry_mode", pins)
    option(layout, s, "pose_mode", pins)
    if s.mode != "TEXT":
        option(layout, s, "image_enhancement", pins)


def draw_texture(layout: Any, s: Any, pins: dict[str, Any]) -> None:
    """Texture on: how it is painted. Off (shape first): how many shapes to compare."""
    option(layout, s, "should_texture", pins)
    if not s.should_texture:
        if s.mode == "TEXT":
            layout.prop(s, "candidates")
        layout.label(text="Texture it later from Selected Object", icon="INFO")
        return
    from ...core.model_options import uses_texture_views
    option(layout, s, "texture_model", pins)
    if s.mode == "MULTI_IMAGE":
        draw_texture_views(layout, s)
    draw_texturing(layout, s, pins, guide=not uses_texture_views(s, s.mode))
    option(layout, s.id_data.meshy_tools, "texture_resolution", pins)


def draw_chain(layout: Any, s: Any, pins: dict[str, Any]) -> None:
    """Paid steps after the model: rig, then animations. Then Remesh (a second, paid remesh)
    is drawn only while an old file has it on: Model > Remesh is the one Remesh."""
    if s.chain_remesh:
        layout.prop(s, "chain_remesh")
    row = layout.row()  # the rig and its height on one line, as Model's Remesh and topology
    row.prop(s, "chain_rig")
    if not s.chain_rig:
        return
    row.prop(s, "rig_height", text="Height")
    row = layout.row()
    row.prop(s, "chain_animate")
    if s.chain_animate:  # the library list in a popover: one row, not eight
        row.popover(panel=MESHY_PT_animation_picker.bl_idname, text=chosen_text(bpy.context),
                    icon="ACTION")


def draw_advanced(layout: Any, s: Any, pins: dict[str, Any]) -> None:
    """Closed by default: output files, moderation and the import override."""
    option(layout, s, "target_formats", pins)
    option(layout, s, "auto_size", pins)
    option(layout, s, "origin_at", pins)
    option(layout, s.id_data.meshy_tools, "alpha_thumbnail", pins)
    option(layout, s, "moderation", pins)
    layout.prop(s, "import_format")


# (section id, title, draw function): the Generate panel's option sections, all closed.
SECTIONS = (("meshy_gen_model", "Model", draw_model),
            ("meshy_gen_texture", "Texture", draw_texture),
            ("meshy_gen_chain", "Then", draw_chain),
            ("meshy_gen_advanced", "Advanced", draw_advanced))


def newest_job(rt: Any) -> dict[str, Any] | None:
    """The snapshot of the most recently started job (what the artist just clicked)."""
    view = rt.pump.view if rt is not None else {}
    snaps = [s for s in view.values() if "id" in s]
    return max(snaps, key=lambda s: int(s.get("created_ms") or 0)) if snaps else None


def draw_newest(layout: Any, context: Any) -> None:
    """The newest job's progress under the Generate button: its named step ("Texture 2/2"),
    a bar, and Cancel while it runs; its outcome in words once it ended."""
    from ...core import runtime
    snap = newest_job(runtime.current_runtime())
    if snap is None:
        return
    from ....jobs import model
    from ...core import messages
    status = str(snap.get("status"))
    col = layout.column(align=True)
    if status in model.ACTIVE_STATUSES:
        row = col.row(align=True)
        text = messages.progress_text(snap)
        if hasattr(row, "progress"):  # UILayout.progress: Blender 4.0+
            row.progress(factor=float(snap.get("progress") or 0) / 100.0, type="BAR", text=text)
        else:
            row.label(text=text)
        row.operator("meshy.cancel_job", text="", icon="CANCEL").job_id = str(snap["id"])
    elif status == model.FAILED:
        wrapped(col, messages.for_job_error(snap.get("error")), context, icon="ERROR")
    elif status == model.IMPORTED:
        col.label(text=f"Imported '{snap.get('label')}'", icon="CHECKMARK")


class MESHY_PT_generate(SidebarPanel):
    bl_idname = "MESHY_PT_generate"
    bl_label = "Generate"

    def draw_panel(self, context: bpy.types.Context, settings: config.Settings) -> None:
        layout = self.layout
        s = context.scene.meshy  # type: ignore[attr-defined]
        layout.row().prop(s, "mode", expand=True)
        draw_inputs(layout, s)
        pins = policy_pins(REQUEST_FOR_MODE[s.mode], settings)
        for idname, title, draw in SECTIONS:
            body = section(layout, idname, title)
            if body is not None:
                draw(body, s, pins)
        count = candidate_count(s)
        req, price = generate_price(s, settings, count)
        cost_button(layout, GENERATE_OPERATORS[s.mode],
                    f"Generate {count} Candidates" if count > 1 else "Generate", req, settings,
                    icon="PLAY", context=context, copies=count, price=price)
        draw_newest(layout, context)


def generate_price(s: Any, settings: config.Settings,
                   count: int) -> tuple[JobRequest | None, Estimate | None]:
    """What prices the Generate button: its request, planned as a click would (validated,
    studio policy applied), or, before the planner is loaded (the session's first draw), the
    same price from the price tables alone while a timer loads the planner."""
    from ...core import price_labels
    if price_labels.planner_loaded() or ui_policy(settings) is not None:
        from ...core import sidebar_requests
        return sidebar_requests.generate(s, settings, estimate=True), None
    price_labels.load_planner_soon()
    return None, price_labels.generate(s, count)
