"""The chat UI: pure HTML rendering apart from the Gradio wiring."""
