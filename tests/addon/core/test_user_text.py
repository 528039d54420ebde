"""What users wrote survives byte for byte (issue 26): prompts, labels and job keys holding
"bearer", "Authorization:" or ``msy_...`` reach the journal, the key index, the object names
and the request Meshy receives unchanged, while the API key itself appears in none of them.
The key is kept out by construction (it lives in the client's headers only), not by rewriting
text."""

from __future__ import annotations

import json

from meshy_blender import api
from meshy_blender.client import errors

# assembled so no key-shaped literal is committed: real-looking, but not the configured key
REAL_LOOKING = "msy_" + "Zq7Lw2Xc9Vb4Nm1Kj8Hg5Fd3Sa6Pl0Oi"
PROMPT = f"a flag bearer with a red banner, ring bearer, Authorization: Bearer x {REAL_LOOKING}"
JOB_KEY = "msy_shot_0070"
LABEL = f"ring bearer msy_shot_0070 {REAL_LOOKING[:12]}"


def test_user_text_survives_in_the_journal_the_names_and_the_request(
        bpy, empty_scene, meshy_env, meshy_key):
    from meshy_blender.blender.core import runtime

    result = api.text_to_3d(PROMPT, should_texture=False, job_key=JOB_KEY, label=LABEL)
    task = meshy_env.task(result.task_ids["preview"])
    assert task["prompt"] == PROMPT  # the request Meshy received
    assert result.root_objects[0].name.startswith(LABEL)
    assert result.root_objects[0]["meshy_prompt"] == PROMPT
    journal_dir = runtime.current_runtime().journal_dir
    text = (journal_dir / "done" / f"job-{result.job_id}.json").read_text(encoding="utf-8")
    saved = json.loads(text)
    assert saved["job_key"] == JOB_KEY and saved["label"] == LABEL
    assert saved["steps"][0]["options"]["prompt"] == PROMPT
    index = [p.read_text(encoding="utf-8") for p in (journal_dir / "keys").glob("*.json")]
    assert any(json.loads(t)["job_key"] == JOB_KEY for t in index)
    for written in [text, *index]:
        assert meshy_key not in written and "***" not in written


def test_a_keyed_rerun_of_such_a_job_pays_nothing(bpy, empty_scene, meshy_env):
    from meshy_blender.blender.core import runtime

    first = api.text_to_3d(PROMPT, should_texture=False, job_key=JOB_KEY)
    created = [r for r in meshy_env.requests("api") if r.get("created_task_id")]
    runtime.shutdown_runtime()  # a new process: nothing is cached in memory
    again = api.text_to_3d(PROMPT, should_texture=False, job_key=JOB_KEY)
    assert again.task_ids == first.task_ids
    assert [r for r in meshy_env.requests("api") if r.get("created_task_id")] == created


def test_the_http_layer_text_is_still_scrubbed(meshy_key):
    errors.register_secret(meshy_key)
    assert meshy_key not in errors.scrub(f"headers: Authorization: Bearer {meshy_key}")
    assert "Bearer ***" in errors.scrub("Bearer abcdefgh")
    assert errors.mask_secrets(PROMPT) == PROMPT  # user text is never pattern-rewritten
    assert errors.mask_secrets(f"echo {meshy_key}") == "echo ***"


def test_the_configured_key_itself_never_enters_a_request_or_a_job_key(
        bpy, empty_scene, meshy_env, meshy_key):
    import pytest

    sent = len(meshy_env.requests("api"))
    with pytest.raises(errors.ValidationError, match="holds your Meshy API key") as prompt:
        api.text_to_3d(f"a cup {meshy_key}", should_texture=False)
    assert prompt.value.field == "prompt" and meshy_key not in str(prompt.value)
    with pytest.raises(errors.ValidationError, match="holds your Meshy API key") as key:
        api.text_to_3d("a cup", should_texture=False, job_key=meshy_key)
    assert key.value.field == "job_key"
    posts = [r for r in meshy_env.requests("api")[sent:] if r["method"] == "POST"]
    assert posts == []  # nothing was sent
