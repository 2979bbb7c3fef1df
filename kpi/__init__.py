"""Tohoku University International Strategy KPI dashboard: data contract, storage, CLI and app helpers."""
