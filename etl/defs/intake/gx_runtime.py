"""Great Expectations, imported lazily and set up once per process.

GX takes seconds to import, so nothing imports it at module level: the first validation pays, the
rest reuse one ephemeral context (no files, no stores on disk), one pandas data source and one
batch definition. Analytics are off (set before the import, as GX reads it then) and progress bars
are off through GX's own configuration, so a validation never writes to the terminal.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pandas as pd

from etl.defs.intake import helper_columns as h
from etl.defs.intake.paths import EXPECTATIONS_DIR

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite, ExpectationSuiteValidationResult

_LOCK = threading.Lock()


def import_gx() -> ModuleType:
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx

    return gx


@dataclass(frozen=True)
class _Runtime:
    gx: ModuleType
    context: Any
    batch_definition: Any


@cache
def _runtime() -> _Runtime:
    gx = import_gx()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        # No data-docs site: GX would otherwise reserve a temporary directory for one.
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    source = context.data_sources.add_pandas("intake")
    batch_definition = source.add_dataframe_asset("extract").add_batch_definition_whole_dataframe("whole")
    return _Runtime(gx, context, batch_definition)


def suite_path(institution: str):
    return EXPECTATIONS_DIR / f"{institution}.json"


@cache
def load_suite(institution: str) -> ExpectationSuite:
    """The stored suite of an institution (expectations/<INSTITUTION>.json)."""
    gx = _runtime().gx
    stored = json.loads(suite_path(institution).read_text(encoding="utf-8"))
    suite = gx.ExpectationSuite(**stored)
    # GX drops an invalid expectation with only a log line; a missing check must be loud.
    if len(suite.expectations) != len(stored["expectations"]):
        raise RuntimeError(f"expectations/{institution}.json holds expectations GX cannot load")
    return suite


def run_suite(institution: str, frame: pd.DataFrame, parameters: dict[str, int]) -> ExpectationSuiteValidationResult:
    """Validate the prepared frame. Failing rows are identified by row numbers, never by values."""
    runtime = _runtime()
    suite = load_suite(institution)
    result_format = {
        "result_format": "COMPLETE",
        "unexpected_index_column_names": [h.FILE_ROW, h.SOURCE_ROW],
        "partial_unexpected_count": 0,
        "return_unexpected_index_query": False,
    }
    # The context and batch definition are shared: one validation at a time.
    with _LOCK:
        batch = runtime.batch_definition.get_batch(batch_parameters={"dataframe": frame})
        return batch.validate(suite, expectation_parameters=parameters, result_format=result_format)
