"""The CEL library's Rust core, loaded without its command line.

``import cel`` runs the package's ``__init__``, which imports its interactive
command line (prompt_toolkit, rich, typer): 0.3-0.6 s of every run's start,
for nothing revplan uses. The core is one extension module inside the
package; it is loaded from there on its own (``compile`` and ``Context`` are
all revplan calls).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def _core() -> ModuleType:
    loaded = sys.modules.get("cel.cel")
    if loaded is not None:  # someone imported the package: share its core
        return loaded
    spec = importlib.util.find_spec("cel")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("revplan needs common-expression-language (pip install revplan)")
    folder = Path(next(iter(spec.submodule_search_locations)))
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = folder / f"cel{suffix}"
        if path.is_file():
            loader = importlib.machinery.ExtensionFileLoader("cel.cel", str(path))
            core_spec = importlib.util.spec_from_file_location("cel.cel", path, loader=loader)
            if core_spec is None:
                break
            module = importlib.util.module_from_spec(core_spec)
            loader.exec_module(module)
            sys.modules["cel.cel"] = module
            return module
    raise ImportError(f"no CEL core in {folder}")


cel = _core()
