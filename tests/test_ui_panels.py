"""Every sidebar panel's real draw() in each state (no key, offline, idle, running, failed).

Drawn into fixtures.recording_layout.RecordingLayout, which checks each layout call against
Blender's RNA as it happens (see its docstring for why no real UILayout is used headless).
"""

from __future__ import annotations

import pytest

from meshy_blender.jobs import model
from meshy_blender.jobs.model import JobError
from meshy_blender.jobs.plans import plan_job

from fixtures.recording_layout import LayoutCallError, RecordingLayout, draw_panel


def draw(panel_cls, bpy):
    if hasattr(panel_cls, "poll"):
        assert panel_cls.poll(bpy.context)
    return draw_panel(panel_cls, bpy.context)


def all_panels():
    from meshy_blender.blender.ui import panels

    return panels.CLASSES


def draw_all(bpy):
    return {cls.bl_idname: draw(cls, bpy) for cls in all_panels()}


# -------------------------------------------------------------- the recorder itself can fail

def test_recording_layout_rejects_what_blender_would_ignore_or_refuse(bpy, meshy_ui):
    layout = RecordingLayout()
    scene_settings = bpy.context.scene.meshy
    with pytest.raises(LayoutCallError, match="no property 'promt'"):
        layout.prop(scene_settings, "promt")
    with pytest.raises(LayoutCallError, match="not registered"):
        layout.operator("meshy.generate_txt")
    with pytest.raises(LayoutCallError, match="icon"):
        layout.label(text="x", icon="NOT_AN_ICON")
    with pytest.raises(LayoutCallError, match="no property 'jobid'"):
        layout.operator("meshy.cancel_job").jobid = "x"
    with pytest.raises(LayoutCallError, match="kind"):
        layout.operator("meshy.resume_task").kind = "text-to-4d"
    with pytest.raises(LayoutCallError, match="no parameter"):
        layout.label(txt="x")
    with pytest.raises(LayoutCallError, match="no attribute"):
        layout.enabeld = False
    with pytest.raises(AttributeError):
        layout.not_a_layout_method  # noqa: B018
    _header, body = layout.panel("x", default_closed=True)
    assert isinstance(body, RecordingLayout)


# -------------------------------------------------------------- account states

def test_no_key_state_says_where_to_set_it(bpy, meshy_ui):
    meshy_ui.prefs.api_key = ""
    drawn = draw_all(bpy)
    texts = drawn["MESHY_PT_account"].texts()
    assert "No API key" in texts and "or set MESHY_API_KEY" in texts
    tasks = drawn["MESHY_PT_tasks"].texts()
    assert "No Meshy jobs in this session" in tasks


def test_offline_state_explains_how_to_allow_online_access(bpy, meshy_ui):
    meshy_ui.prefs.api_base = "https://api.meshy.ai"
    texts = " ".join(draw_all(bpy)["MESHY_PT_account"].texts())
    assert "Online access is off" in texts
    assert "Allow Online Access" in texts and "--online-mode" in texts


def test_idle_state_shows_key_source_balance_and_prices(bpy, meshy_ui):
    from meshy_blender.blender.session import account, calls

    bpy.ops.meshy.refresh_balance()
    calls.CALLS.wait(account.BALANCE_CALL)
    bpy.context.scene.meshy.prompt = "a chair"
    drawn = draw_all(bpy)
    account = drawn["MESHY_PT_account"].texts()
    assert "Key: from preferences" in account
    assert f"Balance: {meshy_ui.emulator.balance()} credits" in account
    assert "Local server: no internet needed" in account
    assert "Generate (30 credits, 2 tasks)" in drawn["MESHY_PT_generate"].texts()
    assert "meshy.test_connection" in drawn["MESHY_PT_account"].operator_ids()


