import pytest

from tests.reports.data import build_dataset


@pytest.fixture
def dataset(enterprise, other_enterprise, manager, supervisor, other_supervisor):
    return build_dataset(enterprise, other_enterprise, manager, supervisor, other_supervisor)
