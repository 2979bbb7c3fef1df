"""Reading files in: source formats, detection, records and problems, the datasets' contracts."""
