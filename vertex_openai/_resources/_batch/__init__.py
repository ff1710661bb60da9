"""OpenAI's Batch and Files APIs on Vertex AI batch prediction, with Cloud Storage in and out.

`client.files` keeps batch input files in a bucket (`batch_bucket=` / `VERTEX_OPENAI_BATCH_BUCKET`);
`client.batches` runs them as Vertex AI batch prediction jobs and reads the results back in OpenAI's
batch output format. Needs the `batch` extra (google-cloud-storage).
"""

from ._files import AsyncVertexFiles, VertexFiles
from ._jobs import AsyncVertexBatches, VertexBatches
from ._storage import BUCKET_ENV
from ._translate import InputError

__all__ = [
    "BUCKET_ENV",
    "AsyncVertexBatches",
    "AsyncVertexFiles",
    "InputError",
    "VertexBatches",
    "VertexFiles",
]
