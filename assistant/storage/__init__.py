"""Where articles live: the SQLite catalog, the Chroma vectors, and the checks that keep them paired."""
