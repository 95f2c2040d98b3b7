"""Outcome statistics, reports and anonymised funder exports (DESIGN.md §7)."""
