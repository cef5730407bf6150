"""Ingestion: reading files, cleaning boilerplate, chunking, and the indexer that writes the stores."""
