"""Synthetic monthly extracts of the four institutions, with their ground truth.

Lets the demo, the tests and the benchmarks run without any real victim's data: files are
written exactly in the formats of the agencies' extract contract, from a simulated population
whose truth (who is who, who was ICT-linked, who was never recorded) is written alongside.
"""

from etl.synthetic.generator import GenerationSummary, generate
from etl.synthetic.large_mp import write_large_mp_extract

__all__ = ["GenerationSummary", "generate", "write_large_mp_extract"]
