"""Demo and benchmark data: ``seed_demo`` and the bulk builders shared with bench/.

Imports every domain app; no domain app imports it.
"""
