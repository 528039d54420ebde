"""Layer rules: client/ and jobs/ never reach bpy; imports go down the rooms; no import cycles.

Worker threads run client/jobs code, and Blender crashes when a worker touches bpy. The room
rules keep every behaviour findable by its folder and every file's imports predictable.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

from archcheck import bpy_reachability, forbidden_imports, import_cycles, import_graph
from conftest import ROOT

PACKAGE = ROOT / "meshy_blender"
WORKER_SIDE = ("client", "jobs")


def test_worker_side_cannot_reach_bpy_statically():
    offenders = bpy_reachability(PACKAGE, WORKER_SIDE)
    assert offenders == {}, "bpy reachable from worker-side code:\n" + "\n".join(
        " -> ".join(chain) for chain in offenders.values()
    )


def test_worker_side_imports_without_bpy_at_runtime():
    """Import every worker-side module in a fresh interpreter; bpy must not get loaded."""
    code = textwrap.dedent(
        f"""
        import importlib, pkgutil, sys
        sys.path.insert(0, {str(ROOT)!r})
        for sub in {WORKER_SIDE!r}:
            pkg = importlib.import_module("meshy_blender." + sub)
            for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
                importlib.import_module(info.name)
        bad = sorted(m for m in sys.modules if m.split(".")[0] in ("bpy", "mathutils", "bmesh"))
        print("LOADED:", bad)
        sys.exit(1 if bad else 0)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_checker_catches_an_indirect_bpy_import(tmp_path: Path):
    """The static check itself must find bpy two hops away and through a parent package."""
    pkg = tmp_path / "addon"
    for sub in ("client", "blender", "jobs"):
        (pkg / sub).mkdir(parents=True)
        (pkg / sub / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("def register():\n    from .blender import ui\n")
    (pkg / "blender" / "ui.py").write_text("import bpy\n")
    (pkg / "client" / "http.py").write_text("from ..blender import ui\n")
    (pkg / "jobs" / "lazy.py").write_text("def run():\n    import mathutils\n")
    (pkg / "jobs" / "clean.py").write_text("from ..client import __init__\nimport json\n")

    offenders = bpy_reachability(pkg, ("client", "jobs"))

    assert offenders["addon.client.http"] == ["addon.client.http", "addon.blender.ui", "bpy"]
    assert offenders["addon.jobs.lazy"][-1] == "mathutils"
    assert "addon.jobs.clean" not in offenders
    # The parent package's lazy import inside register() does not taint its sub-packages.
    assert "addon.client" not in offenders


# Imports go down (see DESIGN.md): features use core, scene, ui and the shared operators; core
# and scene never use features, ui or operators; scene is the bottom of the Blender layer; a
# feature never imports another feature, and its panels never import its operators (ids are
# strings); client and jobs never reach Blender.
B = "meshy_blender.blender"
TOP = (f"{B}.registration", f"{B}.panels")
FEATURES = f"{B}.features"


def feature_names(package: Path) -> list[str]:
    """Every capability folder under blender/features/ (a new one gets the rules by existing)."""
    root = package / "blender" / "features"
    return sorted(p.name for p in root.iterdir() if (p / "__init__.py").is_file())


def layer_rules(package: Path) -> list[tuple[str, tuple[str, ...]]]:
    rules: list[tuple[str, tuple[str, ...]]] = [
        (f"{B}.core", (f"{B}.ui", f"{B}.operators", FEATURES, *TOP)),
        (f"{B}.scene", (f"{B}.ui", f"{B}.operators", f"{B}.core", FEATURES, *TOP)),
        (f"{B}.ui", (f"{B}.operators", FEATURES, *TOP)),
        (f"{B}.operators", (f"{B}.ui", FEATURES, *TOP)),
        ("meshy_blender.client", ("meshy_blender.jobs", "meshy_blender.blender",
                                  "meshy_blender.api", "meshy_blender.cli")),
        ("meshy_blender.jobs", ("meshy_blender.blender", "meshy_blender.api", "meshy_blender.cli")),
    ]
    names = feature_names(package)
    for name in names:
        others = tuple(f"{FEATURES}.{o}" for o in names if o != name)
        rules.append((f"{FEATURES}.{name}", (*others, *TOP)))
        folder = package / "blender" / "features" / name
        operators = tuple(f"{FEATURES}.{name}.{p.stem}"
                          for p in sorted(folder.glob("*operators.py")))
        for panel in sorted(folder.glob("*panel.py")):
            rules.append((f"{FEATURES}.{name}.{panel.stem}", operators))
    return rules


LAYER_RULES = layer_rules(PACKAGE)


def test_no_import_cycle_anywhere_in_the_package():
    cycles = import_cycles(import_graph(PACKAGE))
    assert cycles == [], "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_no_import_cycle_in_the_scripts_or_the_tests():
    """Scripts and tests import each other by top-level name (their folder is on sys.path): the
    asset generator and the tool assets it calls must not loop, nor the emulator's apps and the
    emulator that builds them (they name it through meshy_emu/host.py), nor any other pair."""
    cycles = (import_cycles(import_graph(ROOT / "scripts", ROOT / "scripts"))
              + import_cycles(import_graph(ROOT / "tests", ROOT / "tests")))
    assert cycles == [], "\n".join(" <-> ".join(c) for c in cycles)


def test_checker_catches_a_loop_between_two_scripts(tmp_path: Path):
    (tmp_path / "make_things.py").write_text("def run():\n    import more_things\n")
    (tmp_path / "more_things.py").write_text("import make_things as base\n")
    (tmp_path / "tool").mkdir()
    (tmp_path / "tool" / "__init__.py").write_text("from . import parts\n")
    (tmp_path / "tool" / "parts.py").write_text("import make_things\n")
    graph = import_graph(tmp_path, tmp_path)
    assert graph["tool"] == {"tool.parts"} and graph["tool.parts"] == {"make_things"}
    assert import_cycles(graph) == [["make_things", "more_things"]]


def test_layers_only_import_downwards():
    broken = forbidden_imports(import_graph(PACKAGE), LAYER_RULES)
    assert broken == [], "\n".join(broken)


def test_every_room_exists_with_a_docstring_saying_what_it_may_import():
    rooms = ["client", "jobs", "blender", "blender/core", "blender/scene", "blender/operators",
             "blender/ui", "blender/features"]
    rooms += [f"blender/features/{name}" for name in feature_names(PACKAGE)]
    for room in rooms:
        init = PACKAGE / room / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "import" in doc.lower() and len(doc) > 80, f"{init}: say its job and its imports"


def _fake_addon(tmp_path: Path, files: dict[str, str]) -> Path:
    pkg = tmp_path / "meshy_blender"
    for room in ("", "client", "jobs", "blender", "blender/core", "blender/scene",
                 "blender/operators", "blender/ui", "blender/features",
                 "blender/features/generate", "blender/features/account"):
        (pkg / room).mkdir(parents=True, exist_ok=True)
        (pkg / room / "__init__.py").write_text('"""room"""\n')
    for rel, text in files.items():
        (pkg / rel).write_text(text)
    return pkg


def test_checker_catches_a_lazy_import_cycle(tmp_path: Path):
    pkg = _fake_addon(tmp_path, {
        "blender/core/config.py": "def prefs():\n    from . import runtime\n",
        "blender/core/runtime.py": "from . import pump\n",
        "blender/core/pump.py": "from .config import prefs\n",
        "blender/core/clean.py": "from . import config\n",
    })
    assert import_cycles(import_graph(pkg)) == [[
        "meshy_blender.blender.core.config", "meshy_blender.blender.core.pump",
        "meshy_blender.blender.core.runtime"]]


def test_checker_catches_core_importing_a_feature_or_ui(tmp_path: Path):
    pkg = _fake_addon(tmp_path, {
        "blender/ui/menus.py": "X = 1\n",
        "blender/features/account/operators.py": "Y = 1\n",
        "blender/core/config.py": "def f():\n    from ..ui.menus import X\n",
        "blender/core/runtime.py": "from ..features.account import operators\n",
    })
    broken = forbidden_imports(import_graph(pkg), layer_rules(pkg))
    assert len(broken) == 2
    assert broken[0].startswith("meshy_blender.blender.core.config imports "
                                "meshy_blender.blender.ui.menus")
    assert broken[1].startswith("meshy_blender.blender.core.runtime imports "
                                "meshy_blender.blender.features.account.operators")


def test_checker_catches_a_feature_importing_another_or_its_panel_its_operators(tmp_path: Path):
    pkg = _fake_addon(tmp_path, {
        "blender/features/generate/operators.py": "OPERATOR_FOR_MODE = {}\n",
        "blender/features/generate/panel.py": "from .operators import OPERATOR_FOR_MODE\n",
        "blender/features/account/panel.py": "from ..generate.panel import draw\n",
    })
    G = f"{FEATURES}.generate"
    assert forbidden_imports(import_graph(pkg), layer_rules(pkg)) == [
        f"{FEATURES}.account.panel imports {G}.panel ({FEATURES}.account may not import {G}, "
        f"{B}.registration, {B}.panels)",
        f"{G}.panel imports {G}.operators ({G}.panel may not import {G}.operators)"]


def test_client_helpers_use_only_the_clients_public_interface():
    """creation.py, fetch.py and friends work through client.core.ClientCore (public members
    only), never the MeshyClient's private attributes."""
    import re

    offenders = [f"{path.name}:{n}: {line.strip()}"
                 for path in sorted((PACKAGE / "client").glob("*.py")) if path.name != "client.py"
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"\bclient\._[a-z]", line)]
    assert offenders == []
