"""Static import-graph checks: which modules can reach bpy, import cycles, and layer rules."""

from __future__ import annotations

import ast
from pathlib import Path

BLENDER_ONLY = {"bpy", "mathutils", "bmesh", "bpy_extras", "addon_utils", "gpu", "blf", "aud",
                "bl_math", "idprop", "imbuf", "freestyle", "bgl"}


def module_name(package_root: Path, path: Path) -> str:
    rel = path.relative_to(package_root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(tree: ast.Module, this: str, is_package: bool, top_level_only: bool) -> list[str]:
    """Absolute names imported by a module (all of them, or only those run at import time)."""
    found: list[str] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef
                                                | ast.Lambda)
            if isinstance(child, ast.Import) and not (top_level_only and in_function):
                found.extend(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and not (top_level_only and in_function):
                if child.level:
                    base = this.split(".")
                    base = base if is_package else base[:-1]
                    base = base[: len(base) - (child.level - 1)]
                    prefix = ".".join(base + ([child.module] if child.module else []))
                else:
                    prefix = child.module or ""
                found.append(prefix)
                found.extend(f"{prefix}.{alias.name}" for alias in child.names)
            visit(child, nested)

    visit(tree, False)
    return found


def bpy_reachability(package_root: Path, subpackages: tuple[str, ...]) -> dict[str, list[str]]:
    """Map each offending module under ``subpackages`` to its import chain ending in bpy.

    Modules inside ``subpackages`` count every import (a lazy import inside a function still runs
    on a worker thread); other project modules they reach count only import-time imports.
    Parent packages are included, since importing a sub-module runs its parents' __init__.
    """
    root_name = package_root.name
    files = {module_name(package_root, p): p for p in package_root.rglob("*.py")}
    guarded = {m for m in files for s in subpackages
               if m == f"{root_name}.{s}" or m.startswith(f"{root_name}.{s}.")}

    def edges(mod: str) -> list[str]:
        path = files[mod]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names = _imports(tree, mod, path.name == "__init__.py", top_level_only=mod not in guarded)
        parts = mod.split(".")
        parents = [".".join(parts[:i]) for i in range(1, len(parts))]
        return parents + names

    offenders: dict[str, list[str]] = {}
    for start in sorted(guarded):
        seen: dict[str, list[str]] = {start: [start]}
        queue = [start]
        while queue and start not in offenders:
            mod = queue.pop(0)
            for name in edges(mod):
                if name.split(".")[0] in BLENDER_ONLY:
                    offenders[start] = [*seen[mod], name]
                    break
                # "from pkg import x" yields both "pkg" and "pkg.x"; keep only real modules.
                if name in files and name not in seen:
                    seen[name] = [*seen[mod], name]
                    queue.append(name)
    return offenders


def import_graph(package_root: Path, path_entry: Path | None = None) -> dict[str, set[str]]:
    """Module -> the project modules it imports, counting every import (lazy ones inside
    functions too: a lazy import that closes a loop is still a loop in the design).
    ``path_entry``: the folder on ``sys.path`` (default: the package's parent); a folder of
    scripts is its own, its modules and packages imported by their top-level names.

    ``from pkg import name`` counts as an import of ``pkg.name`` when that is a module, else of
    ``pkg``. The implicit import of a module's parent packages is left out (Python's mechanism,
    not a design dependency)."""
    top = package_root if path_entry is None else path_entry / "_"
    files = {module_name(top, p): p for p in package_root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for mod, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names = _imports(tree, mod, path.name == "__init__.py", top_level_only=False)
        targets = {n for n in names if n in files}
        # "from pkg import mod" yields "pkg" too; keep "pkg" only when nothing below it was named.
        targets = {t for t in targets if not any(o.startswith(t + ".") for o in targets)}
        graph[mod] = targets - {mod}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def forbidden_imports(graph: dict[str, set[str]], rules: list[tuple[str, tuple[str, ...]]]
                      ) -> list[str]:
    """Direct imports that break a layer rule. A rule is (modules under this prefix, may not
    import modules under any of these prefixes)."""

    def under(mod: str, prefix: str) -> bool:
        return mod == prefix or mod.startswith(prefix + ".")

    found = []
    for mod, targets in sorted(graph.items()):
        for prefix, banned in rules:
            if not under(mod, prefix):
                continue
            for target in sorted(targets):
                if any(under(target, b) for b in banned):
                    found.append(f"{mod} imports {target} ({prefix} may not import "
                                 f"{', '.join(banned)})")
    return found
