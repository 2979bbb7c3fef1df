"""What a KPI looks like: the KPI view, the chart spec, narrative and accessible descriptions."""
