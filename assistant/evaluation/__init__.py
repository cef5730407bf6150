"""Evaluation: metrics, scoring of one question, the runner over a question set, reports and plots."""
