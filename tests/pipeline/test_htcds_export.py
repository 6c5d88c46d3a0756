"""The HTCDS export is k-anonymous over its quasi-identifiers and carries no personal data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.cli.main import main
from etl.defs.marts.htcds import QUASI_IDENTIFIERS
from tests.pipeline.helpers import ingest, refresh, upload


def test_export_is_k_anonymous(pipeline_env: str, shared_samples: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("OBSERVATORIO_DISCLOSURE_K", "3")  # the samples are small; the rule is the same
    for institution, name in (("MP", "2025-05.csv"), ("PN", "2025-05.xlsx"), ("MINNA", "2025-05.json"), ("MINMUJER", "2025-05.csv")):
        assert upload(shared_samples / institution / name).accepted
        assert ingest(institution, "2025-05").success
    assert refresh().success
    out = tmp_path / "htcds.csv"
    assert main(["export", "htcds", "--year", "2025", "--out", str(out)]) == 0
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(frame) > 0
    qis = list(QUASI_IDENTIFIERS) + ["isIctRecruitment", "isIctExploitation"]
    assert frame.groupby(qis).size().min() >= 3
    assert frame["recordId"].is_unique
    assert not frame.map(lambda v: str(v)[:1] in ("=", "+", "-", "@")).to_numpy().any()
    codebook = out.with_suffix(".codebook.md").read_text(encoding="utf-8")
    assert "k = 3" in codebook and "HTCDS" in codebook
    # No personal value of the inputs in the export.
    from etl.defs.intake.validate import validate_extract
    from etl.defs.privacy.cleartext_scan import scan

    personal = []
    for institution, name in (("MP", "2025-05.csv"), ("MINNA", "2025-05.json")):
        path = shared_samples / institution / name
        personal += [v for r in validate_extract(institution, "2025-05", path.read_bytes(), name).records for v in r.personal_values()]
    assert scan([out.read_text(encoding="utf-8")], personal) == []
