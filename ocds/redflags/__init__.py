"""Red flags: OCP Cardinal indicators on compiled releases.

Each indicator is a module with ``CODE``, ``TITLE`` and a pure
``check(compiled, context, thresholds) -> Flag | None``; its docstring states the rule
and threshold. Indicators that compare a process with others read a ``Context`` built
once from all records (``build_context``).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from ocds.redflags import r003, r018, r024, r025, r028, r030, r035, r036, r038, r048, r058
from ocds.redflags.base import Compiled, Flag, Thresholds
from ocds.redflags.context import Context, build_context

INDICATORS: tuple[ModuleType, ...] = (
    r003, r018, r024, r025, r028, r030, r035, r036, r038, r048, r058,
)  # fmt: skip

#: code -> title, in code order.
TITLES: dict[str, str] = {module.CODE: module.TITLE for module in INDICATORS}

Check = Callable[[Compiled, Context, Thresholds], "Flag | None"]

__all__ = ["INDICATORS", "TITLES", "Context", "Flag", "Thresholds", "build_context", "evaluate"]


def evaluate(
    compiled: Compiled, context: Context | None = None, thresholds: Thresholds | None = None
) -> list[Flag]:
    """Every raised flag of one compiled release, in code order."""
    context = context if context is not None else Context()
    thresholds = thresholds or Thresholds()
    flags = []
    for module in INDICATORS:
        flag = module.check(compiled, context, thresholds)
        if flag is not None:
            flags.append(flag)
    return flags
