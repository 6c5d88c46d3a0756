"""`observatorio generate-samples --months N --out DIR`: synthetic extracts of the four institutions."""

from __future__ import annotations


def command(argv: list[str], prog: str) -> int:
    from etl.synthetic.cli import generate_samples_command

    return generate_samples_command(argv)
