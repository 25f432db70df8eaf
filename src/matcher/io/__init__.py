"""Readers for published benchmark formats."""
