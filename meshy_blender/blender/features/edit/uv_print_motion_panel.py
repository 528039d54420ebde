"""Selected Object sections for Meshy's model tools: UV Unwrap, 3D Print (Analyze, Repair,
Multi-colour) for a model, and Text to Motion for a Meshy rig.

Drawn like the other actions (property split, price on every button with the balance guard);
the 3D Print section also shows the last Analyze report of the selected model, read from the
job's snapshot: analysing changes nothing in the scene.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...ui.panel_base import cost_button

if TYPE_CHECKING:
    from ...core import config


def draw_uv_unwrap(layout: Any, context: Any, s: Any, settings: config.Settings,
                   source: str | None) -> None:
    from . import uv_print_motion_requests
    n = context.scene.meshy_tools
    layout.prop(n, "uv_then_retexture")
    if n.uv_then_retexture:
        layout.prop(n, "uv_retexture_prompt")
    layout.prop(s, "replace_selection")
    req = uv_print_motion_requests.uv_unwrap(s, n, settings, None, source)
    cost_button(layout, "meshy.uv_unwrap", "UV Unwrap", req, settings, icon="UV",
                context=context)


def analyze_report(source: str | None) -> dict[str, Any] | None:
    """The printability report of the newest finished Analyze of ``source`` (None if none)."""
    from ...core import runtime
    from ...scene.naming import safe_name
    rt = runtime.current_runtime()
    if rt is None or not source:
        return None
    label = safe_name(f"{source} print check")
    snaps = sorted((s for s in rt.pump.view.values() if s.get("kind") == "print-analyze"
                    and s.get("label") == label), key=lambda s: int(s.get("created_ms") or 0))
    for snap in reversed(snaps):
        for step in snap.get("steps", []):
            if step.get("report"):
                return dict(step["report"])
    return None


def _draw_report(layout: Any, report: dict[str, Any]) -> None:
    metrics = report.get("metrics") or {}
    col = layout.column(align=True)
    watertight = metrics.get("is_watertight")
    col.label(text="Watertight" if watertight else "Not watertight",
              icon="CHECKMARK" if watertight else "ERROR")
    for key, title in (("holes", "Holes"), ("non_manifold_edges", "Non-manifold edges"),
                       ("degenerate_faces", "Degenerate faces")):
        if key in metrics:
            col.label(text=f"{title}: {metrics[key]:,}",
                      icon="CHECKMARK" if not metrics[key] else "ERROR")
    if metrics.get("volume") is not None:
        col.label(text=f"Volume: {float(metrics['volume']):,.1f}", icon="CUBE")


def draw_print(layout: Any, context: Any, s: Any, settings: config.Settings,
               source: str | None) -> None:
    from . import uv_print_motion_requests
    n = context.scene.meshy_tools
    cost_button(layout, "meshy.print_analyze", "Analyze",
                uv_print_motion_requests.print_analyze(settings, None, source), settings,
                icon="VIEWZOOM", context=context)
    report = analyze_report(source)
    if report is not None:
        _draw_report(layout, report)
    layout.separator()
    layout.prop(s, "replace_selection")
    cost_button(layout, "meshy.print_repair", "Repair",
                uv_print_motion_requests.print_repair(s, settings, None, source), settings,
                icon="MODIFIER", context=context)
    layout.separator()
    layout.prop(n, "print_max_colors")
    layout.prop(n, "print_max_depth")
    layout.label(text="The 3MF is saved in Meshy's cache folder (Tasks > Open Folder)",
                 icon="FILE_FOLDER")
    cost_button(layout, "meshy.print_multi_color", "Multi-colour 3MF",
                uv_print_motion_requests.print_multi_color(n, settings, None, source), settings,
                icon="COLOR", context=context)


def draw_text_to_motion(layout: Any, context: Any, s: Any, settings: config.Settings,
                        armature: Any) -> None:
    from ...scene import selection
    from . import uv_print_motion_requests
    n = context.scene.meshy_tools
    layout.prop(n, "motion_prompt")
    layout.prop(n, "motion_mode")
    layout.prop(n, "motion_duration")
    req = uv_print_motion_requests.text_to_motion(s, n, settings,
                                                  selection.rig_task_id(armature), armature.name)
    cost_button(layout, "meshy.text_to_motion", "Make Motion", req, settings, icon="ACTION",
                context=context)


# (section id, title, icon, draw): appended to the Selected Object panel's model actions.
MODEL_ACTIONS = (("meshy_sel_uv_unwrap", "UV Unwrap", "UV", draw_uv_unwrap),
                 ("meshy_sel_print", "3D Print", "MOD_SOLIDIFY", draw_print))
