"""Indicator marts: materialized views over the star schema (SQL in warehouse/sql/mart)."""
