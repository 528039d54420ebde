"""System-wide deployment as docs/deployment.md describes it, in an isolated folder.

The built zip is unpacked into a system extensions folder (BLENDER_SYSTEM_EXTENSIONS/system/meshy);
a fresh Blender with an empty user folder finds it there, enables it as `bl_ext.system.meshy`
(what `blender --addons bl_ext.system.meshy` does), registers the `meshy` command, and is
configured only by environment variables (it talks to the emulator for the balance).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile

import pytest

pytestmark = pytest.mark.slow

CHECK = textwrap.dedent("""
    import json, sys
    import bpy
    import addon_utils
    found = [m.__name__ for m in addon_utils.modules() if m.__name__.endswith(".meshy")]
    mod = addon_utils.enable("bl_ext.system.meshy", default_set=True)
    from bl_ext.system.meshy import api, cli
    from bl_ext.system.meshy.blender import cli_command
    repo = {r.module: r.directory for r in bpy.context.preferences.extensions.repos}["system"]
    code = cli.main(["balance", "--json"])
    print("RESULT" + json.dumps({
        "found": found, "file": mod.__file__ if mod else None, "repo": repo,
        "command": cli_command.is_registered(), "balance": api.balance(), "cli_code": code}))
""")


def test_system_extension_loads_from_the_system_folder(emulator, meshy_key, tmp_path):
    import build_extension

    zip_path = build_extension.build(tmp_path / "dist")
    system = tmp_path / "site" / "blender-extensions"
    target = system / "system" / "meshy"
    target.mkdir(parents=True)
    zipfile.ZipFile(zip_path).extractall(target)

    env = dict(os.environ, BLENDER_USER_RESOURCES=str(tmp_path / "fresh-user"),
               BLENDER_SYSTEM_EXTENSIONS=str(system), MESHY_API_KEY=meshy_key,
               MESHY_API_BASE=emulator.api_url, MESHY_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True,
                          text=True, timeout=180)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")]
    assert proc.returncode == 0 and lines, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(lines[-1][len("RESULT"):])
    assert result["found"] == ["bl_ext.system.meshy"]
    assert result["repo"] == str(system / "system")
    assert result["file"] == str(target / "__init__.py")
    assert result["command"] is True
    assert result["balance"] == 10_000 and result["cli_code"] == 0
    assert not (tmp_path / "fresh-user" / "extensions" / "user_default" / "meshy").exists()
