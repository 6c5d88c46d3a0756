"""Statistical disclosure control for the observatory's published count tables.

Rules, limits and how the publication assets must use this package: README.md beside this file.
"""

from .audit import AuditReport, AuditSettings, CellAudit, audit_publication
from .coarsening import CoarseningPlan, coarsen_if_mostly_suppressed, coarser_spec, protect_with_coarsening
from .differencing import (
    DifferencingReport,
    DifferencingViolation,
    FilterDimension,
    FilterQuery,
    check_differences,
    check_revisions,
    compose_from_table,
    enumerate_queries,
    evaluate_queries,
)
from .dp import BudgetExceededError, LedgerEntry, PrivacyLedger, noisy_totals
from .hierarchy import COARSENING_HIERARCHY, REGION_LABELS_ES, REGION_OF_DEPARTMENT, TIME_ATTRIBUTES
from .protect import Publication, protect, tabulate
from .specs import DEFAULT_K, WITHHELD_REASON_LABELS_ES, ProtectionRule, TableSpec

__all__ = [
    "COARSENING_HIERARCHY",
    "DEFAULT_K",
    "REGION_LABELS_ES",
    "REGION_OF_DEPARTMENT",
    "TIME_ATTRIBUTES",
    "WITHHELD_REASON_LABELS_ES",
    "AuditReport",
    "AuditSettings",
    "BudgetExceededError",
    "CellAudit",
    "CoarseningPlan",
    "DifferencingReport",
    "DifferencingViolation",
    "FilterDimension",
    "FilterQuery",
    "LedgerEntry",
    "PrivacyLedger",
    "ProtectionRule",
    "Publication",
    "TableSpec",
    "audit_publication",
    "check_differences",
    "check_revisions",
    "coarsen_if_mostly_suppressed",
    "coarser_spec",
    "compose_from_table",
    "enumerate_queries",
    "evaluate_queries",
    "noisy_totals",
    "protect",
    "protect_with_coarsening",
    "tabulate",
]
