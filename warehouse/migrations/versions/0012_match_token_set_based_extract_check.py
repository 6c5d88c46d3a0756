"""staging.match_token checks its extract once per statement, not once per row.

About 35 match tokens are staged per record: a million-record extract COPYs 35 million rows, and
the foreign key fk_match_token_extract_id_fact_extract fired one row trigger per row (measured:
9.3 s of a 12.6 s COPY of 1.7 million tokens; about 190 s of database time for a million
records). It is replaced by the same rule checked per statement over the statement's rows
(transition tables: one anti-join of their distinct extract ids, 0.2 s for those 1.7 million rows):

- a token inserted or updated must name an existing core.fact_extract;
- a core.fact_extract row that staged tokens name can be neither deleted nor renumbered.

Violations raise SQLSTATE 23503 (foreign_key_violation) with the old constraint's name, so
callers see what the foreign key raised. Written out in full so this revision stays what it was.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

CONSTRAINT = "fk_match_token_extract_id_fact_extract"


def _check_function(name: str, offender: str, message: str) -> str:
    """A statement trigger's function: raise the foreign key's error for the first offending extract."""
    return f"""
CREATE FUNCTION staging.{name}() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE offending integer;
BEGIN
    {offender.strip()}
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '{message}', offending
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = '{CONSTRAINT}',
                  SCHEMA = 'staging', TABLE = 'match_token';
    END IF;
    RETURN NULL;
END $$
"""


_TOKENS_NAME_EXTRACTS = _check_function("match_token_extract_exists", """
    SELECT n.extract_id INTO offending
    FROM (SELECT DISTINCT extract_id FROM new_tokens) n
    WHERE NOT EXISTS (SELECT 1 FROM core.fact_extract f WHERE f.extract_id = n.extract_id)
""", "staging.match_token: extract_id % is not in core.fact_extract")

_EXTRACTS_KEEP_TOKENS = _check_function("fact_extract_keeps_match_tokens", """
    SELECT o.extract_id INTO offending
    FROM old_extracts o
    WHERE NOT EXISTS (SELECT 1 FROM core.fact_extract f WHERE f.extract_id = o.extract_id)
      AND EXISTS (SELECT 1 FROM staging.match_token m WHERE m.extract_id = o.extract_id)
""", "core.fact_extract: extract_id % still has staged match tokens")


def upgrade() -> None:
    op.execute(f"ALTER TABLE staging.match_token DROP CONSTRAINT IF EXISTS {CONSTRAINT}")
    op.execute(_TOKENS_NAME_EXTRACTS)
    op.execute(_EXTRACTS_KEEP_TOKENS)
    # One trigger per event: PostgreSQL allows transition tables on single-event triggers only.
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"CREATE TRIGGER match_token_extract_exists_{event.lower()} AFTER {event} ON staging.match_token "
            "REFERENCING NEW TABLE AS new_tokens FOR EACH STATEMENT "
            "EXECUTE FUNCTION staging.match_token_extract_exists()"
        )
    for event in ("DELETE", "UPDATE"):
        op.execute(
            f"CREATE TRIGGER fact_extract_keeps_match_tokens_{event.lower()} AFTER {event} ON core.fact_extract "
            "REFERENCING OLD TABLE AS old_extracts FOR EACH STATEMENT "
            "EXECUTE FUNCTION staging.fact_extract_keeps_match_tokens()"
        )


def downgrade() -> None:
    for event in ("delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS fact_extract_keeps_match_tokens_{event} ON core.fact_extract")
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS match_token_extract_exists_{event} ON staging.match_token")
    op.execute("DROP FUNCTION IF EXISTS staging.fact_extract_keeps_match_tokens()")
    op.execute("DROP FUNCTION IF EXISTS staging.match_token_extract_exists()")
    op.execute(
        f"ALTER TABLE staging.match_token ADD CONSTRAINT {CONSTRAINT} "
        "FOREIGN KEY (extract_id) REFERENCES core.fact_extract (extract_id)"
    )
