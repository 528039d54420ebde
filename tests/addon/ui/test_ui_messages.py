"""Every validation error a sidebar user can trigger, in artist words: one table, each row a
state an artist can reach with the sidebar's own fields. For each row the button's report and
the panel say the same sentence naming the label the artist sees, the panel says it once, no
API field name ('image_url') shows, and nothing is sent."""

from __future__ import annotations

import re

import pytest

from fixtures.recording_layout import draw_panel

API_FIELD = re.compile(r"'[a-z]+_[a-z_]+'")


def _cube(bpy):
    bpy.ops.mesh.primitive_cube_add()


def _text(**values):
    def setup(bpy, s):
        s.mode = "TEXT"
        for key, value in values.items():
            setattr(s, key, value)
    return setup


def _mode(mode, **values):
    def setup(bpy, s):
        s.mode = mode
        for key, value in values.items():
            setattr(s, key, value)
    return setup


def _retexture(**values):
    def setup(bpy, s):
        _cube(bpy)
        for key, value in values.items():
            setattr(s, key, value)
    return setup


# (setup, operator, panel, sentence)
TABLE = [
    (_text(prompt=""), "generate_text", "MESHY_PT_generate", "Type a prompt first (Prompt)"),
    (_text(prompt="a vase", texture_source="PROMPT"), "generate_text", "MESHY_PT_generate",
     "Type a texture prompt, or set Texture From to Automatic"),
    (_text(prompt="a vase", texture_source="IMAGE"), "generate_text", "MESHY_PT_generate",
     "Pick a texture reference picture, or set Texture From to Automatic"),
    (_mode("IMAGE"), "generate_image", "MESHY_PT_generate", "Pick a picture first (Picture)"),
    (_mode("IMAGE", texture_source="IMAGE"), "generate_image", "MESHY_PT_generate",
     "Pick a picture first (Picture)"),
    (_mode("MULTI_IMAGE"), "generate_multi_image", "MESHY_PT_generate",
     "Pick at least one picture (Picture 1-4)"),
    (_retexture(retexture_prompt=""), "retexture", "MESHY_PT_selected",
     "Type a style for Retexture (Style), or pick a style picture"),
    (_retexture(retexture_source="IMAGE"), "retexture", "MESHY_PT_selected",
     "Pick a style picture for Retexture (Style From: Image)"),
]


@pytest.mark.parametrize("setup, operator, panel_id, sentence", TABLE,
                         ids=[row[3][:40] for row in TABLE])
def test_every_sidebar_validation_error_is_said_in_artist_words(bpy, meshy_ui, setup, operator,
                                                                panel_id, sentence):
    from meshy_blender.blender import panels

    s = bpy.context.scene.meshy
    setup(bpy, s)
    with pytest.raises(RuntimeError) as raised:
        getattr(bpy.ops.meshy, operator)()
    report = str(raised.value)
    assert f"Meshy: {sentence}" in report
    assert not API_FIELD.search(report), report

    panel = next(cls for cls in panels.CLASSES if cls.bl_idname == panel_id)
    texts = " ".join(draw_panel(panel, bpy.context).texts())
    assert texts.count(sentence) == 1, texts  # shown once (wrapped lines joined)
    assert not API_FIELD.search(texts), texts
    assert meshy_ui.posts() == [] and meshy_ui.jobs() == []


def test_a_failed_server_task_is_said_in_artist_words(bpy, meshy_ui):
    from meshy_blender.blender.core import messages

    text = messages.for_job_error({"type": "InsufficientCreditsError",
                                   "message": "402: InsufficientCredits"})
    assert text.startswith("Not enough Meshy credits") and "Buy Credits" in text
    assert messages.for_job_error({"type": "TaskFailedError",
                                   "message": "'image_url' could not be read."}) == \
        "Picture could not be read"
    assert messages.title("IN_PROGRESS") == "In Progress"
    snap = {"status": "RUNNING", "progress": 10,
            "steps": [{"kind": "text-to-3d-preview", "status": "WAITING"},
                      {"kind": "text-to-3d-refine", "status": "PENDING"}]}
    assert messages.progress_text(snap) == "Shape 1/2 · 10%"


def test_a_rejected_key_is_said_in_artist_words_in_the_account_panel(bpy, meshy_ui):
    from meshy_blender.blender import panels
    from meshy_blender.blender.core import account, calls

    meshy_ui.prefs.api_key = "msy_wrong_key_for_the_test_1234"
    assert bpy.ops.meshy.refresh_balance() == {"FINISHED"}
    calls.CALLS.wait(account.BALANCE_CALL)
    layout = draw_panel(next(c for c in panels.CLASSES if c.bl_idname == "MESHY_PT_account"),
                        bpy.context)
    texts = " ".join(layout.texts()).replace("- ", "-")  # wrapped at a hyphen
    # Meshy's v2 code `invalid_api_key` names the field to fix (client/errors.py's table).
    assert "Meshy did not accept the API key: check API Key in Preferences > Add-ons > Meshy " \
           "(or MESHY_API_KEY)" in texts
    assert "msy_wrong" not in texts
