"""Reading libcst's qualified-name metadata (computed lazily in libcst >= 1.0)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import libcst as cst
from libcst._metadata_dependent import LazyValue
from libcst.metadata import QualifiedName


def qualified_names(metadata: Mapping[cst.CSTNode, object], node: cst.CSTNode) -> set[str]:
    """The fully qualified names `node` may refer to (`openai.OpenAI` for both import styles)."""
    value = metadata.get(node, ())
    if isinstance(value, LazyValue):
        value = value()
    return {q.name for q in value if isinstance(q, QualifiedName)} if isinstance(value, Iterable) else set()
