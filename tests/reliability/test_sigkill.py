"""SIGKILL at random points of a corrected month's load, and of an upload, many times.

Each iteration starts from a copy of the same prepared warehouse, runs the real `ingest_month`
job (or the real upload) in a separate process, kills it with SIGKILL after a seeded random
delay, then checks what PostgreSQL and the landing zone hold: the month is wholly the old
version or wholly the new one, staging is consistent, and the next normal run finishes the job.
Delays are stratified over the whole measured duration of an uninterrupted run (one random
delay per equal slice), so every phase gets its share of kills.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl.defs.landing.store import ABANDONED_AFTER_SECONDS, TEMP_PREFIX, sha256_hex
from etl.infra.database import get_engine
from etl.resources.landing import landing_store
from tests.pipeline.helpers import ingest, upload
from tests.reliability.conftest import MONTH, PreparedWarehouse, pipeline_environment, point_at
from tests.reliability.databases import clone_database, drop_clone
from tests.reliability.kill_client import KillTarget, WorkerOutcome
from tests.reliability.state import snapshot

SEED = 20250605
LOAD_ITERATIONS = 14  # random ones; seven more are pinned to given steps
UPLOAD_ITERATIONS = 8  # random ones; four more are pinned to given steps
PAUSE = 0.01  # seconds the worker sleeps before each step, so each one is a window a kill can hit
PINNED_PAUSE = 0.05  # wider windows when the kill waits for a given step: a busy parent still lands in it

OLD, NEW = "old", "new"


def stratified_delays(rng: random.Random, count: int, span: float) -> list[float]:
    """One uniform delay in each of `count` equal slices of [0, span), in shuffled order."""
    delays = [(i + rng.random()) * span / count for i in range(count)]
    rng.shuffle(delays)
    return delays


# The load's global lock (core_load), not the staging step's per-extract lock (two arguments).
LOAD_LOCK = "sql SELECT pg_advisory_xact_lock(:k)"


def pinned(markers: list[str], prefix: str, after: int = -1) -> tuple[str, int]:
    """The first step marker starting with `prefix` (after index `after`), as (label, occurrence)."""
    index = next(i for i, m in enumerate(markers) if i > after and m.startswith(prefix))
    return markers[index], markers[: index + 1].count(markers[index])


def load_phase(markers: list[str]) -> str:
    """Which phase of the ingest run the worker was in when it died."""
    if markers and markers[-1] == "done":
        return "completed"
    staging_copied = load_locked = False
    staging_committed = load_committed = False
    pending_commit = False
    for marker in markers:
        if marker.startswith("copy staging.victim_record") and not load_locked:
            staging_copied = True
        elif marker.startswith(LOAD_LOCK):
            load_locked = True
        elif marker == "commit":
            pending_commit = True
        elif marker == "committed":
            pending_commit = False
            if load_locked:
                load_committed = True
            elif staging_copied:
                staging_committed = True
    if load_committed:
        return "after load commit"
    if pending_commit:
        return "during load commit" if load_locked else "during staging commit"
    if load_locked:
        return "load transaction"
    if staging_committed:
        return "between staging and load"
    if staging_copied:
        return "staging transaction"
    return "read and validate"


# Phases after which the month must be the new version, and before which it must still be the old one.
MUST_BE_NEW = {"after load commit", "completed"}
MUST_BE_OLD = {"read and validate", "staging transaction", "during staging commit", "between staging and load", "load transaction"}


def _state(url: str) -> dict[str, str]:
    return snapshot(url)[0]


def _invariants(url: str) -> dict[str, int]:
    return snapshot(url)[1]


def test_sigkill_during_corrected_load_leaves_old_or_new_month(
    prepared_warehouse: PreparedWarehouse, kill_target: KillTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(SEED)
    base = prepared_warehouse
    command = {"op": "ingest", "institution": MONTH[0], "period": MONTH[1]}
    old = _state(base.registered_url)

    # An uninterrupted run: the new version, and how long a run takes (the span the kills cover).
    reference = clone_database(base.registered_url, prefix="obs_rel_ref")
    try:
        env = pipeline_environment(reference, base.home)
        finished = kill_target.run({**command, "env": env}, tmp_path / "markers", None, PAUSE)
        assert finished.exit_code == 0 and load_phase(finished.markers) == "completed"
        new = _state(reference)
        assert _invariants(reference) == {}
    finally:
        drop_clone(reference)
    assert {k for k in old if old[k] != new[k]} >= {"facts", "persons", "record_person", "extracts"}

    # Random kills over the whole run, plus kills pinned to steps of both transactions and to the
    # instants around each commit, which are too short for random delays to hit every time.
    steps = finished.markers
    lock = steps.index(next(m for m in steps if m.startswith(LOAD_LOCK)))
    pins = [
        pinned(steps, "copy staging.victim_record"),
        pinned(steps, "committed"),  # the staging transaction's
        pinned(steps, LOAD_LOCK),
        # The new assignment is copied into a temporary table, then written over staging.record_person.
        pinned(steps, "sql INSERT INTO staging.record_person", after=lock),
        pinned(steps, "sql INSERT INTO core.fact_victim_record", after=lock),
        pinned(steps, "commit", after=lock),
        pinned(steps, "committed", after=lock),
    ]
    plans: list[tuple[float | None, tuple[str, int] | None]] = [
        (delay, None) for delay in stratified_delays(rng, LOAD_ITERATIONS, finished.seconds * 1.05)
    ] + [(None, pin) for pin in pins]

    outcomes: list[tuple[str, str, str]] = []  # (phase, state, last marker)
    for delay, marker in plans:
        url = clone_database(base.registered_url, prefix="obs_rel_kill")
        try:
            env = pipeline_environment(url, base.home)
            pause = PAUSE if marker is None else PINNED_PAUSE
            killed = kill_target.run({**command, "env": env}, tmp_path / "markers", delay, pause, kill_at=marker)
            phase = load_phase(killed.markers)
            state = _state(url)
            which = OLD if state == old else NEW if state == new else None
            diff = sorted(k for k in state if state[k] not in (old[k], new[k]))
            assert which is not None, f"partial month after a kill in phase {phase!r}: tables {diff}"
            if phase in MUST_BE_NEW:
                assert which == NEW, f"kill in phase {phase!r} lost a committed load"
            if phase in MUST_BE_OLD:
                assert which == OLD, f"kill in phase {phase!r} left uncommitted work"
            assert _invariants(url) == {}, f"inconsistent staging after a kill in phase {phase!r}"
            outcomes.append((phase, which, killed.last_marker))

            # The next normal run (another process, not instrumented) finishes the job.
            point_at(monkeypatch, url, base.home)
            assert ingest(*MONTH).success
            assert _state(url) == new
            assert _invariants(url) == {}
        finally:
            drop_clone(url)

    phases = Counter(p for p, _, _ in outcomes)
    states = Counter(s for _, s, _ in outcomes)
    points = Counter(m for _, _, m in outcomes)
    print(f"\nload kills: {len(outcomes)} iterations, run {finished.seconds:.2f} s, {len(finished.markers)} steps; "
          f"states {dict(states)}; phases {dict(phases)}; {len(points)} distinct kill points")
    for point, n in sorted(points.items()):
        print(f"  {n:2d}  {point}")
    # The kills reached both transactions, the gap between them and both sides of the load's commit.
    assert phases["staging transaction"] >= 1
    assert phases["between staging and load"] >= 1
    assert phases["load transaction"] >= 3
    assert phases["during load commit"] >= 1 and phases["after load commit"] >= 1
    assert states[OLD] >= 6 and states[NEW] >= 1


def upload_phase(markers: list[str]) -> str:
    if markers and markers[-1] == "done":
        return "completed"
    seen = set(markers)
    if "committed" in seen:
        return "after registration"
    if "commit" in seen:
        return "during registration commit"
    if any(m.startswith("sql ") for m in markers):
        return "registration transaction"
    if "file replaced" in seen:
        return "file landed, not registered"
    if "file half-written" in seen or "file fsync" in seen or "file replace" in seen:
        return "writing temporary file"
    if "file mkstemp" in seen:
        return "creating temporary file"
    return "validation"


def _landing_problems(landing: Path, store, registered: list[tuple[str, str]]) -> list[str]:
    """Every stored file is complete (decrypts, hash matches its name); every registration has its file."""
    problems = []
    for path in sorted(landing.rglob("*.enc")):
        content = store.read(path)  # LandingError when truncated or altered
        if sha256_hex(content) != path.name.split(".")[0]:
            problems.append(f"{path.relative_to(landing)}: content does not match its name")
    for stored_path, sha in registered:
        path = Path(stored_path)
        if not path.is_file():
            problems.append(f"registered submission {sha[:12]} has no file")
        elif sha256_hex(store.read(path)) != sha:
            problems.append(f"registered submission {sha[:12]}: file does not match")
    return problems


def _registered(url: str) -> list[tuple[str, str]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text("SELECT stored_path, content_sha256 FROM core.fact_extract"))]
    finally:
        engine.dispose()


def test_sigkill_during_upload_never_registers_a_missing_or_partial_file(
    prepared_warehouse: PreparedWarehouse, kill_target: KillTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(SEED + 1)
    base = prepared_warehouse
    corrected_sha = sha256_hex(base.corrected.read_bytes())

    def command(home: Path, url: str) -> dict:
        return {"op": "upload", "institution": MONTH[0], "period": MONTH[1], "file": str(base.corrected),
                "env": pipeline_environment(url, home)}

    reference = clone_database(base.loaded_url, prefix="obs_rel_ref")
    try:
        finished = kill_target.run(command(tmp_path / "ref", reference), tmp_path / "markers", None, PAUSE)
    finally:
        drop_clone(reference)
    assert finished.exit_code == 0 and upload_phase(finished.markers) == "completed"

    steps = finished.markers
    pins = [pinned(steps, "file half-written"), pinned(steps, "file replaced"), pinned(steps, "commit"),
            pinned(steps, "committed")]
    plans: list[tuple[float | None, tuple[str, int] | None]] = [
        (delay, None) for delay in stratified_delays(rng, UPLOAD_ITERATIONS, finished.seconds * 1.05)
    ] + [(None, pin) for pin in pins]

    outcomes: list[tuple[str, bool, int]] = []  # (phase, registered, temporary files left)
    for i, (delay, pin) in enumerate(plans):
        url = clone_database(base.loaded_url, prefix="obs_rel_upl")
        home = tmp_path / f"home{i}"
        try:
            pause = PAUSE if pin is None else PINNED_PAUSE
            killed: WorkerOutcome = kill_target.run(command(home, url), tmp_path / "markers", delay, pause, kill_at=pin)
            phase = upload_phase(killed.markers)
            point_at(monkeypatch, url, home)
            store, landing = landing_store(), home / "landing"
            registered = _registered(url)
            assert _landing_problems(landing, store, registered) == [], f"after a kill in phase {phase!r}"
            is_registered = corrected_sha in {sha for _, sha in registered}
            if phase in ("after registration", "completed"):
                assert is_registered
            elif phase != "during registration commit":
                assert not is_registered, f"registered before its transaction committed (phase {phase!r})"
            temporaries = list(landing.rglob(f"{TEMP_PREFIX}*"))
            assert all(not p.name.endswith(".enc") for p in temporaries)  # never taken for a landed file
            outcomes.append((phase, is_registered, len(temporaries)))
            # The upload that follows a crash comes later than any write takes: it clears the leftovers.
            stale = time.time() - ABANDONED_AFTER_SECONDS - 1
            for path in temporaries:
                os.utime(path, (stale, stale))

            # The agency uploads again: accepted, in force, its file complete.
            assert upload(base.corrected, *MONTH).accepted
            with get_engine().connect() as conn:
                current = conn.execute(sa.text(
                    "SELECT content_sha256 FROM core.fact_extract fe JOIN core.dim_month m USING (month_id) "
                    "JOIN core.dim_institution i USING (institution_id) "
                    "WHERE fe.is_current AND i.institution_code = :i AND m.period_code = :p"
                ), {"i": MONTH[0], "p": MONTH[1]}).scalar_one()
            assert current == corrected_sha
            assert _landing_problems(landing, store, _registered(url)) == []
            assert list(landing.rglob(f"{TEMP_PREFIX}*")) == [], "a crashed upload's temporary file outlived the next upload"
        finally:
            drop_clone(url)

    phases = Counter(p for p, _, _ in outcomes)
    print(f"\nupload kills: {len(outcomes)} iterations, upload {finished.seconds:.2f} s; phases {dict(phases)}; "
          f"temporary files left by kills: {sum(n for _, _, n in outcomes)}")
    assert phases["writing temporary file"] >= 1 and phases["file landed, not registered"] >= 1
    assert phases["during registration commit"] >= 1 and phases["after registration"] >= 1


def test_month_waiting_for_its_load_stays_whole_while_others_load(
    prepared_warehouse: PreparedWarehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kill between staging and load (or a slow queue) leaves a corrected month pending: until its
    own load, core keeps the old version, and loads of other partitions must keep it whole and linked."""
    url = clone_database(prepared_warehouse.registered_url, prefix="obs_rel_pending")
    try:
        old = _state(url)
        point_at(monkeypatch, url, prepared_warehouse.home)
        assert ingest("PN", "2025-05").success  # another partition, same files: must change nothing
        state = _state(url)
        assert _invariants(url) == {}
        assert state == old, f"tables changed by another partition's load: {sorted(k for k in state if state[k] != old[k])}"
    finally:
        drop_clone(url)
