"""Briefings: cited documents over many articles."""
