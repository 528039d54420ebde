"""The extension zip builds with Blender's own tool, validates, installs and enables.

The install runs in a separate real-Blender process because Blender reads BLENDER_USER_RESOURCES
once, when bpy is first imported.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import tomllib
import zipfile

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow

INSTALL_AND_ENABLE = textwrap.dedent(
    """
    import json, sys
    import bpy
    zip_path = sys.argv[1]
    result = bpy.ops.extensions.package_install_files(
        filepath=zip_path, repo="user_default", enable_on_install=True)
    module = "bl_ext.user_default.meshy"
    addon = bpy.context.preferences.addons.get(module)
    prefs = addon.preferences if addon else None
    ours = {name: getattr(bpy.types, name) for name in dir(bpy.types)
            if name.startswith("MESHY_PT_")}
    # Sidebar panels sit in a tab; a popover's panel (header region) is drawn where asked.
    panels = {name: cls.bl_category for name, cls in ours.items()
              if cls.bl_region_type == "UI"}
    popovers = sorted(name for name, cls in ours.items() if cls.bl_region_type == "HEADER")
    print("RESULT" + json.dumps({
        "operator": sorted(result),
        "enabled": addon is not None,
        "prefs_class_module": type(prefs).__module__ if prefs else None,
        "prefs_idname": type(prefs).bl_idname if prefs else None,
        "has_api_key_pref": prefs is not None and "api_key" in prefs.bl_rna.properties,
        "panels": panels,
        "popovers": popovers,
        "scene_settings": hasattr(bpy.context.scene, "meshy"),
    }))
    """
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    import build_extension

    out = tmp_path_factory.mktemp("dist")
    zip_path = build_extension.build(out)
    repo = tmp_path_factory.mktemp("repo")
    index = build_extension.generate_repo(zip_path, repo)
    return zip_path, index


def test_zip_has_the_extension_layout_and_nothing_else(built):
    zip_path, _ = built
    names = zipfile.ZipFile(zip_path).namelist()
    assert "blender_manifest.toml" in names
    assert "__init__.py" in names
    assert {"LICENSE", "THIRD_PARTY_NOTICES.md"} <= set(names)
    for layer in ("client/__init__.py", "jobs/__init__.py", "blender/__init__.py",
                  "blender/core/__init__.py", "api/__init__.py", "cli/__init__.py"):
        assert layer in names
    assert not [n for n in names if n.startswith(("tests/", "scripts/")) or "__pycache__" in n]
    manifest = tomllib.loads(zipfile.ZipFile(zip_path).read("blender_manifest.toml").decode())
    assert manifest["id"] == "meshy"
    assert manifest["blender_version_min"] == "4.2.0"
    assert manifest["license"] == ["SPDX:GPL-3.0-or-later"]
    assert set(manifest["permissions"]) == {"network", "files"}


def test_repository_index_lists_the_zip(built):
    zip_path, index = built
    listing = json.loads(index.read_text())
    (entry,) = [e for e in listing["data"] if e["id"] == "meshy"]
    assert entry["archive_url"].endswith(zip_path.name)
    assert (index.parent / zip_path.name).is_file()
    assert entry["archive_size"] == zip_path.stat().st_size


def test_installed_zip_enables_with_panel_and_preferences(built, tmp_path):
    zip_path, _ = built
    env = dict(os.environ, BLENDER_USER_RESOURCES=str(tmp_path / "user"))
    proc = subprocess.run(
        [sys.executable, "-c", INSTALL_AND_ENABLE, str(zip_path)],
        capture_output=True, text=True, env=env, timeout=240,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")]
    assert proc.returncode == 0 and lines, proc.stdout + proc.stderr
    result = json.loads(lines[-1][len("RESULT"):])
    assert result["operator"] == ["FINISHED"]
    assert result["enabled"]
    assert result["prefs_idname"] == "bl_ext.user_default.meshy"
    assert result["prefs_class_module"].startswith("bl_ext.user_default.meshy.")
    assert result["has_api_key_pref"]
    assert result["panels"] and set(result["panels"].values()) == {"Meshy"}
    assert result["popovers"] == ["MESHY_PT_animation_picker"]
    assert result["scene_settings"]
    assert (tmp_path / "user" / "extensions" / "user_default" / "meshy" / "__init__.py").is_file()


def test_build_script_command_line(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_extension.py"),
         "--output-dir", str(tmp_path / "dist"), "--repo", str(tmp_path / "repo")],
        capture_output=True, text=True, timeout=240,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "repo" / "index.json").is_file()
    (zip_path,) = (tmp_path / "dist").glob("meshy-*.zip")
    # The path, size and sha256 a release note or a studio checklist quotes.
    assert f"zip: {zip_path}" in proc.stdout
    assert f"size: {zip_path.stat().st_size} bytes" in proc.stdout
    assert f"sha256: {hashlib.sha256(zip_path.read_bytes()).hexdigest()}" in proc.stdout
