"""Search: hybrid (dense + BM25) ranking of passages, and the lexical index behind it."""
