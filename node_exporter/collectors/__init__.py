"""Importing this package registers every collector: each module of it calls `register(name, default)` once,
as Go's collectors do in their init()."""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")
