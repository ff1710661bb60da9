"""openai's resources bridged onto Vertex: embeddings (`:predict`), models, the Responses API
and Batch/Files. Each takes `(client, context: ClientContext)`. The folder imports nothing itself."""
