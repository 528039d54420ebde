"""Lean panels: the Generate panel fits a sidebar, draws only what applies to the mode, offers
nothing Meshy API v2 refuses, and still reaches every option; Selected Object offers Texture It
or Retexture, never both; operator tooltips are one line.

Rows are counted by ``RecordingLayout.drawn_rows`` (fixtures/recording_layout.py): each
property, label, operator or picture drawn on a column is a row; everything drawn on one
``row()`` or one sub-panel header shares a row; a list counts its rows.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from fixtures.recording_layout import draw_panel

MAX_ROWS = 30


def _generate(bpy):
    from meshy_blender.blender.features.generate.panel import MESHY_PT_generate

    return draw_panel(MESHY_PT_generate, bpy.context)


def _selected(bpy):
    from meshy_blender.blender.features.edit.panel import MESHY_PT_selected

    return draw_panel(MESHY_PT_selected, bpy.context)


def _with_balance(bpy, meshy_ui):
    """The balance read, so the line under the button is drawn too (the longest panel)."""
    from meshy_blender.blender.core import account, calls, first_read

    account.reset()
    first_read.reset()
    _generate(bpy)  # the first draw asks for the balance; the timer below reads it
    first_read.start()
    calls.CALLS.wait(account.BALANCE_CALL)
    assert account.balance() == meshy_ui.emulator.balance()


@pytest.mark.parametrize("state", ["default", "texture prompt, then rig",
                                   "texture prompt, then rig and animate",
                                   "shape first, 3 candidates"])
def test_generate_in_text_mode_fits_in_30_rows_with_every_section_open(bpy, meshy_ui, state):
    """Every sub-section open (RecordingLayout draws each body), a prompt typed, the balance
    read, the priced button and its balance line: at most 30 rows as Blender draws them."""
    _with_balance(bpy, meshy_ui)
    s = bpy.context.scene.meshy
    s.mode, s.prompt = "TEXT", "a brass lantern"
    if state.startswith("texture prompt, then rig"):
        s.texture_source, s.texture_prompt = "PROMPT", "weathered brass"
        s.chain_rig = True
        s.chain_animate = state.endswith("animate")  # the clips: a popover on its row
    elif state == "shape first, 3 candidates":
        s.should_texture, s.candidates = False, 3
    layout = _generate(bpy)
    sections = [c["args"][0] for c in layout.calls if c["call"] == "panel"]
    assert sections == ["meshy_gen_model", "meshy_gen_texture", "meshy_gen_chain",
                        "meshy_gen_advanced"]
    assert any(text.startswith("Generate") and "credits" in text for text in layout.texts())
    assert any(text.startswith("balance ") for text in layout.texts())
    rows = layout.drawn_rows()
    assert 20 <= rows <= MAX_ROWS, rows  # 20: the count sees the sections' rows at all


def test_the_row_count_counts_rows_the_way_blender_draws_them(bpy, meshy_ui):
    """The count itself can fail: a column adds a row per call, a row() holds one line."""
    from fixtures.recording_layout import RecordingLayout

    s = bpy.context.scene.meshy
    layout = RecordingLayout()
    layout.prop(s, "prompt")
    row = layout.row(heading="Polycount")
    row.prop(s, "use_polycount", text="")
    row.row().prop(s, "target_polycount", text="")
    header, body = layout.panel("x", default_closed=True)
    header.label(text="Model")
    body.prop(s, "ai_model")
    body.column().prop(s, "model_type")
    assert layout.drawn_rows() == 5


# The Generate settings that are no longer offered, each with why: drawn only while set (old
# files), or drawn elsewhere.
NOT_OFFERED = {
    "art_style": "Meshy API v2 has no Art Style (refused with a sentence while set)",
    "negative_prompt": "Meshy API v2 has no negative prompt (refused with a sentence while set)",
    "chain_remesh": "Model > Remesh is the one Remesh (drawn while an old file has it on)",
    "discard_candidates": "drawn in Selected Object > Texture Shape, where it applies",
}
GENERATE_TOOLS = ("meshy7", "geometry_resolution", "texture_from_views", "texture_resolution",
                  "alpha_thumbnail")


def _generate_settings(bpy):
    """scene.meshy's Generate settings: every property from Mode to Then Animate, in the
    order they are declared (the Generate block of ui/properties.py)."""
    names = [p.identifier for p in bpy.context.scene.meshy.bl_rna.properties]
    return names[names.index("mode"):names.index("chain_animate") + 1]


def test_every_generate_option_is_drawn_in_some_mode(bpy, meshy_ui, tmp_path):
    """Walk the modes and the switches that open more options; every Generate setting is
    drawn somewhere (pictures by their labels), except the ones listed as not offered."""
    s, n = bpy.context.scene.meshy, bpy.context.scene.meshy_tools
    drawn: set[tuple[str, str]] = set()
    texts: set[str] = set()
    for mode in ("TEXT", "IMAGE", "MULTI_IMAGE"):
        for textured, source, rig, views in ((True, "NONE", False, False),
                                             (True, "PROMPT", True, True),
                                             (True, "IMAGE", True, False),
                                             (False, "NONE", False, False)):
            s.mode, s.should_texture, s.texture_source = mode, textured, source
            s.chain_rig = s.chain_animate = rig
            n.texture_from_views = views
            layout = _generate(bpy)
            drawn |= layout.drawn_props()
            texts |= set(layout.texts())
    missing = []
    for name in _generate_settings(bpy):
        if name in NOT_OFFERED:
            continue
        prop = s.bl_rna.properties[name]
        if prop.type == "POINTER" and prop.fixed_type.identifier == "MeshyImageInput":
            if prop.name not in texts:  # a picture input is labelled with its name
                missing.append(name)
        elif ("MeshySceneSettings", name) not in drawn:
            missing.append(name)
    missing += [f"meshy_tools.{name}" for name in GENERATE_TOOLS
                if ("MeshyToolSettings", name) not in drawn]
    missing += [f"Texture View {i}" for i in range(1, 5) if f"Texture View {i}" not in texts]
    assert missing == []


def test_what_v2_refuses_is_drawn_only_while_set_and_then_refused_in_words(bpy, meshy_ui):
    s = bpy.context.scene.meshy
    s.mode, s.prompt = "TEXT", "a lamp"
    layout = _generate(bpy)
    assert not {"art_style", "negative_prompt", "chain_remesh"} & set(layout.props())
    s.negative_prompt = "blurry"  # an old file's Avoid
    layout = _generate(bpy)
    assert "negative_prompt" in layout.props()  # to be cleared
    assert any("Negative Prompt" in text for text in layout.texts())  # why nothing is sent
    assert not any(text.startswith("Generate (") for text in layout.texts())
    with pytest.raises(RuntimeError, match="Meshy API v2 takes no Negative Prompt"):
        bpy.ops.meshy.generate_text()
    assert meshy_ui.posts() == []
    s.negative_prompt, s.art_style = "", "sculpture"
    layout = _generate(bpy)
    assert "art_style" in layout.props() and "negative_prompt" not in layout.props()
    s.art_style, s.chain_remesh = "realistic", True
    assert "chain_remesh" in _generate(bpy).props()  # on in an old file: can be turned off


def test_the_generate_dialog_offers_no_art_style(bpy, meshy_ui):
    from meshy_blender.blender.features.generate.operators import MESHY_OT_generate_text

    from fixtures.recording_layout import RecordingLayout

    layout = RecordingLayout()
    MESHY_OT_generate_text.draw_dialog(SimpleNamespace(mode="TEXT"), layout, bpy.context)
    assert "prompt" in layout.props() and "art_style" not in layout.props()


def test_selected_object_offers_texture_it_for_a_shape_and_retexture_for_a_model(bpy,
                                                                               meshy_ui):
    bpy.ops.mesh.primitive_cube_add()
    cube = bpy.context.view_layer.objects.active
    cube["meshy_task_ids"] = "preview=aaaa"
    cube["meshy_untextured"] = True
    layout = _selected(bpy)
    sections = [c["args"][0] for c in layout.calls if c["call"] == "panel"]
    assert "meshy_sel_texture_shape" in sections and "meshy_sel_retexture" not in sections
    assert "meshy.texture_shape" in layout.operator_ids()
    assert "meshy.retexture" not in layout.operator_ids()
    assert "texture_model" in layout.props()  # Texture It says which model paints it
    del cube["meshy_untextured"]
    cube["meshy_task_ids"] = "preview=aaaa,refine=bbbb"
    layout = _selected(bpy)
    sections = [c["args"][0] for c in layout.calls if c["call"] == "panel"]
    assert "meshy_sel_retexture" in sections and "meshy_sel_texture_shape" not in sections
    assert "meshy.texture_shape" not in layout.operator_ids()


def test_every_operator_tooltip_is_one_line(bpy, meshy_ui):
    from meshy_blender.blender import registration

    operators = [cls for cls in registration.CLASSES if issubclass(cls, bpy.types.Operator)]
    assert len(operators) > 10
    for cls in operators:
        module, _, name = cls.bl_idname.partition(".")
        description = getattr(getattr(bpy.ops, module), name).get_rna_type().description
        assert "\n" not in description and "  " not in description, cls
        assert bool(description) == bool(cls.__doc__), cls


def test_jobs_are_a_list_of_one_line_each_with_the_chosen_ones_details(bpy, meshy_ui):
    """The Tasks sub-panel keeps its height as jobs pile up: one list line per job (a
    ``UIList``), the chosen job's details and actions under the list."""
    from meshy_blender.blender.features.tasks import job_list
    from meshy_blender.blender.features.tasks.panel import MESHY_PT_tasks
    from meshy_blender.jobs import model
    from meshy_blender.jobs.plans import plan_job

    from fixtures.recording_layout import RecordingLayout

    view = meshy_ui.runtime().pump.view
    jobs = []
    heights = []
    for n, status in enumerate((model.IMPORTED, model.FAILED, model.RUNNING, model.IMPORTED)):
        job = plan_job("text-to-3d", {"prompt": f"prop {n}", "should_texture": False})
        job.status, job.created_ms = status, 1_000 + n
        view[job.id] = job.snapshot()
        jobs.append(job)
        assert not bpy.app.timers.is_registered(job_list.sync_now)
        draw_panel(MESHY_PT_tasks, bpy.context)
        assert bpy.app.timers.is_registered(job_list.sync_now)  # rows rebuilt after the draw
        bpy.app.timers.unregister(job_list.sync_now)  # no event loop here: run it by hand
        job_list.sync_now()
        layout = draw_panel(MESHY_PT_tasks, bpy.context)
        lists = [c for c in layout.calls if c["call"] == "template_list"]
        assert [c["kwargs"]["listtype_name"] for c in lists] == ["MESHY_UL_jobs"]
        heights.append(layout.drawn_rows())
    wm_state = bpy.context.window_manager.meshy
    assert [row.name for row in wm_state.jobs] == [job.id for job in reversed(jobs)]
    assert max(heights) - min(heights) <= 3  # a job adds no rows (its details may differ)

    wm_state.job_index = 1  # the running job: its step, a bar and Cancel under the list
    layout = draw_panel(MESHY_PT_tasks, bpy.context)
    cancel = [c for c in layout.operators() if c["kwargs"]["operator"] == "meshy.cancel_job"]
    assert [c["props"]["job_id"] for c in cancel] == [jobs[2].id]

    line = RecordingLayout()  # one list line: status icon, name, step or outcome, one row
    job_list.MESHY_UL_jobs.draw_item(None, bpy.context, line, wm_state, wm_state.jobs[2],
                                     0, wm_state, "job_index")
    assert line.texts() == ["prop 1", "Failed"] and line.drawn_rows() == 1
