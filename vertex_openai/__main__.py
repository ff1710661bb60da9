"""`python -m vertex_openai`: the same as the `vertex-openai` command."""

from .cli import main

raise SystemExit(main())
