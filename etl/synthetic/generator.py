"""Writes a full synthetic dataset: every month of every institution, plus the ground truth."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from etl.synthetic import keys, minmujer_extract, minna_extract, mp_extract, pn_extract, truth
from etl.synthetic.months import period_sequence
from etl.synthetic.population import INSTITUTION_ORDER, simulate
from etl.synthetic.rendering import KeyedEncounter, RenderContext, RenderedRecord, stream

EXTENSIONS: dict[str, str] = {"MP": "csv", "PN": "xlsx", "MINNA": "json", "MINMUJER": "csv"}

# MINNA's older case system exported no `entorno_digital`; it was replaced at the start of 2025.
_MINNA_UPGRADE = "2025-01"


@dataclass(frozen=True, slots=True)
class GenerationSummary:
    out_dir: Path
    start_period: str
    months: int
    periods: tuple[str, ...]
    seed: int
    scale: float
    records_by_institution: dict[str, int]
    total_persons: int
    captured_persons: int
    files: tuple[Path, ...]  # every extract, in (period, institution) order
    truth_records_path: Path
    truth_persons_path: Path
    zero_months: tuple[tuple[str, str], ...] = field(default=())  # (institution, period) sent empty

    @property
    def never_captured_persons(self) -> int:
        return self.total_persons - self.captured_persons


def extract_path(out_dir: Path, institution: str, period: str) -> Path:
    return out_dir / institution / f"{period}.{EXTENSIONS[institution]}"


def _render_and_write(
    institution: str, period: str, keyed: list[KeyedEncounter], context: RenderContext, path: Path
) -> list[RenderedRecord]:
    rng = stream(context.seed, institution, period)
    if institution == "MP":
        rows = mp_extract.render(keyed, context, rng)
        mp_extract.write(path, rows, rng)
    elif institution == "PN":
        rows = pn_extract.render(keyed, context, rng)
        pn_extract.write(path, period, rows, rng)
    elif institution == "MINNA":
        rows = minna_extract.render(keyed, context, rng)
        minna_extract.write(path, period, rows, rng)
    else:
        rows = minmujer_extract.render(keyed, context, rng)
        minmujer_extract.write(path, rows)
    return rows


def generate(
    out_dir: Path,
    months: int = 24,
    start_period: str = "2024-01",
    seed: int = 20250601,
    scale: float = 1.0,
) -> GenerationSummary:
    """Simulate `months` months from `start_period` and write the four institutions' extracts.

    Writes `out_dir/<INSTITUTION>/<YYYY-MM>.<ext>` for every month and institution (a month
    without cases is a valid empty report), `out_dir/truth_records.csv` and
    `out_dir/truth_persons.csv`. The same arguments always produce the same bytes.
    """
    out_dir = Path(out_dir)
    periods = period_sequence(start_period, months)
    population = simulate(periods, seed, scale)
    keyed = keys.assign(population.encounters, stream(seed, "keys"))

    case_institutions: dict[int, list[str]] = defaultdict(list)
    by_file: dict[tuple[str, str], list[KeyedEncounter]] = defaultdict(list)
    for item in keyed:
        encounter = item.encounter
        recorded = case_institutions[encounter.case.case_index]
        if encounter.institution not in recorded:
            recorded.append(encounter.institution)
        by_file[(encounter.institution, encounter.period)].append(item)

    for institution in INSTITUTION_ORDER:
        (out_dir / institution).mkdir(parents=True, exist_ok=True)

    truth_records: list[truth.TruthRecord] = []
    counts = {institution: 0 for institution in INSTITUTION_ORDER}
    files: list[Path] = []
    zero_months: list[tuple[str, str]] = []
    for period in periods:
        for institution in INSTITUTION_ORDER:
            context = RenderContext(
                seed=seed,
                case_institutions=case_institutions,
                legacy_share=0.25 if period < _MINNA_UPGRADE else 0.05,
            )
            path = extract_path(out_dir, institution, period)
            rows = _render_and_write(institution, period, by_file.get((institution, period), []), context, path)
            files.append(path)
            counts[institution] += len(rows)
            if not rows:
                zero_months.append((institution, period))
            truth_records.extend(
                truth.TruthRecord(institution, period, row.source_key, ordinal, row.person_id, row.ict)
                for ordinal, row in enumerate(rows, start=1)
            )

    captured_by = population.captured_by()
    truth_records_path = out_dir / "truth_records.csv"
    truth_persons_path = out_dir / "truth_persons.csv"
    truth.write_records(truth_records_path, truth_records)
    truth.write_persons(truth_persons_path, population.persons, captured_by)
    return GenerationSummary(
        out_dir=out_dir,
        start_period=start_period,
        months=months,
        periods=tuple(periods),
        seed=seed,
        scale=scale,
        records_by_institution=counts,
        total_persons=len(population.persons),
        captured_persons=sum(1 for institutions in captured_by.values() if institutions),
        files=tuple(files),
        truth_records_path=truth_records_path,
        truth_persons_path=truth_persons_path,
        zero_months=tuple(zero_months),
    )