@pytest.mark.parametrize("mode, button", [
    ("TEXT", "Generate (20 credits)"),
    ("IMAGE", "Generate (20 credits)"),
    ("MULTI_IMAGE", "Generate (20 credits)"),
])
def test_generate_panel_draws_every_mode_with_its_options(bpy, meshy_ui, mode, button):
    s = bpy.context.scene.meshy
    s.mode = mode
    s.should_texture = False
    s.prompt = "a chair"
    image = bpy.data.images.new("ref", 4, 4)
    s.image.image = image
    s.multi_image_2.image = image
    layout = draw(all_panels()[1], bpy)
    assert button in layout.texts()
    props = set(layout.props())
    assert {"ai_model", "model_type", "topology", "target_polycount", "symmetry_mode",
            "pose_mode", "should_texture", "enable_pbr", "remove_lighting", "texture_source",
            "target_formats", "auto_size", "origin_at", "chain_rig", "chain_remesh"} <= props
    if mode == "TEXT":
        assert {"prompt", "prompt_text", "negative_prompt", "art_style"} <= props


def test_generate_panel_shows_why_it_cannot_be_priced(bpy, meshy_ui):
    s = bpy.context.scene.meshy
    s.mode = "IMAGE"
    layout = draw(all_panels()[1], bpy)
    assert "Generate" in layout.texts()
    assert any("image_url" in t for t in layout.texts())


def test_chain_total_is_shown_on_the_button(bpy, meshy_ui):
    s = bpy.context.scene.meshy
    s.prompt = "a robot"
    s.chain_remesh = True
    s.chain_rig = True
    s.chain_animations = "4, 12"
    texts = draw(all_panels()[1], bpy).texts()
    assert "Generate (46 credits, 6 tasks)" in texts  # 20 + 10 + 5 + 5 + 3 + 3


def test_selected_panel_follows_the_selection(bpy, meshy_ui):
    panel = all_panels()[2]
    texts = draw(panel, bpy).texts()
    assert "Select a mesh to retexture, remesh or rig" in texts

    bpy.ops.mesh.primitive_cube_add()
    layout = draw(panel, bpy)
    assert "'text_style_prompt' must not be empty." in layout.texts()  # why Retexture has no price
    bpy.context.scene.meshy.retexture_prompt = "gold"
    layout = draw(panel, bpy)
    assert "Uploads 1 mesh object(s) as GLB" in layout.texts()
    assert {"Retexture (10 credits)", "Remesh (5 credits)", "Rig (5 credits)"} <= \
        set(layout.texts())
    assert "meshy.animate" not in layout.operator_ids()

    cube = bpy.context.view_layer.objects.active
    cube["meshy_task_ids"] = "preview=aaaa,refine=bbbb"
    assert "Meshy model: Cube" in draw(panel, bpy).texts()

    bpy.ops.object.armature_add()
    rig = bpy.context.view_layer.objects.active
    rig["meshy_task_ids"] = "rig=cccc"
    layout = draw(panel, bpy)
    assert "Animate (3 credits)" in layout.texts()
    assert "meshy.load_animation_library" in layout.operator_ids()

    from meshy_blender.blender.session import calls, library

    bpy.ops.meshy.load_animation_library()
    calls.CALLS.wait(library.CALL)
    layout = draw(panel, bpy)
    assert any(c["call"] == "template_list" for c in layout.calls)
    assert "animation_category" in layout.props()


def test_animation_picker_falls_back_to_typing_an_id_when_the_library_is_missing(
        bpy, meshy_ui, monkeypatch):
    from meshy_blender.blender.session import calls, library

    client = meshy_ui.runtime().client
    monkeypatch.setattr(client, "animation_library", lambda: None)  # what a 404 returns
    library.fetch(client)
    calls.CALLS.wait(library.CALL)
    bpy.ops.object.armature_add()
    bpy.context.view_layer.objects.active["meshy_task_ids"] = "rig=cccc"
    layout = draw(all_panels()[2], bpy)
    assert any("type an action id" in t for t in layout.texts())
    assert "action_id" in layout.props()


# -------------------------------------------------------------- job states in the Tasks panel

def _job_in_view(meshy_ui, status, **fields):
    job = plan_job("text-to-3d", {"prompt": f"a {status.lower()} thing"})
    job.status = status
    for key, value in fields.items():
        setattr(job, key, value)
    meshy_ui.runtime().pump.view[job.id] = job.snapshot()
    return job


