"""Each database role can read exactly its layers: connect as the role and try."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import ProgrammingError

from etl.infra.database import as_role


def _can_select(url: str, relation: str) -> bool:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f"SELECT * FROM {relation} LIMIT 1"))
        return True
    except ProgrammingError as exc:
        assert "permission denied" in str(exc.orig)
        return False
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def publication_table(warehouse_url: str) -> str:
    # Any table created later in `publication` is readable by the dashboard through default privileges.
    engine = sa.create_engine(warehouse_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS publication.role_probe (x int)"))
    engine.dispose()
    return "publication.role_probe"


CASES = {
    "observatorio_dashboard": {"publication": True, "mart": False, "core": False, "staging": False, "audit": False},
    "observatorio_analyst": {"publication": True, "mart": True, "core": False, "staging": False, "audit": False},
    "observatorio_etl": {"publication": True, "mart": True, "core": True, "staging": True, "audit": True},
}
RELATIONS = {
    "mart": "mart.person_profile",
    "core": "core.dim_person",
    "staging": "staging.match_token",
    "audit": "audit.key_rotation",
}


@pytest.mark.parametrize("role", sorted(CASES))
def test_role_reads_only_its_layers(role: str, warehouse_url: str, publication_table: str) -> None:
    url = as_role(warehouse_url, role)
    relations = dict(RELATIONS, publication=publication_table)
    seen = {layer: _can_select(url, relation) for layer, relation in relations.items()}
    assert seen == CASES[role]


def test_dashboard_cannot_write_publication(warehouse_url: str, publication_table: str) -> None:
    engine = sa.create_engine(as_role(warehouse_url, "observatorio_dashboard"))
    with engine.connect() as conn, pytest.raises(ProgrammingError, match="permission denied"):
        conn.execute(sa.text(f"INSERT INTO {publication_table} VALUES (1)"))
    engine.dispose()
