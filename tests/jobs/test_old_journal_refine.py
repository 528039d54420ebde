"""A textured text to 3D journalled by the v1-era client (preview done, refine about to be
sent) resumes on Meshy API v2 alone: the refine becomes one retexture of the shape, and a
retexture that reached Meshy before the crash is adopted instead of paid twice.

The journal was written by the add-on at 446cfdf (text to 3D still a preview / refine pair),
stopped just before the refine's POST: tests/assets/journal-v1-era/refine-not-created/.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from meshy_blender.jobs import model

from conftest import ROOT
from fixtures.emulator import Api
from fixtures.jobs import wait_finished

RECORDED = ROOT / "tests" / "assets" / "journal-v1-era" / "refine-not-created"
JOB_ID = "125ce23e16c8"


def _posts(emulator) -> list[dict]:
    return [r for r in emulator.requests("api") if r["method"] == "POST"]


def _journal_with_its_shape_on_meshy(emulator, meshy_key, tmp_path) -> tuple[Path, str]:
    """The recorded journal, pointed at the same paid shape made again the v1 way (``mode``,
    as the old client sent it), finished, before v1 goes."""
    recorded = json.loads((RECORDED / "emulator-tasks.json").read_text())
    [(old_id, task)] = recorded["tasks"].items()
    assert task["kind"] == "text-to-3d-preview" and "/openapi/v2/text-to-3d" in \
        recorded["created_on"]
    emulator.set_v1_gone(False)  # the old client's dialect, as it was when it ran
    api = Api(emulator, meshy_key)
    shape = api.create("/openapi/v2/text-to-3d", {"mode": "preview", **task["params"]})
    api.wait("/openapi/v2/text-to-3d", shape)
    journal = tmp_path / "journal"
    shutil.copytree(RECORDED / "journal", journal)
    path = journal / f"job-{JOB_ID}.json"
    path.write_text(path.read_text().replace(old_id, shape))
    refine = json.loads(path.read_text())["steps"][1]
    assert (refine["kind"], refine["status"], refine["task_id"]) == (
        "text-to-3d-refine", "CREATING", None)  # crashed before its POST was answered
    emulator.set_v1_gone()
    emulator.log.clear()
    return journal, shape


def _resume(make_manager, make_client, journal: Path) -> model.Job:
    manager = make_manager(make_client(), journal_dir=journal)
    resumed, _ready = manager.resume_from_journal()
    assert [j.id for j in resumed] == [JOB_ID]
    wait_finished(manager, [JOB_ID], timeout=30)
    job = manager.get(JOB_ID)
    assert job.status == model.READY, job.detail
    return job


def test_a_refine_not_yet_created_is_one_v2_retexture_of_the_shape(
        emulator, meshy_key, make_client, make_manager, tmp_path):
    journal, shape = _journal_with_its_shape_on_meshy(emulator, meshy_key, tmp_path)
    balance = emulator.balance()
    job = _resume(make_manager, make_client, journal)
    [post] = _posts(emulator)
    assert post["path"] == "/openapi/v2/retexture"
    refine = job.step("refine")
    assert refine.task_id == post["created_task_id"] and refine.kind == "text-to-3d-refine"
    assert dict(emulator.store.get(refine.task_id).request) == {
        "input_task_id": shape, "texture_model": "meshy-7", "texture_prompt": "hammered copper"}
    assert balance - emulator.balance() == refine.estimated_credits == 10
    assert any(Path(p).suffix == ".glb" and Path(p).is_file() for p in refine.files.values())
    paths = [r["path"] for r in emulator.requests("api")]
    assert not [p for p in paths if p.startswith("/openapi/v1/")], paths


def test_a_retexture_that_reached_meshy_before_the_crash_is_adopted_not_paid_again(
        emulator, meshy_key, make_client, make_manager, tmp_path):
    journal, shape = _journal_with_its_shape_on_meshy(emulator, meshy_key, tmp_path)
    answer = Api(emulator, meshy_key).post("/openapi/v2/retexture", {
        "input_task_id": shape, "texture_model": "meshy-7", "texture_prompt": "hammered copper"})
    assert answer.status_code == 202, answer.text
    lost = answer.json()["id"]  # the POST landed; its answer never reached Blender
    emulator.log.clear()
    balance = emulator.balance()
    job = _resume(make_manager, make_client, journal)
    assert job.step("refine").task_id == lost
    assert _posts(emulator) == [] and emulator.balance() == balance
