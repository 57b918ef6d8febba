"""Scoring the answerer on gold sets of questions."""
