"""Flow definitions: YAML files written by volunteers -> the engine's model, checked.

`load_flows(directory, known_actions=...)` reads every top-level `*.yaml` file, reports
every problem at once (with file and line), and returns the engine's `Flows` only when
there is no error at all.
"""

from bot.flowdef.limits import (
    MAX_CHOICES,
    MAX_FILE_BYTES,
    MAX_FLOWS,
    MAX_LABEL,
    MAX_STEPS,
    MAX_TEXT,
)
from bot.flowdef.loader import (
    LoadResult,
    check_files,
    flow_paths,
    load_flow_text,
    load_flow_texts,
    load_flows,
)
from bot.flowdef.migrations import CURRENT_SPEC
from bot.flowdef.problems import Problem, Severity

__all__ = [
    "CURRENT_SPEC",
    "MAX_CHOICES",
    "MAX_FILE_BYTES",
    "MAX_FLOWS",
    "MAX_LABEL",
    "MAX_STEPS",
    "MAX_TEXT",
    "LoadResult",
    "Problem",
    "Severity",
    "check_files",
    "flow_paths",
    "load_flow_text",
    "load_flow_texts",
    "load_flows",
]
