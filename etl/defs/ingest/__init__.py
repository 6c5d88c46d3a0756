"""Streaming ingest of very large extracts: bounded memory, one transaction (see stream.py)."""

from etl.defs.ingest.chunked_validation import validate_large_extract
from etl.defs.ingest.stream import StreamResult, ingest_large_extract

__all__ = ["StreamResult", "ingest_large_extract", "validate_large_extract"]
