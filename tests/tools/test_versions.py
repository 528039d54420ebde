"""One version, in the manifest, shown everywhere a user or a support report looks; a license
and a changelog that name it."""

from __future__ import annotations

import json
import re
import tomllib

from conftest import ROOT

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def manifest_version() -> str:
    return tomllib.loads((ROOT / "blender_manifest.toml").read_text())["version"]


def test_the_manifest_version_is_semantic_and_the_changelog_starts_with_it():
    version = manifest_version()
    assert SEMVER.match(version), version
    headings = re.findall(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert headings[0] == version  # newest first
    assert len(set(headings)) == len(headings)


def test_the_package_reads_its_version_from_the_manifest():
    from meshy_blender.version import extension_version

    assert extension_version() == manifest_version()


def test_license_is_the_gpl3_the_manifest_names():
    text = (ROOT / "LICENSE").read_text()
    assert "GNU GENERAL PUBLIC LICENSE" in text and "Version 3, 29 June 2007" in text
    assert "SPDX:GPL-3.0-or-later" in tomllib.loads(
        (ROOT / "blender_manifest.toml").read_text())["license"]


def test_meshy_version_prints_the_manifest_version(capfd):
    from meshy_blender import cli

    assert cli.main(["--version"]) == 0
    assert capfd.readouterr().out.strip() == f"Meshy for Blender {manifest_version()}"


def test_json_output_carries_the_version_also_on_failure(bpy, meshy_env, capfd):
    from meshy_blender import cli

    assert cli.main(["balance", "--json"]) == 0
    assert json.loads(capfd.readouterr().out)["extension_version"] == manifest_version()
    assert cli.main(["text-to-3d", "a cup", "--target-polycount", "5", "--json"]) == 2
    failed = json.loads(capfd.readouterr().out)
    assert failed["ok"] is False and failed["extension_version"] == manifest_version()


def test_the_preferences_show_the_version(bpy, meshy_ui):
    from meshy_blender.blender.features.account.preferences import draw_preferences

    from fixtures.recording_layout import RecordingLayout

    layout = RecordingLayout()
    draw_preferences(layout, meshy_ui.prefs, bpy.context)
    assert f"Meshy for Blender {manifest_version()}" in layout.texts()
