"""PeaceKG: a provenance-first knowledge graph of peace negotiations.

``peacekg.open()`` opens the built graph for notebooks and scripts (see :mod:`peacekg.api`);
it is imported on first use, so ``import peacekg`` stays cheap for the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Graph", "__version__", "open"]

if TYPE_CHECKING:
    from peacekg.api import Graph, open


def __getattr__(name: str) -> Any:
    """``peacekg.open`` and ``peacekg.Graph`` without importing the stores at ``import peacekg``."""
    if name in {"open", "Graph"}:
        from peacekg import api

        return getattr(api, name)
    raise AttributeError(f"module 'peacekg' has no attribute {name!r}")
