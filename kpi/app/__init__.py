"""Streamlit-only helpers: theme, caching by revision, tables, sign-in and editors."""
