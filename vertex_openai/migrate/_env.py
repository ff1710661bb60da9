"""Environment reads: `os.environ["X"]`, `os.environ.get("X")`, `os.getenv("X")`, and the variables
only the old client needed (Azure's endpoint, key and API version; OpenAI's key and base URL)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

CLIENT_VARIABLES = re.compile(
    r"AZURE_OPENAI_(?:ENDPOINT|API_KEY|KEY|API_VERSION|VERSION|AD_TOKEN|BASE_URL|RESOURCE(?:_NAME)?"
    r"|SERVICE(?:_NAME)?)|OPENAI_(?:API_KEY|API_VERSION|BASE_URL|API_BASE|API_TYPE|ORG_ID|ORGANIZATION"
    r"|PROJECT_ID)"
)
_MAPPING = ("os.environ", "environ")
_GETTERS = ("os.getenv", "getenv", "os.environ.get", "environ.get")


@dataclass(frozen=True)
class EnvRead:
    name: str
    raises: bool  # `os.environ["X"]`: KeyError when X is not set

    @property
    def client_only(self) -> bool:
        """A variable only the old client read: VertexOpenAI never needs it."""
        return CLIENT_VARIABLES.fullmatch(self.name) is not None

    def code(self) -> str:
        return f'os.environ["{self.name}"]' if self.raises else f'os.environ.get("{self.name}")'


def env_read(node: cst.CSTNode) -> EnvRead | None:
    """What `node` reads from the environment, when it is one read (a default value allowed)."""
    code = cst.Module([]).code_for_node
    key: cst.BaseExpression | None = None
    if isinstance(node, cst.Subscript) and code(node.value) in _MAPPING and len(node.slice) == 1:
        index = node.slice[0].slice
        key = index.value if isinstance(index, cst.Index) else None
    elif isinstance(node, cst.Call) and code(node.func) in _GETTERS and node.args:
        key = node.args[0].value if node.args[0].keyword is None and not node.args[0].star else None
    if not isinstance(key, cst.SimpleString) or not isinstance(key.evaluated_value, str):
        return None
    return EnvRead(key.evaluated_value, isinstance(node, cst.Subscript))
