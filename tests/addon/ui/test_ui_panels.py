"""Every sidebar panel's real draw() in each state (no key, offline, idle, running, failed,
finished, zero balance).

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
    from meshy_blender.blender import panels

    return panels.CLASSES


def draw_all(bpy):
    return {cls.bl_idname: draw(cls, bpy) for cls in all_panels()}


def panel(name):
    return next(cls for cls in all_panels() if cls.bl_idname == name)


GENERATE, SELECTED, TASKS = "MESHY_PT_generate", "MESHY_PT_selected", "MESHY_PT_tasks"


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

def test_no_key_state_says_where_to_set_it_and_disables_generate(bpy, meshy_ui):
    meshy_ui.prefs.api_key = ""
    bpy.context.scene.meshy.prompt = "a chair"
    drawn = draw_all(bpy)
    account_texts = " ".join(drawn["MESHY_PT_account"].texts())
    assert "needs an API key" in account_texts and "MESHY_API_KEY" in account_texts
    urls = [c.get("props", {}).get("url") for c in drawn["MESHY_PT_account"].operators()
            if c["kwargs"]["operator"] == "wm.url_open"]
    assert urls == ["https://www.meshy.ai/settings/api"]
    assert "preferences.addon_show" in drawn["MESHY_PT_account"].operator_ids()
    generate = drawn[GENERATE]
    assert "Generate" in generate.texts()  # no price: nothing can be sent
    assert said(generate, "Add your Meshy API key first (Account)")
    assert disabled_button(generate, "meshy.generate_text")
    assert "No Meshy jobs in this session" in drawn[TASKS].texts()


def said(layout, sentence):
    """True when ``sentence`` was drawn, possibly wrapped over several labels."""
    return sentence in " ".join(layout.texts())


def disabled_button(layout, idname):
    """True when the button for ``idname`` is drawn greyed out (its layout disabled)."""
    return any(c["kwargs"]["operator"] == idname and not c["layout"].is_enabled()
               for c in layout.operators())


def test_offline_state_explains_how_to_allow_online_access(bpy, meshy_ui):
    meshy_ui.prefs.api_base = "https://api.meshy.ai"
    drawn = draw_all(bpy)
    texts = " ".join(drawn["MESHY_PT_account"].texts())
    assert "not allowed to go online" in texts and "Allow Online Access" in texts
    ops = [c for c in drawn["MESHY_PT_account"].operators()
           if c["kwargs"]["operator"] == "screen.userpref_show"]
    assert ops[0]["props"] == {"section": "SYSTEM"}
    assert said(drawn[GENERATE], "Blender is offline: allow Online Access (Account)")
    assert disabled_button(drawn[GENERATE], "meshy.generate_text")


def test_idle_state_reads_the_balance_on_first_draw_and_shows_it_under_the_price(bpy,
                                                                                  meshy_ui):
    from meshy_blender.blender.core import account, calls, first_read
    from meshy_blender.blender.features.account.panel import balance_text

    account.reset()
    first_read.reset()
    bpy.context.scene.meshy.prompt = "a chair"
    drawn = draw_all(bpy)  # the first draw asks for the read; it never starts the worker
    assert first_read.asked() and not calls.CALLS.running(account.BALANCE_CALL)
    assert balance_text() == "Reading balance..."  # the Account header until it arrives
    assert "Generate (30 credits)" in drawn[GENERATE].texts()  # priced before the balance
    assert not any("costs" in text or "balance" in text for text in drawn[GENERATE].texts())
    first_read.start()  # what Blender's one-shot timer does right after the draw
    calls.CALLS.wait(account.BALANCE_CALL)  # the pump's channel delivers it
    balance = meshy_ui.emulator.balance()
    assert account.balance() == balance
    drawn = draw_all(bpy)
    assert drawn["MESHY_PT_account"].texts() == []  # key works: the header line says it all
    texts = drawn[GENERATE].texts()
    assert "Generate (30 credits)" in texts  # textured: one Meshy API v2 task
    assert f"balance {balance:,}" in texts  # the price is said once: on the button
    assert not any("costs" in text for text in texts)
    assert not disabled_button(drawn[GENERATE], "meshy.generate_text")


def test_a_balance_below_the_price_disables_the_button_and_says_why(bpy, meshy_ui):
    from meshy_blender.blender.core import account, calls

    bpy.context.scene.meshy.prompt = "a chair"
    calls.CALLS.outcomes[account.BALANCE_CALL] = calls.Outcome(value=9)
    layout = draw(panel(GENERATE), bpy)
    assert said(layout, "Not enough credits: this costs 30, you have 9")
    assert disabled_button(layout, "meshy.generate_text")
    buy = [c for c in layout.operators() if c["kwargs"]["operator"] == "wm.url_open"]
    assert buy and buy[0]["kwargs"]["text"] == "Buy Credits"

    calls.CALLS.outcomes[account.BALANCE_CALL] = calls.Outcome(value=0)  # zero balance
    drawn = draw_all(bpy)
    assert said(drawn[GENERATE], "Not enough credits: this costs 30, you have 0")
    assert "Buy Credits" in drawn["MESHY_PT_account"].texts()


def test_preferences_show_the_full_account_status(bpy, meshy_ui):
    from meshy_blender.blender.core import config
    from meshy_blender.blender.features.account.panel import draw_account

    layout = RecordingLayout()
    draw_account(layout, config.resolve(bpy.context))
    texts = layout.texts()
    assert "Key: from preferences" in texts
    assert "Local server: no internet needed" in texts
    assert "meshy.test_connection" in layout.operator_ids()


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
    layout = draw(panel(GENERATE), bpy)
    assert button in layout.texts()
    props = set(layout.props())
    assert {"ai_model", "model_type", "topology", "target_polycount", "symmetry_mode",
            "pose_mode", "should_texture", "target_formats", "auto_size", "origin_at",
            "chain_rig", "moderation", "import_format"} <= props
    # A shape has no texture options to set (they apply when texturing it later), and the
    # one Remesh is Model's: Then Remesh is drawn only while an old file has it on.
    assert not {"enable_pbr", "remove_lighting", "texture_source", "chain_remesh"} & props
    sections = {c["args"][0]: c["kwargs"]["default_closed"] for c in layout.calls
                if c["call"] == "panel"}
    assert sections["meshy_gen_advanced"] is True  # Advanced is closed by default
    assert all(sections.values())
    if mode == "TEXT":
        assert {"prompt", "prompt_text", "candidates"} <= props
        assert not {"negative_prompt", "art_style"} & props  # Meshy API v2 has neither


def test_generate_panel_shows_why_it_cannot_be_priced(bpy, meshy_ui):
    s = bpy.context.scene.meshy
    s.mode = "IMAGE"
    layout = draw(panel(GENERATE), bpy)
    assert "Generate" in layout.texts()
    assert "Pick a picture first (Picture)" in layout.texts()
    assert disabled_button(layout, "meshy.generate_image")


def test_chain_total_is_shown_on_the_button(bpy, meshy_ui):
    from meshy_blender.blender.core import calls, library

    s = bpy.context.scene.meshy
    s.prompt = "a robot"
    s.chain_remesh = True
    s.chain_rig = True
    s.chain_animate = True
    bpy.ops.meshy.load_animation_library()
    calls.CALLS.wait(library.CALL)
    for item in bpy.context.window_manager.meshy.animations:
        item.selected = item.action_id in (4, 12)  # ticked in the list, never typed
    layout = draw(panel(GENERATE), bpy)
    # The clips are picked in a popover (one row in Generate), whose panel draws the list.
    [pop] = [c for c in layout.calls if c["call"] == "popover"]
    assert pop["kwargs"]["text"] == "2 chosen"
    picker = getattr(bpy.types, pop["kwargs"]["panel"])
    assert any(c["call"] == "template_list" for c in draw(picker, bpy).calls)
    # 30 + 5 + 1 rig check + 5 + 3 + 3
    assert "Generate (47 credits, 6 tasks)" in layout.texts()


def _sections(layout):
    return [c["args"][0] for c in layout.calls if c["call"] == "panel"]


def test_selected_panel_offers_only_the_actions_that_apply(bpy, meshy_ui):
    selected = panel(SELECTED)
    layout = draw(selected, bpy)
    assert "Select a mesh to retexture, remesh or rig" in layout.texts()
    assert _sections(layout) == []

    bpy.ops.mesh.primitive_cube_add()
    layout = draw(selected, bpy)
    # why Retexture has no price, in the words of the field the artist sees
    assert said(layout, "Type a style for Retexture (Style), or pick a style picture")
    bpy.context.scene.meshy.retexture_prompt = "gold"
    layout = draw(selected, bpy)
    assert "Uploads 1 mesh object(s) as GLB" in layout.texts()
    assert _sections(layout) == ["meshy_sel_retexture", "meshy_sel_remesh", "meshy_sel_rig",
                                 "meshy_sel_uv_unwrap", "meshy_sel_print"]
    assert {"Retexture (10 credits)", "Remesh (5 credits)", "Rig (6 credits, 2 tasks)"} <= \
        set(layout.texts())
    bpy.context.scene.meshy.rig_check = False  # Check First off: the rig alone
    assert "Rig (5 credits)" in draw(selected, bpy).texts()
    bpy.context.scene.meshy.rig_check = True
    assert "meshy.animate" not in layout.operator_ids()

    cube = bpy.context.view_layer.objects.active
    cube["meshy_task_ids"] = "preview=aaaa,refine=bbbb"
    assert "Meshy model: Cube" in draw(selected, bpy).texts()

    bpy.ops.object.armature_add()
    rig = bpy.context.view_layer.objects.active
    rig["meshy_task_ids"] = "rig=cccc"
    layout = draw(selected, bpy)
    # a rig offers Animate and Text to Motion only
    assert _sections(layout) == ["meshy_sel_animate", "meshy_sel_motion"]
    assert not {"meshy.retexture", "meshy.remesh", "meshy.rig"} & set(layout.operator_ids())
    assert "Animate (3 credits)" in layout.texts()
    assert "meshy.load_animation_library" in layout.operator_ids()
    assert "action_id" not in layout.props()  # no typed ids while the library can load

    from meshy_blender.blender.core import calls, library

    bpy.ops.meshy.load_animation_library()
    calls.CALLS.wait(library.CALL)
    wm_state = bpy.context.window_manager.meshy
    for item in wm_state.animations:
        item.selected = item.action_id in (0, 4)
    layout = draw(selected, bpy)
    assert any(c["call"] == "template_list" for c in layout.calls)
    assert "animation_category" in layout.props()
    # two ticked: one task (action_ids) whose price Meshy does not publish
    assert "Animate (price not published)" in layout.texts()


def test_animation_picker_falls_back_to_typing_an_id_when_the_library_is_missing(
        bpy, meshy_ui, monkeypatch):
    from meshy_blender.blender.core import calls, library

    client = meshy_ui.runtime().client
    meshy_ui.emulator.set_fault("library_missing")  # the endpoint answers 404
    library.fetch(client)
    calls.CALLS.wait(library.CALL)
    bpy.ops.object.armature_add()
    bpy.context.view_layer.objects.active["meshy_task_ids"] = "rig=cccc"
    layout = draw(panel(SELECTED), bpy)
    assert any("type an action id" in t for t in layout.texts())
    assert "action_id" in layout.props()


# -------------------------------------------------------------- job states in the Tasks panel

def _job_in_view(meshy_ui, status, **fields):
    # A two-step chain: a shape (20 credits), then a remesh of it (5).
    job = plan_job("text-to-3d", {"prompt": f"a {status.lower()} thing",
                                  "should_texture": False, "remesh": {}})
    job.status = status
    for key, value in fields.items():
        setattr(job, key, value)
    meshy_ui.runtime().pump.view[job.id] = job.snapshot()
    return job


def test_running_job_shows_its_step_in_words_with_cancel_and_stop_watching(bpy, meshy_ui):
    job = _job_in_view(meshy_ui, model.RUNNING, detail="remesh: in progress")
    job.steps[0].status = model.STEP_SUCCEEDED
    job.steps[1].progress = 50
    job.steps[1].task_id = "0193bfc5-ee4f-73f8-8525-44b398884ce9"
    meshy_ui.runtime().pump.view[job.id] = job.snapshot()
    layout = draw(panel(TASKS), bpy)
    bars = [c for c in layout.calls if c["call"] == "progress"]
    assert len(bars) == 1 and bars[0]["kwargs"]["factor"] == pytest.approx(0.75)
    assert "Remesh 2/2 · 75%" in layout.texts()
    assert not any("text-to-3d" in t for t in layout.texts())
    cancels = [c for c in layout.operators()
               if c["kwargs"]["operator"] in ("meshy.cancel_job", "meshy.stop_watching")]
    assert [(c["kwargs"]["text"], c["props"]) for c in cancels] == [
        ("Cancel", {"job_id": job.id}), ("Stop Watching", {"job_id": job.id})]
    assert "~25 credits" in layout.texts()
    assert "meshy.copy_task_id" in layout.operator_ids()

    # ... and right under the Generate button: the same step, a bar and Cancel
    generate = draw(panel(GENERATE), bpy)
    bars = [c for c in generate.calls if c["call"] == "progress"]
    assert bars and bars[0]["kwargs"]["text"] == "Remesh 2/2 · 75%"
    assert "meshy.cancel_job" in generate.operator_ids()


def test_failed_job_shows_its_error_once_wrapped_what_was_charged_and_a_priced_retry(
        bpy, meshy_ui):
    long = ("Meshy could not make this model because the picture shows several objects; "
            "crop it to one object on a plain background and try again please.")
    job = _job_in_view(meshy_ui, model.FAILED, detail=long,
                       error=JobError("TaskFailedError", long))
    job.steps[0].status = model.STEP_SUCCEEDED
    job.steps[0].consumed_credits = 20
    job.steps[1].consumed_credits = 0
    meshy_ui.runtime().pump.view[job.id] = job.snapshot()
    layout = draw(panel(TASKS), bpy)
    texts = layout.texts()
    joined = " ".join(texts)
    assert joined.count("crop it to one") == 1  # shown once
    assert all(len(t) <= 40 for t in texts if t in long)  # wrapped to the sidebar
    assert "20 credits charged" in texts
    retry = [c for c in layout.operators() if c["kwargs"]["operator"] == "meshy.retry_job"]
    assert retry[0]["props"] == {"job_id": job.id}
    assert retry[0]["kwargs"]["text"] == "Retry (5 credits)"  # the shape is not paid again
    assert not [c for c in layout.calls if c["call"] == "progress"]
    assert "meshy.clear_finished" in layout.operator_ids()


def test_a_refunded_failure_reads_zero_credits_refunded(bpy, meshy_ui):
    _job_in_view(meshy_ui, model.FAILED, error=JobError("ServerError", "boom"))
    layout = draw(panel(TASKS), bpy)
    assert "0 credits, refunded" in layout.texts()
    assert said(layout, "Meshy had a server problem: press Retry in a moment")
    assert "Retry (25 credits)" in layout.texts()


def test_finished_job_offers_reimport_folder_and_id(bpy, meshy_ui):
    bpy.context.scene.meshy.prompt = "a stool"
    bpy.context.scene.meshy.should_texture = False
    bpy.ops.meshy.generate_text()
    job = meshy_ui.run()
    layout = draw(panel(TASKS), bpy)
    ids = layout.operator_ids()
    assert {"meshy.reimport_job", "meshy.open_job_folder", "meshy.copy_task_id"} <= set(ids)
    assert f"{job.consumed_credits} credits" in layout.texts()
    assert "Imported" in layout.texts()  # statuses in title case
    assert f"Imported '{job.label}'" in draw(panel(GENERATE), bpy).texts()


def test_a_downloaded_job_not_yet_imported_offers_import(bpy, meshy_ui):
    """Finished while nobody watched (Esc, or resumed at start-up): the UI timer never imports,
    so the row's button imports it; an imported job's button says Re-import."""
    from meshy_blender.blender.features.tasks import job_list

    waiting = _job_in_view(meshy_ui, model.READY)
    done = _job_in_view(meshy_ui, model.IMPORTED)
    job_list.sync_now()  # what the timer does right after a draw finds new jobs
    wm_state = bpy.context.window_manager.meshy
    buttons = {}
    for index in range(len(wm_state.jobs)):  # the job chosen in the list shows its actions
        wm_state.job_index = index
        layout = draw(panel(TASKS), bpy)
        buttons.update({c["props"].get("job_id"): c["kwargs"].get("text")
                        for c in layout.operators()
                        if c["kwargs"]["operator"] == "meshy.reimport_job"})
    assert buttons == {waiting.id: "Import", done.id: "Re-import"}


def test_recent_server_tasks_are_listed_with_an_import_button(bpy, meshy_ui, meshy_key):
    from meshy_blender.blender.core import account, calls

    from fixtures.emulator import Api

    task = Api(meshy_ui.emulator, meshy_key).preview(prompt="a lamp")
    bpy.context.window_manager.meshy.recent_kind = "text-to-3d-preview"
    bpy.ops.meshy.list_server_tasks()
    calls.CALLS.wait(account.RECENT_CALL)
    layout = draw(panel("MESHY_PT_recent"), bpy)
    assert any("Succeeded" in t or "In Progress" in t or "Pending" in t
               for t in layout.texts())
    resume = [c for c in layout.operators() if c["kwargs"]["operator"] == "meshy.resume_task"
              and c.get("props")]
    assert resume[0]["props"] == {"kind": "text-to-3d-preview", "task_id": task["id"]}


def test_preferences_draw_every_setting(bpy, meshy_ui):
    from meshy_blender.blender.features.account.preferences import draw_preferences

    layout = RecordingLayout()
    draw_preferences(layout, meshy_ui.prefs, bpy.context)
    assert {"api_key", "api_base", "cache_dir", "ca_bundle", "proxy", "max_jobs", "use_stream",
            "import_format", "placement"} <= set(layout.props())
    assert "meshy.test_connection" in layout.operator_ids()


def test_settings_are_resolved_once_per_draw_and_once_per_click(bpy, meshy_ui, monkeypatch):
    """Environment, preferences and the policy file are read once per panel draw and once per
    button press, then passed down (a panel redraws many times a second while a job runs)."""
    from meshy_blender.blender.core import config

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


# -------------------------------------------------------------- every panel in every state

def _state_no_key(bpy, meshy_ui):
    meshy_ui.prefs.api_key = ""


def _state_offline(bpy, meshy_ui):
    meshy_ui.prefs.api_base = "https://api.meshy.ai"


def _state_idle(bpy, meshy_ui):
    bpy.context.scene.meshy.prompt = "a chair"


def _state_zero_balance(bpy, meshy_ui):
    from meshy_blender.blender.core import account, calls

    bpy.context.scene.meshy.prompt = "a chair"
    calls.CALLS.outcomes[account.BALANCE_CALL] = calls.Outcome(value=0)


def _state_job(status, **fields):
    def setup(bpy, meshy_ui):
        bpy.context.scene.meshy.prompt = "a chair"
        _job_in_view(meshy_ui, status, **fields)
    return setup


STATES = {
    "no key": _state_no_key,
    "offline": _state_offline,
    "idle": _state_idle,
    "zero balance": _state_zero_balance,
    "running": _state_job(model.RUNNING),
    "failed": _state_job(model.FAILED, error=JobError("TaskFailedError", "It broke.")),
    "finished": _state_job(model.IMPORTED),
}


@pytest.mark.parametrize("state", list(STATES))
def test_every_panel_draws_in_every_state(bpy, meshy_ui, state):
    """Each panel (sub-panels and the Account header line included) through the RNA-validating
    recording layout, with something drawn, for a plain mesh and for a Meshy rig."""
    from types import SimpleNamespace

    from meshy_blender.blender.features.account.panel import MESHY_PT_account

    STATES[state](bpy, meshy_ui)
    for select in (lambda: bpy.ops.mesh.primitive_cube_add(), _select_rig(bpy)):
        select()
        drawn = draw_all(bpy)
        for name in (GENERATE, SELECTED, TASKS, "MESHY_PT_resume", "MESHY_PT_recent"):
            assert drawn[name].calls, f"{name} drew nothing in state {state!r}"
        header = RecordingLayout()
        MESHY_PT_account.draw_header(SimpleNamespace(layout=header), bpy.context)
        assert header.texts()  # the one-line summary


def _select_rig(bpy):
    def select():
        bpy.ops.object.armature_add()
        bpy.context.view_layer.objects.active["meshy_task_ids"] = "rig=cccc"
    return select
