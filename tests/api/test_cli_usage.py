"""The CLI explains itself: help on every option, "did you mean", errors that name the flag the
user typed, readable `list`, one error said once, what to check when Meshy cannot be reached,
and the checkout's way to run it (`python -m meshy_blender.cli`, `make cli`) against the
emulator whose printed lines are pasted as they are."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from meshy_blender import api, cli
from meshy_blender.client import errors

import meshy_emu
from conftest import ROOT


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


# ------------------------------------------------------------------------ help

@pytest.mark.parametrize("command", sorted(subcommands()))
def test_every_option_of_every_subcommand_has_a_help_line(command, capfd):
    assert cli.main([command, "--help"]) == 0
    shown = capfd.readouterr().out
    missing = []
    for action in subcommands()[command]._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        name = "/".join(action.option_strings) or action.dest
        if not (action.help or "").strip():
            missing.append(f"{name}: no help")
        if action.metavar == "VALUE":
            missing.append(f"{name}: a bare VALUE")
        if action.option_strings and action.option_strings[0] not in shown:
            missing.append(f"{name}: not in --help")
        if action.metavar == "true|false" and "(default: " not in (action.help or ""):
            missing.append(f"{name}: a switch without its default")
    assert missing == [], f"meshy {command} --help"
    assert " VALUE" not in shown


def test_top_level_help_gives_every_option_a_line(capfd):
    assert cli.main(["--help"]) == 0
    capfd.readouterr()
    for action in cli.build_parser()._actions:
        assert (action.help or "").strip(), action.option_strings


def test_numbers_and_choices_say_their_range_and_default(capfd):
    assert cli.main(["text-to-3d", "--help"]) == 0
    shown = " ".join(capfd.readouterr().out.split())  # argparse wraps lines
    assert "--target-polycount FACES faces of the remeshed model, 100-300,000" in shown
    assert "(default: 30,000)" in shown
    assert "--topology TOPOLOGY quad or triangle faces (default: triangle)" in shown
    assert "--should-texture true|false" in shown


# ------------------------------------------------------------------------ mistakes

def test_a_mistyped_subcommand_gets_a_suggestion_and_the_program_once(capfd):
    assert cli.main(["text-to-3", "a chair"]) == cli.EXIT_BAD_INPUT
    err = capfd.readouterr().err
    assert "'text-to-3' is not a subcommand (did you mean text-to-3d?)" in err
    assert err.count("meshy") == 2 and err.startswith("meshy: error:")  # prefix + --help
    assert "blender --background" not in err


def test_a_mistyped_option_gets_a_suggestion_and_its_subcommand(capfd):
    assert cli.main(["text-to-3d", "a chair", "--target-polycont", "5000"]) == 2
    err = capfd.readouterr().err.strip()
    assert err == ("meshy: error: text-to-3d: unknown option --target-polycont (did you mean "
                   "--target-polycount?). `meshy text-to-3d --help` lists every option.")
    assert cli.main(["list", "--limt", "3", "--json"]) == 2
    assert "did you mean --limit?" in capfd.readouterr().out


def test_refusals_name_the_flag_typed_but_the_api_keeps_its_names(bpy, meshy_env, capfd):
    png = str(ROOT / "tests" / "assets" / "does-not-matter.png")
    code = cli.main(["image-to-3d", png, "--ultra-mode", "true", "--ai-model", "meshy-6"])
    err = capfd.readouterr().err
    assert code == 2 and "set --ai-model to 'meshy-7'" in err and "ai_model" not in err
    assert cli.main(["text-to-3d", "a cup", "--target-polycount", "5"]) == 2
    err = capfd.readouterr().err
    assert "'--target-polycount' must be between 100" in err and "target_polycount" not in err
    with pytest.raises(errors.ValidationError) as refused:
        api.image_to_3d(png, ultra_mode=True, ai_model="meshy-6")
    assert "ai_model" in str(refused.value) and "--ai-model" not in str(refused.value)
    assert meshy_env.requests("api") == []


def test_an_unknown_task_is_one_error_said_once(bpy, empty_scene, meshy_env, capfd):
    unknown = "0199aaaa-0000-4000-8000-000000000000"
    assert cli.main(["remesh", "--task-id", unknown, "--target-polycount", "5000"]) == 2
    err = capfd.readouterr().err
    lines = [line for line in err.splitlines() if unknown in line]
    assert len(lines) == 1 and lines[0].startswith("meshy: error:"), err
    assert "--task-id" in lines[0] and "input_task_id" not in lines[0]
    assert "RUNNING" not in err
    assert cli.main(["status", unknown]) == 2
    err = capfd.readouterr().err
    assert err.count(unknown) == 1 and "of any kind" in err


def test_out_with_candidates_is_refused_with_what_to_do_before_anything_is_sent(
        bpy, empty_scene, meshy_env, capfd, tmp_path):
    code = cli.main(["text-to-3d", "a cup", "--candidates", "3", "--out",
                     str(tmp_path / "cup.glb")])
    err = capfd.readouterr().err
    assert code == 2 and "--out saves one result" in err and "refine" in err
    assert meshy_env.requests("api") == []
    assert cli.main(["text-to-3d", "--help"]) == 0
    assert "Not with --out" in " ".join(capfd.readouterr().out.split())


def test_list_shows_local_dates_and_prompts(bpy, empty_scene, meshy_env, capfd):
    assert cli.main(["text-to-3d", "a brass lamp", "--should-texture", "false",
                     "--quiet"]) == 0
    made = capfd.readouterr()
    assert "glTF" not in made.out + made.err  # the importer's notes
    assert cli.main(["list", "--limit", "5"]) == 0
    out = capfd.readouterr().out
    (row,) = [line for line in out.splitlines() if "prompt=a brass lamp" in line]
    assert "created_at=" not in out
    created = re.search(r"created=(\S+)", row)
    assert created, row
    task_id = re.search(r"task_id=(\S+)", row).group(1)
    when = datetime.fromisoformat(created.group(1))
    made_at = meshy_env.task(task_id)["created_at"] / 1000
    assert abs(when.timestamp() - made_at) < 1
    assert when.utcoffset() == datetime.fromtimestamp(made_at).astimezone().utcoffset()
    assert cli.main(["list", "--json"]) == 0  # scripts keep the epoch milliseconds
    rows = json.loads(capfd.readouterr().out)["tasks"]
    created_ms = {r["task_id"]: r["created_at"] for r in rows}[task_id]
    assert created_ms == meshy_env.task(task_id)["created_at"]
    assert cli.main(["list", "--limit", "100"]) == 2
    err = capfd.readouterr().err
    assert "--limit: must be a whole number from 1 to 50 (got '100')" in err
    assert "page_size" not in err


def test_could_not_reach_says_what_to_check(bpy, meshy_env, capfd, monkeypatch):
    from meshy_blender.blender.core import runtime

    monkeypatch.setitem(runtime.WORKER_CLIENT_OPTIONS, "max_retries", 0)
    monkeypatch.setitem(runtime.WORKER_CLIENT_OPTIONS, "retry_backoff", 0.01)
    monkeypatch.setenv("MESHY_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    assert cli.main(["balance"]) == cli.EXIT_NETWORK
    err = capfd.readouterr().err
    assert "Could not reach 127.0.0.1" in err
    assert "Check that the Meshy emulator is running at http://127.0.0.1:9" in err
    assert "MESHY_API_BASE" in err


# ------------------------------------------------------------------------ from a checkout

def _emulator_lines(proc: subprocess.Popen[str]) -> list[str]:
    assert proc.stdout is not None
    lines: list[str] = []
    while not any("make cli" in line for line in lines):
        line = proc.stdout.readline()
        assert line, "the emulator stopped before printing its lines"
        lines.append(line.rstrip("\n"))
    return lines


def test_the_emulators_pasted_lines_drive_the_checkout_cli(tmp_path, emulator_server):
    proc = subprocess.Popen(meshy_emu.command("--task-seconds", "0.1"), env=meshy_emu.child_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = _emulator_lines(proc)
        exports = dict(re.findall(r"^\s*export (MESHY_API_(?:BASE|KEY))=(\S+)$",
                                  "\n".join(lines), re.M))
        assert set(exports) == {"MESHY_API_BASE", "MESHY_API_KEY"}, lines
        api_line = next(line for line in lines if line.startswith("api: "))
        assert exports["MESHY_API_BASE"] == api_line.split(" ", 1)[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("MESHY_")}
        env.update(exports, MESHY_CACHE_DIR=str(tmp_path / "cache"),
                   BLENDER_USER_RESOURCES=str(tmp_path / "user"))
        ran = subprocess.run([sys.executable, "-m", "meshy_blender.cli", "balance"], cwd=ROOT,
                             env=env, capture_output=True, text=True, timeout=120)
        assert (ran.returncode, ran.stdout.splitlines()[0]) == (0, "balance: 10000"), ran.stderr
        make_line = next(line for line in lines if "make cli" in line).strip()
        assert make_line.startswith("make cli ARGS='text-to-3d ")
        made = subprocess.run(["make", "--no-print-directory", "cli", "STAMP=",
                               f"PY={sys.executable}", "ARGS=list --kind text-to-3d --json"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert made.returncode == 0, made.stderr
        assert '"command": "list"' in made.stdout and '"ok": true' in made.stdout
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_the_checkout_cli_keeps_the_exit_code_and_allows_online_access(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESHY_")}
    env.update(MESHY_CACHE_DIR=str(tmp_path / "cache"),
               BLENDER_USER_RESOURCES=str(tmp_path / "user"))
    ran = subprocess.run([sys.executable, "-m", "meshy_blender.cli", "text-to-3", "a"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 2 and "did you mean text-to-3d?" in ran.stderr
    # As `blender --online-mode`: online access is allowed before the subcommand runs.
    probe = ("import bpy, meshy_blender.cli.__main__ as m; before = bpy.app.online_access; "
             "code = m.run(['--version']); print(before, bpy.app.online_access, code)")
    ran = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert ran.stdout.split()[-3:] == ["False", "True", "0"], ran.stdout + ran.stderr


def test_readme_shows_the_checkout_cli():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "make cli ARGS=" in readme and "python -m meshy_blender.cli" in readme
    assert re.search(r"^cli: ", makefile, re.M)
    assert "-m meshy_blender.cli $(ARGS)" in makefile
    assert Path(ROOT / "meshy_blender" / "cli" / "__main__.py").is_file()