def test_running_job_draws_a_progress_bar_with_cancel_buttons(bpy, meshy_ui):
    job = _job_in_view(meshy_ui, model.RUNNING, detail="text-to-3d-preview: in progress")
    job.steps[0].progress = 50
    job.steps[0].task_id = "0193bfc5-ee4f-73f8-8525-44b398884ce9"
    meshy_ui.runtime().pump.view[job.id] = job.snapshot()
    layout = draw(all_panels()[3], bpy)
    bars = [c for c in layout.calls if c["call"] == "progress"]
    assert len(bars) == 1 and bars[0]["kwargs"]["factor"] == pytest.approx(0.25)
    assert "25%  text-to-3d-preview: in progress" in layout.texts()
    cancels = [c for c in layout.operators() if c["kwargs"]["operator"] == "meshy.cancel_job"]
    assert [c["props"] for c in cancels] == [{"job_id": job.id},
                                            {"job_id": job.id, "on_server": True}]
    assert "~30 credits" in layout.texts()
    assert "meshy.copy_task_id" in layout.operator_ids()


def test_failed_job_shows_its_error_and_retry(bpy, meshy_ui):
    job = _job_in_view(meshy_ui, model.FAILED, detail="failed",
                       error=JobError("TaskFailedError", "Meshy could not make this model"))
    layout = draw(all_panels()[3], bpy)
    assert "Meshy could not make this model" in layout.texts()
    retry = [c for c in layout.operators() if c["kwargs"]["operator"] == "meshy.retry_job"]
    assert retry[0]["props"] == {"job_id": job.id}
    assert not [c for c in layout.calls if c["call"] == "progress"]


def test_finished_job_offers_reimport_folder_and_id(bpy, meshy_ui):
    bpy.context.scene.meshy.prompt = "a stool"
    bpy.context.scene.meshy.should_texture = False
    bpy.ops.meshy.generate_text()
    job = meshy_ui.run()
    layout = draw(all_panels()[3], bpy)
    ids = layout.operator_ids()
    assert {"meshy.reimport_job", "meshy.open_job_folder", "meshy.copy_task_id"} <= set(ids)
    assert f"{job.consumed_credits} of ~{job.estimated_credits} credits" in layout.texts()


def test_recent_server_tasks_are_listed_with_an_import_button(bpy, meshy_ui, meshy_key):
    from meshy_blender.blender.session import account, calls

    from fixtures.emulator import Api

    task = Api(meshy_ui.emulator, meshy_key).preview(prompt="a lamp")
    bpy.context.window_manager.meshy.recent_kind = "text-to-3d-preview"
    bpy.ops.meshy.list_server_tasks()
    calls.CALLS.wait(account.RECENT_CALL)
    layout = draw(all_panels()[3], bpy)
    resume = [c for c in layout.operators() if c["kwargs"]["operator"] == "meshy.resume_task"
              and c.get("props")]
    assert resume[0]["props"] == {"kind": "text-to-3d-preview", "task_id": task["id"]}


def test_preferences_draw_every_setting(bpy, meshy_ui):
    from meshy_blender.blender.ui.preferences import draw_preferences

    layout = RecordingLayout()
    draw_preferences(layout, meshy_ui.prefs, bpy.context)
    assert {"api_key", "api_base", "cache_dir", "ca_bundle", "proxy", "max_jobs", "use_stream",
            "import_format", "placement"} <= set(layout.props())
    assert "meshy.test_connection" in layout.operator_ids()


def test_settings_are_resolved_once_per_draw_and_once_per_click(bpy, meshy_ui, monkeypatch):
    """Environment, preferences and the policy file are read once per panel draw and once per
    button press, then passed down (a panel redraws many times a second while a job runs)."""
    from meshy_blender.blender.session import config

    resolved: list[int] = []
    real = config.resolve
    monkeypatch.setattr(config, "resolve", lambda *a, **k: resolved.append(1) or real(*a, **k))
    bpy.context.scene.meshy.prompt = "a stool"
    bpy.ops.mesh.primitive_cube_add()
    for panel in all_panels():
        resolved.clear()
        draw(panel, bpy)
        assert len(resolved) == 1, panel.bl_idname

    resolved.clear()
    assert bpy.ops.meshy.generate_text() == {"FINISHED"}
    assert len(resolved) == 1
    meshy_ui.run()
