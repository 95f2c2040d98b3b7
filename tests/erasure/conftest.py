"""Erasure tests reuse the encryption tests' full record (every encrypted field filled)."""

import pytest

from tests.encryption.conftest import build_full_record  # noqa: F401  (re-exported fixture helper)


@pytest.fixture
def record_builder(enterprise, unit, manager, supervisor, agency, case_officer, instrument):
    def build(tag: str):
        return build_full_record(
            tag=tag,
            enterprise=enterprise,
            unit=unit,
            manager=manager,
            supervisor=supervisor,
            agency=agency,
            case_officer=case_officer,
            instrument=instrument,
        )

    return build
