"""Model preparation and runtimes: the bundled e5 embedder, the local generator, tokens, prompts."""
