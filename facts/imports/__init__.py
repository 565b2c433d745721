"""One way in for facts: rows from the API or from a CSV/XLSX file pass the same validator."""
