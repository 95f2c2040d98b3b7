"""accounts.lookups.InSubqueryFirst: the same rows as ``__in``, in the SQL each
database reads the subquery first with."""

import pytest
from django.db import connection
from django.db.models import F, Q

from accounts.lookups import InSubqueryFirst
from accounts.models import Organisation, Unit
from tests.factories import OrganisationFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    falun = OrganisationFactory(municipality="Falun")
    borlange = OrganisationFactory(municipality="Borlänge")
    mora = OrganisationFactory(municipality="Mora")
    return {
        "falun": [UnitFactory(organisation=falun), UnitFactory(organisation=falun)],
        "borlange": [UnitFactory(organisation=borlange)],
        "mora": [UnitFactory(organisation=mora, name="Snickeriet")],
    }


def _ids(queryset) -> set:
    return set(queryset.values_list("pk", flat=True))


def test_same_rows_as_in(units):
    organisations = Organisation.objects.filter(municipality__in=["Falun", "Borlänge"])
    first = Unit.objects.filter(InSubqueryFirst(F("organisation_id"), organisations.values("pk")))
    plain = Unit.objects.filter(organisation_id__in=organisations.values("pk"))
    assert _ids(first) == _ids(plain) == {u.pk for u in units["falun"] + units["borlange"]}


def test_inside_an_or(units):
    organisations = Organisation.objects.filter(municipality="Falun")
    either = Unit.objects.filter(
        Q(name="Snickeriet") | Q(InSubqueryFirst(F("organisation_id"), organisations.values("pk")))
    )
    assert _ids(either) == {u.pk for u in units["falun"] + units["mora"]}


def test_empty_subquery_matches_nothing(units):
    nobody = Organisation.objects.filter(municipality="Kiruna").values("pk")
    assert _ids(Unit.objects.filter(InSubqueryFirst(F("organisation_id"), nobody))) == set()
    empty_list = Organisation.objects.filter(pk__in=[]).values("pk")
    assert _ids(Unit.objects.filter(InSubqueryFirst(F("organisation_id"), empty_list))) == set()
    # Inside an OR the empty side drops out and the other side still counts.
    either = Unit.objects.filter(
        Q(name="Snickeriet") | Q(InSubqueryFirst(F("organisation_id"), empty_list))
    )
    assert _ids(either) == {units["mora"][0].pk}


def test_sql_per_database(units):
    organisations = Organisation.objects.filter(municipality="Falun").values("pk")
    sql = str(Unit.objects.filter(InSubqueryFirst(F("organisation_id"), organisations)).query)
    if connection.vendor == "postgresql":
        assert "= ANY(ARRAY(SELECT" in sql
    else:
        assert " IN (SELECT" in sql
        assert "ANY(" not in sql


def test_refuses_a_list():
    with pytest.raises(TypeError):
        InSubqueryFirst(F("organisation_id"), [1, 2])
