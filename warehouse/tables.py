"""The warehouse schema as SQLAlchemy Core tables.

Four PostgreSQL schemas, each a layer:
- `staging`: pseudonymized rows of each accepted extract, exactly as the privacy step left them.
- `core`: the star schema, at the grain of one victim record of one institution in one month.
- `mart`: indicators built from `core` (persons, rates, stages, justice chain, overlap, coverage).
- `publication`: disclosure-controlled aggregates: the only thing dashboards may read.

Only Alembic creates or changes these objects (`observatorio db upgrade`); this module is
the single description the migrations and the loaders share. No column anywhere holds a
name, document, phone, handle, birth date or narrative: persons are keyed pseudonyms.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

STAGING, CORE, MART, PUBLICATION, AUDIT = "staging", "core", "mart", "publication", "audit"
SCHEMAS = (STAGING, CORE, MART, PUBLICATION, AUDIT)

# Named constraints make failures readable and migrations diffable.
metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _id(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer, sa.Identity(always=False), primary_key=True)


def _fk(name: str, target: str, *, nullable: bool = False, index: bool = True) -> sa.Column:
    return sa.Column(name, sa.Integer, sa.ForeignKey(target), nullable=nullable, index=index)


def _code_dim(name: str, code_col: str, *extra: sa.Column) -> sa.Table:
    """A dimension keyed by a code from schemas/codelists.yaml."""
    return sa.Table(
        name,
        metadata,
        _id(f"{name.removeprefix('dim_')}_id"),
        sa.Column(code_col, sa.Text, nullable=False, unique=True),
        sa.Column("label_es", sa.Text, nullable=False),
        *extra,
        schema=CORE,
    )


# --- dimensions -------------------------------------------------------------------------

dim_month = sa.Table(
    "dim_month",
    metadata,
    _id("month_id"),
    sa.Column("period_code", sa.Text, nullable=False, unique=True),  # YYYY-MM
    sa.Column("month_start_date", sa.Date, nullable=False, unique=True),
    sa.Column("year", sa.SmallInteger, nullable=False, index=True),
    sa.Column("month_number", sa.SmallInteger, nullable=False),
    sa.CheckConstraint("month_number BETWEEN 1 AND 12", name="month_number_range"),
    schema=CORE,
)

dim_institution = _code_dim(
    "dim_institution",
    "institution_code",
    sa.Column("label_en", sa.Text, nullable=False),
)

dim_department = sa.Table(
    "dim_department",
    metadata,
    _id("department_id"),
    # INE numbering: 00 Asunción .. 17 Alto Paraguay; 99 = not recorded.
    sa.Column("ine_code", sa.Text, nullable=False, unique=True),
    # ISO 3166-2 does not follow INE numbers (Boquerón is PY-19): joined through this column only.
    sa.Column("iso_3166_2_code", sa.Text, unique=True),
    sa.Column("department_name", sa.Text, nullable=False),
    sa.Column("region_code", sa.Text, nullable=False),  # ORIENTAL / OCCIDENTAL / UNKNOWN
    sa.Column("population_2022", sa.Integer),
    sa.Column("population_2022_male", sa.Integer),
    sa.Column("population_2022_female", sa.Integer),
    sa.CheckConstraint("ine_code ~ '^[0-9]{2}$'", name="ine_code_format"),
    schema=CORE,
)

dim_district = sa.Table(
    "dim_district",
    metadata,
    _id("district_id"),
    _fk("department_id", f"{CORE}.dim_department.department_id"),
    sa.Column("district_name", sa.Text, nullable=False),  # census spelling, upper case
    sa.Column("population_2022", sa.Integer),
    sa.UniqueConstraint("department_id", "district_name"),
    schema=CORE,
)

dim_sex = _code_dim("dim_sex", "sex_code")

dim_age_band = _code_dim(
    "dim_age_band",
    "age_band_code",
    sa.Column("age_min", sa.SmallInteger),
    sa.Column("age_max", sa.SmallInteger),
    sa.Column("is_minor", sa.Boolean),
    sa.Column("sort_order", sa.SmallInteger, nullable=False),
)

# Role-played as nationality and as country of exploitation.
dim_country = _code_dim(
    "dim_country",
    "country_code",  # ISO 3166-1 alpha-3, OTH, UNK
    sa.Column("alpha2_code", sa.Text),
)

dim_exploitation = _code_dim(
    "dim_exploitation",
    "exploitation_code",
    sa.Column("label_en", sa.Text, nullable=False),
    sa.Column("htcds_label", sa.Text, nullable=False),
)

dim_recruitment_method = _code_dim(
    "dim_recruitment_method",
    "recruitment_method_code",
    sa.Column("label_en", sa.Text, nullable=False),
    sa.Column("htcds_label", sa.Text, nullable=False),
    sa.Column("is_ict", sa.Boolean),  # NULL: the method says nothing about ICT
)

dim_platform = _code_dim(
    "dim_platform",
    "platform_code",
    sa.Column("platform_kind", sa.Text, nullable=False),
)

dim_ict_status = _code_dim(
    "dim_ict_status",
    "ict_status_code",
    sa.Column("is_ict_linked", sa.Boolean),  # NULL for UNKNOWN: unknown is never "no"
)

dim_justice_stage = _code_dim(
    "dim_justice_stage",
    "justice_stage_code",
    sa.Column("stage_rank", sa.SmallInteger, nullable=False),
)

# One row per pseudonymous person. `person_key` is an HMAC-derived key; no attribute here
# identifies anyone without the secret, which never enters the database.
dim_person = sa.Table(
    "dim_person",
    metadata,
    _id("person_id"),
    sa.Column("person_key", sa.Text, nullable=False, unique=True),
    sa.Column("key_id", sa.Text, nullable=False),
    _fk("first_month_id", f"{CORE}.dim_month.month_id"),
    _fk("last_month_id", f"{CORE}.dim_month.month_id", index=False),
    # Capture history: which institutions recorded this person (bit 1 MP, 2 PN, 4 MINNA, 8 MINMUJER).
    sa.Column("capture_mask", sa.SmallInteger, nullable=False),
    sa.Column("institutions_seen", sa.Text, nullable=False),  # e.g. "MINNA|MP"
    sa.Column("record_count", sa.Integer, nullable=False),
    _fk("sex_id", f"{CORE}.dim_sex.sex_id"),
    _fk("age_band_id", f"{CORE}.dim_age_band.age_band_id"),  # at first detection
    _fk("department_id", f"{CORE}.dim_department.department_id"),
    _fk("nationality_country_id", f"{CORE}.dim_country.country_id", index=False),
    _fk("exploitation_id", f"{CORE}.dim_exploitation.exploitation_id"),
    _fk("ict_status_id", f"{CORE}.dim_ict_status.ict_status_id"),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint("capture_mask BETWEEN 1 AND 15", name="capture_mask_range"),
    schema=CORE,
)

# --- facts ------------------------------------------------------------------------------

EXTRACT_STATUSES = ("received", "accepted", "rejected", "superseded", "loaded")

# One row per submission of one institution for one month, accepted or not, so coverage can be
# measured and a missing month is never mistaken for zero.
fact_extract = sa.Table(
    "fact_extract",
    metadata,
    _id("extract_id"),
    _fk("institution_id", f"{CORE}.dim_institution.institution_id"),
    _fk("month_id", f"{CORE}.dim_month.month_id"),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("is_current", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("is_zero_report", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("content_sha256", sa.Text, nullable=False),
    sa.Column("original_filename_ext", sa.Text),  # only the extension: file names can carry names
    sa.Column("byte_count", sa.BigInteger, nullable=False),
    sa.Column("row_count", sa.Integer),  # records read from the file
    sa.Column("record_count", sa.Integer),  # records kept (duplicates dropped)
    sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("warning_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("uploader", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),  # cli / portal / drop
    sa.Column("stored_path", sa.Text, nullable=False),  # encrypted file in landing or quarantine
    sa.Column("report_json", pg.JSONB),  # validation report: rows, columns, rules; never values
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("validated_at", sa.DateTime(timezone=True)),
    sa.Column("loaded_at", sa.DateTime(timezone=True)),
    sa.Column("purged_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint(f"status IN {EXTRACT_STATUSES!r}", name="status_known"),
    sa.CheckConstraint("content_sha256 ~ '^[0-9a-f]{64}$'", name="sha256_format"),
    schema=CORE,
)
# At most one submission in force per institution and month.
sa.Index(
    "uq_fact_extract_current",
    fact_extract.c.institution_id,
    fact_extract.c.month_id,
    unique=True,
    postgresql_where=fact_extract.c.is_current,
)

fact_victim_record = sa.Table(
    "fact_victim_record",
    metadata,
    _id("victim_record_id"),
    _fk("extract_id", f"{CORE}.fact_extract.extract_id"),
    _fk("institution_id", f"{CORE}.dim_institution.institution_id"),
    _fk("month_id", f"{CORE}.dim_month.month_id"),
    sa.Column("source_row", sa.Integer, nullable=False),
    # The agency's case key, keyed-hashed: case numbers lead to case files.
    sa.Column("source_key_token", sa.Text, nullable=False),
    sa.Column("key_id", sa.Text, nullable=False),
    _fk("person_id", f"{CORE}.dim_person.person_id"),
    sa.Column("registration_date", sa.Date, nullable=False),
    _fk("department_id", f"{CORE}.dim_department.department_id"),
    _fk("district_id", f"{CORE}.dim_district.district_id", nullable=True),
    _fk("sex_id", f"{CORE}.dim_sex.sex_id"),
    _fk("age_band_id", f"{CORE}.dim_age_band.age_band_id"),
    sa.Column("age_years", sa.SmallInteger),
    _fk("nationality_country_id", f"{CORE}.dim_country.country_id"),
    _fk("exploitation_id", f"{CORE}.dim_exploitation.exploitation_id"),  # primary form
    _fk("recruitment_method_id", f"{CORE}.dim_recruitment_method.recruitment_method_id"),
    _fk("ict_status_id", f"{CORE}.dim_ict_status.ict_status_id"),
    sa.Column("ict_evidence_source", sa.Text, nullable=False),  # structured / narrative / none
    sa.Column("has_transfer_stage", sa.Boolean),  # NULL: not recorded
    _fk("justice_stage_id", f"{CORE}.dim_justice_stage.justice_stage_id"),
    _fk("exploitation_country_id", f"{CORE}.dim_country.country_id"),
    sa.UniqueConstraint("institution_id", "month_id", "source_row"),
    sa.CheckConstraint("age_years IS NULL OR age_years BETWEEN 0 AND 110", name="age_plausible"),
    sa.CheckConstraint(
        "ict_evidence_source IN ('structured', 'narrative', 'none')", name="ict_evidence_known"
    ),
    schema=CORE,
)

bridge_victim_record_platform = sa.Table(
    "bridge_victim_record_platform",
    metadata,
    sa.Column(
        "victim_record_id",
        sa.Integer,
        sa.ForeignKey(f"{CORE}.fact_victim_record.victim_record_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("platform_id", sa.Integer, sa.ForeignKey(f"{CORE}.dim_platform.platform_id"), primary_key=True, index=True),
    sa.Column("ict_stage_code", sa.Text, primary_key=True),  # RECRUITMENT / EXPLOITATION / UNSPECIFIED
    sa.Column("evidence_source", sa.Text, nullable=False),
    sa.CheckConstraint("ict_stage_code IN ('RECRUITMENT', 'EXPLOITATION', 'UNSPECIFIED')", name="stage_known"),
    schema=CORE,
)

bridge_victim_record_exploitation = sa.Table(
    "bridge_victim_record_exploitation",
    metadata,
    sa.Column(
        "victim_record_id",
        sa.Integer,
        sa.ForeignKey(f"{CORE}.fact_victim_record.victim_record_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "exploitation_id", sa.Integer, sa.ForeignKey(f"{CORE}.dim_exploitation.exploitation_id"), primary_key=True
    ),
    schema=CORE,
)

# --- staging ----------------------------------------------------------------------------
# Pseudonymized rows of one accepted extract, codes still as text: the load step maps them
# to dimension keys. Replaced as a whole when a corrected extract for the month arrives.

staging_victim_record = sa.Table(
    "victim_record",
    metadata,
    sa.Column("extract_id", sa.Integer, sa.ForeignKey(f"{CORE}.fact_extract.extract_id"), primary_key=True),
    sa.Column("source_row", sa.Integer, primary_key=True),
    sa.Column("institution_code", sa.Text, nullable=False),
    sa.Column("period_code", sa.Text, nullable=False),
    sa.Column("source_key_token", sa.Text, nullable=False),
    sa.Column("key_id", sa.Text, nullable=False),
    sa.Column("registration_date", sa.Date, nullable=False),
    sa.Column("department_code", sa.Text, nullable=False),
    sa.Column("district_name", sa.Text),
    sa.Column("sex_code", sa.Text, nullable=False),
    sa.Column("age_years", sa.SmallInteger),
    sa.Column("age_band_code", sa.Text, nullable=False),
    sa.Column("birth_year_min", sa.SmallInteger),  # coarse, for linkage only
    sa.Column("birth_year_max", sa.SmallInteger),
    sa.Column("nationality_code", sa.Text, nullable=False),
    sa.Column("exploitation_codes", pg.ARRAY(sa.Text), nullable=False),
    sa.Column("recruitment_method_code", sa.Text, nullable=False),
    sa.Column("ict_status_code", sa.Text, nullable=False),
    sa.Column("ict_evidence_source", sa.Text, nullable=False),
    sa.Column("platforms", pg.JSONB, nullable=False),  # [{"platform": .., "stage": .., "source": ..}]
    sa.Column("has_transfer_stage", sa.Boolean),
    sa.Column("justice_stage_code", sa.Text, nullable=False),
    sa.Column("exploitation_country_code", sa.Text, nullable=False),
    schema=STAGING,
)

# Keyed match tokens of each staged record (HMAC of identifier combinations): what linkage
# compares. Without the secret they cannot be reversed or recomputed from a dictionary.
staging_match_token = sa.Table(
    "match_token",
    metadata,
    # Its extract is checked once per statement by triggers, not by a foreign key's row triggers
    # (35 million rows for a million records: migration 0012).
    sa.Column("extract_id", sa.Integer, primary_key=True),
    sa.Column("source_row", sa.Integer, primary_key=True),
    sa.Column("token_kind", sa.Text, primary_key=True),
    sa.Column("token", sa.Text, primary_key=True),
    sa.Column("key_id", sa.Text, nullable=False),
    # No index on the token value: nothing looks tokens up by value (migration 0010).
    schema=STAGING,
)

# Person assignment of every staged record, recomputed by linkage (deterministic clustering).
staging_record_person = sa.Table(
    "record_person",
    metadata,
    sa.Column("extract_id", sa.Integer, sa.ForeignKey(f"{CORE}.fact_extract.extract_id"), primary_key=True),
    sa.Column("source_row", sa.Integer, primary_key=True),
    sa.Column("person_key", sa.Text, nullable=False, index=True),
    sa.Column("key_id", sa.Text, nullable=False),
    schema=STAGING,
)

# --- audit ------------------------------------------------------------------------------

# Every key rotation, with counts before and after, so a rotation that changed a count is visible.
audit_key_rotation = sa.Table(
    "key_rotation",
    metadata,
    _id("key_rotation_id"),
    sa.Column("old_key_id", sa.Text, nullable=False),
    sa.Column("new_key_id", sa.Text, nullable=False),
    sa.Column("persons_before", sa.Integer, nullable=False),
    sa.Column("persons_after", sa.Integer, nullable=False),
    sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    schema=AUDIT,
)

# --- publication --------------------------------------------------------------------------
# Disclosure-controlled aggregates: the only relations dashboards may read. Every count that
# could identify a person (1..k-1, or recoverable from other cells) is NULL with is_withheld.

def _release_fk() -> sa.Column:
    return sa.Column(
        "release_id", sa.Integer, sa.ForeignKey(f"{PUBLICATION}.release.release_id", ondelete="CASCADE"), nullable=False
    )


def _withheld_count(count_column: str) -> tuple:
    """A published count: NULL exactly when withheld, with the reason (primary/secondary/…)."""
    return (
        sa.Column(count_column, sa.Integer),
        sa.Column("is_withheld", sa.Boolean, nullable=False),
        sa.Column("withheld_reason", sa.Text),
        sa.CheckConstraint(f"({count_column} IS NULL) = is_withheld", name="withheld_is_null"),
    )


publication_release = sa.Table(
    "release",
    metadata,
    _id("release_id"),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("k", sa.SmallInteger, nullable=False),
    sa.Column("is_current", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("audit_passed", sa.Boolean, nullable=False),
    sa.Column("differencing_passed", sa.Boolean, nullable=False),
    sa.Column("cell_count", sa.Integer, nullable=False),
    sa.Column("withheld_count", sa.Integer, nullable=False),
    sa.Column("audit_summary", pg.JSONB, nullable=False),  # widths per withheld cell; no microdata
    schema=PUBLICATION,
)
sa.Index("uq_release_current", publication_release.c.is_current, unique=True, postgresql_where=publication_release.c.is_current)

_DIMENSIONS = (
    "year", "period_code", "department_code", "region_code", "sex_code", "age_band_code",
    "exploitation_code", "ict_status_code", "ict_group_code",
)

publication_victim_count = sa.Table(
    "victim_count",
    metadata,
    _release_fk(),
    sa.Column("table_code", sa.Text, nullable=False),  # which published table (a grouping)
    sa.Column("year", sa.SmallInteger),  # NULL in a dimension column: all values of it
    sa.Column("period_code", sa.Text),
    sa.Column("department_code", sa.Text),
    sa.Column("region_code", sa.Text),
    sa.Column("sex_code", sa.Text),
    sa.Column("age_band_code", sa.Text),
    sa.Column("exploitation_code", sa.Text),
    sa.Column("ict_status_code", sa.Text),
    sa.Column("ict_group_code", sa.Text),  # LINKED / NOT_LINKED / UNKNOWN
    *_withheld_count("victims"),
    sa.CheckConstraint("victims IS NULL OR victims = 0 OR victims >= 1", name="nonnegative"),
    sa.Index("ix_victim_count_lookup", "release_id", "table_code", "year"),
    schema=PUBLICATION,
)

publication_platform_count = sa.Table(
    "platform_count",
    metadata,
    _release_fk(),
    sa.Column("year", sa.SmallInteger, nullable=False),
    sa.Column("platform_code", sa.Text, nullable=False),
    sa.Column("platform_label", sa.Text, nullable=False),
    sa.Column("ict_stage_code", sa.Text, nullable=False),  # RECRUITMENT / EXPLOITATION / ALL
    *_withheld_count("victims"),
    sa.Index("ix_platform_count_lookup", "release_id", "year"),
    schema=PUBLICATION,
)

publication_justice_chain = sa.Table(
    "justice_chain",
    metadata,
    _release_fk(),
    sa.Column("year", sa.SmallInteger, nullable=False),
    sa.Column("institution_code", sa.Text, nullable=False),
    sa.Column("furthest_step_code", sa.Text, nullable=False),  # COMPLAINT .. CONVICTION, or ALL
    sa.Column("step_order", sa.SmallInteger, nullable=False),
    sa.Column("label_es", sa.Text, nullable=False),
    *_withheld_count("victim_records"),
    schema=PUBLICATION,
)

# Which institution reported which month: statuses only, no counts (counts of a month can be small).
publication_coverage = sa.Table(
    "coverage",
    metadata,
    _release_fk(),
    sa.Column("institution_code", sa.Text, nullable=False),
    sa.Column("institution_label", sa.Text, nullable=False),
    sa.Column("period_code", sa.Text, nullable=False),
    sa.Column("year", sa.SmallInteger, nullable=False),
    sa.Column("coverage_status", sa.Text, nullable=False),  # accepted / zero_report / rejected / missing / processing
    sa.Column("coverage_label_es", sa.Text, nullable=False),
    schema=PUBLICATION,
)

# Multiple Systems Estimation of all victims (detected and hidden), per year.
publication_prevalence_estimate = sa.Table(
    "prevalence_estimate",
    metadata,
    _release_fk(),
    sa.Column("year", sa.SmallInteger, nullable=False),
    sa.Column("population_code", sa.Text, nullable=False),  # ALL / ICT
    sa.Column("is_available", sa.Boolean, nullable=False),
    sa.Column("observed", sa.Integer),  # detected persons (withheld below k)
    sa.Column("estimate", sa.Integer),  # rounded to 10: a model output, not a count of people
    sa.Column("ci_lower", sa.Integer),
    sa.Column("ci_upper", sa.Integer),
    sa.Column("method", sa.Text),
    sa.Column("model_terms", sa.Text),
    sa.Column("note_es", sa.Text, nullable=False),  # why unavailable, or the caveats
    schema=PUBLICATION,
)

# Public reference figures (2022 census) so rates and maps need nothing outside `publication`.
publication_department = sa.Table(
    "department",
    metadata,
    sa.Column("department_code", sa.Text, primary_key=True),  # INE
    sa.Column("iso_3166_2_code", sa.Text),
    sa.Column("department_name", sa.Text, nullable=False),
    sa.Column("region_code", sa.Text, nullable=False),
    sa.Column("population_2022", sa.Integer),
    sa.Column("population_2022_male", sa.Integer),
    sa.Column("population_2022_female", sa.Integer),
    schema=PUBLICATION,
)

# Labels of every code a dashboard shows (Spanish), so cards read nothing but `publication`.
publication_code_label = sa.Table(
    "code_label",
    metadata,
    sa.Column("code_list", sa.Text, primary_key=True),
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("label_es", sa.Text, nullable=False),
    sa.Column("sort_order", sa.SmallInteger, nullable=False),
    schema=PUBLICATION,
)

PUBLICATION_TABLES = [
    publication_release, publication_victim_count, publication_platform_count, publication_justice_chain,
    publication_coverage, publication_prevalence_estimate, publication_department, publication_code_label,
]
# Views of the release in force (migration 0011): what dashboard cards read.
PUBLICATION_VIEWS = (
    "current_victim_count", "current_platform_count", "current_coverage", "current_justice_chain",
    "current_prevalence_estimate", "current_latest_year",
)

# --- mart tables computed in Python -------------------------------------------------------

# Multiple Systems Estimation per year and population (all victims / ICT-linked), from
# mart.capture_histories. Unprotected figures for analysts; publication rounds and filters.
mart_prevalence_estimate = sa.Table(
    "prevalence_estimate",
    metadata,
    sa.Column("year", sa.SmallInteger, primary_key=True),
    sa.Column("population_code", sa.Text, primary_key=True),  # ALL / ICT
    sa.Column("is_available", sa.Boolean, nullable=False),
    sa.Column("observed", sa.Integer, nullable=False),
    sa.Column("estimate", sa.Float),
    sa.Column("ci_lower", sa.Float),
    sa.Column("ci_upper", sa.Float),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("interval_method", sa.Text),
    sa.Column("model_terms", sa.Text),  # e.g. "MP:PN, MINNA:MP"
    sa.Column("lists_used", sa.Text, nullable=False),
    sa.Column("reason_code", sa.Text),
    sa.Column("reason_es", sa.Text),
    sa.Column("diagnostics", pg.JSONB, nullable=False),
    schema=MART,
)

# Differential privacy (optional): each noisy release and the epsilon it spent, so the total
# budget can be enforced across releases.
audit_dp_ledger = sa.Table(
    "dp_ledger",
    metadata,
    _id("dp_ledger_id"),
    sa.Column("release_id", sa.Text, nullable=False),
    sa.Column("statistic", sa.Text, nullable=False),
    sa.Column("epsilon", sa.Float, nullable=False),
    sa.Column("mechanism", sa.Text, nullable=False),
    sa.Column("scale", sa.Float, nullable=False),
    sa.Column("recorded_at", sa.Text, nullable=False),
    sa.CheckConstraint("epsilon > 0", name="epsilon_positive"),
    schema=AUDIT,
)

publication_noisy_total = sa.Table(
    "noisy_total",
    metadata,
    _release_fk(),
    sa.Column("year", sa.SmallInteger, nullable=False),
    sa.Column("statistic", sa.Text, nullable=False),  # national_annual_total
    sa.Column("noisy_victims", sa.Integer, nullable=False),
    sa.Column("epsilon", sa.Float, nullable=False),
    schema=PUBLICATION,
)
