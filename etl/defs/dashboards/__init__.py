"""Dashboards: Metabase provisioned as code and a static HTML report, both from one spec.

`spec.yaml` and `sql/*.sql` describe the cards (native SQL on the `publication` schema, always
the current release) and the dashboards; `metabase.py` publishes them through Metabase's REST
API, `report.py` renders the same cards into one self-contained HTML file, `bench.py` times them.
"""
