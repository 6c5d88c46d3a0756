"""The `ingest_month` job under Dagster's multiprocess executor: every step in a process of its own,
a persistent instance on disk, real PostgreSQL; the same warehouse as an in-process run."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
import pytest

from etl.config import load_settings
from etl.infra.dagster_instance import get_instance
from etl.partitions import partition_key
from tests.pipeline.helpers import QUIET, count, truth_rows, upload
from tests.reliability.conftest import state_after_one_ingest
from tests.reliability.multiprocess_target import ingest_month_job
from tests.reliability.state import snapshot

STEPS = {"raw_extract", "staging_victim_record", "core_victim_record"}
# forkserver with the code location preloaded: each step still runs in its own process, but
# forked from one that imported Dagster and the pipeline once (a fresh interpreter per step
# spends most of its time importing).
MULTIPROCESS = {
    **QUIET,
    "execution": {"config": {"multiprocess": {
        "max_concurrent": 2,
        "start_method": {"forkserver": {"preload_modules": ["etl.definitions"]}},
    }}},
}


def test_ingest_month_with_multiprocess_executor(
    pipeline_env: str, shared_samples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert upload(shared_samples / "MP" / "2025-05.csv", "MP", "2025-05").accepted
    in_process = state_after_one_ingest(monkeypatch, pipeline_env, "MP", "2025-05", prefix="obs_rel_mp_ref")

    key = partition_key("MP", "2025-05")
    started = time.perf_counter()
    # The instance the CLI and `dagster dev` share (sqlite under $OBSERVATORIO_HOME/dagster here).
    with get_instance(load_settings()) as instance:
        result = dg.execute_job(
            dg.reconstructable(ingest_month_job), instance=instance, run_config=MULTIPROCESS,
            tags={"dagster/partition": str(key)},
        )
        seconds = time.perf_counter() - started
        assert result.success
        starts = [e for e in instance.all_logs(result.run_id) if e.dagster_event and e.dagster_event.event_type_value == "STEP_START"]
        run = instance.get_run_by_id(result.run_id)
    step_pids = {e.dagster_event.step_key: e.dagster_event.pid for e in starts}
    print(f"\nmultiprocess executor: {seconds:.1f} s, step processes {step_pids}, pytest pid {os.getpid()}")
    assert set(step_pids) == STEPS
    assert os.getpid() not in step_pids.values() and len(set(step_pids.values())) == len(STEPS)
    assert run.tags["dagster/partition"] == str(key)

    state, broken = snapshot(pipeline_env)
    assert broken == {}
    assert count("SELECT count(*) FROM core.fact_victim_record") == len(truth_rows(shared_samples, "MP", "2025-05"))
    assert state == in_process
