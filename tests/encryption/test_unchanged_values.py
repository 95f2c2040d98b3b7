"""Assigning the same value again keeps the stored ciphertext."""

import pytest

from participants.models import Participant


@pytest.mark.django_db
def test_full_clean_and_save_do_not_rewrite_unchanged_ciphertext(participant):
    loaded = Participant.objects.get(pk=participant.pk)
    before = Participant.objects.filter(pk=participant.pk).values_list("given_name", "phone")[0]
    loaded.given_name = loaded.given_name  # what full_clean() does to every field
    loaded.full_clean(exclude=["data_key", "organisation"], validate_constraints=False)
    loaded.save()
    after = Participant.objects.filter(pk=participant.pk).values_list("given_name", "phone")[0]
    assert bytes(after[0]) == bytes(before[0])
    loaded.given_name = loaded.given_name + "x"
    loaded.save()
    changed = Participant.objects.filter(pk=participant.pk).values_list("given_name", flat=True)[0]
    assert bytes(changed) != bytes(before[0])
    assert Participant.objects.get(pk=participant.pk).given_name == participant.given_name + "x"
