"""Every reuse of a cached file verifies it first (issue 26): a result damaged after its
import is downloaded again from fresh links on re-import or on a keyed rerun, and nothing is
created or paid again."""

from __future__ import annotations

from pathlib import Path

from meshy_blender.client import verify
from meshy_blender.jobs import model
from meshy_blender.jobs.plans import plan_job

from fixtures.emulator import created_tasks
from fixtures.jobs import wait_finished


def _keyed_preview() -> model.Job:
    job = plan_job("text-to-3d", {"prompt": "a crate", "should_texture": False})
    job.job_key = "crate-1"
    return job


def _imported(emulator, make_client, make_manager, tmp_path) -> model.Job:
    first = make_manager(make_client(), journal_dir=tmp_path / "journal")
    job = first.submit(_keyed_preview())
    wait_finished(first, [job.id])
    first.mark_imported(job.id)
    first.shutdown()
    return job


def _damage(job: model.Job) -> Path:
    path = Path(next(p for p in job.files.values() if p.endswith(".glb")))
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert not verify.is_complete(path)
    return path


def test_a_keyed_rerun_fetches_a_damaged_cached_file_again(
        emulator, make_client, make_manager, tmp_path):
    job = _imported(emulator, make_client, make_manager, tmp_path)
    path = _damage(job)
    again = make_manager(make_client(), journal_dir=tmp_path / "journal")
    rerun = again.submit(_keyed_preview())
    assert rerun.id == job.id and rerun.status == model.IMPORTED
    assert again.prepare_reimport(rerun.id)  # what the import of a rerun asks first
    wait_finished(again, [rerun.id])
    assert rerun.status == model.READY
    assert verify.is_complete(rerun.files["preview.glb"]) and rerun.files["preview.glb"]
    assert verify.is_complete(path) or Path(rerun.files["preview.glb"]) != path
    assert len(created_tasks(emulator)) == 1


def test_an_intact_cached_file_is_reused_without_a_request(
        emulator, make_client, make_manager, tmp_path):
    job = _imported(emulator, make_client, make_manager, tmp_path)
    again = make_manager(make_client(), journal_dir=tmp_path / "journal")
    rerun = again.submit(_keyed_preview())
    before = len(emulator.requests())
    assert again.prepare_reimport(rerun.id)
    assert rerun.status == model.READY and rerun.files == job.files
    assert len(emulator.requests()) == before  # verified on disk: nothing fetched


def test_an_api_keyed_rerun_in_a_new_file_imports_a_damaged_result_again(
        bpy, empty_scene, meshy_env):
    from meshy_blender import api
    from meshy_blender.blender.core import runtime

    first = api.text_to_3d("a crate", should_texture=False, job_key="crate-api")
    glb = Path(first.files["preview.glb"])
    glb.write_bytes(glb.read_bytes()[:100])  # damaged after its import
    created = created_tasks(meshy_env)
    bpy.data.batch_remove(list(bpy.data.objects))  # another file: the objects are not here
    runtime.shutdown_runtime()  # a new process
    again = api.text_to_3d("a crate", should_texture=False, job_key="crate-api")
    assert again.job_id == first.job_id and again.root_objects
    assert verify.is_complete(again.files["preview.glb"])
    assert created_tasks(meshy_env) == created
