"""Reading libcst's qualified-name metadata (computed lazily in libcst >= 1.0)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import libcst as cst
from libcst._metadata_dependent import LazyValue


def qualified_names(metadata: Mapping[cst.CSTNode, Any], node: cst.CSTNode) -> set[str]:
    """The fully qualified names `node` may refer to (`openai.OpenAI` for both import styles)."""
    value = metadata.get(node, ())
    if isinstance(value, LazyValue):
        value = value()
    return {q.name for q in value}
