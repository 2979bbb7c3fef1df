"""KPI computations in pure pandas: the app, the `kpi` CLI and the exports all call these."""
