"""Outcome statistics, reports and anonymised funder exports: aggregates only."""
