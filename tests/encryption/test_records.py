"""Every model with encrypted fields derives from EncryptedRecord and keeps its history.

So the next encrypted model gets the UUID primary key (bound into every
value) and the data key the same way as the others, or fails here.
"""

from django.apps import apps
from django.db import models

from encryption.fields import REGISTRY, origin_model
from encryption.models import DataKey, EncryptedRecord

#: Encrypted records without a history, and why.
WITHOUT_HISTORY = {
    "accounts.TOTPSecret": (
        "a user's second factor: a history would keep every secret they ever had, "
        "and outlive the data key accounts.otp deletes with the row"
    ),
}


def _encrypted_records() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if issubclass(model, EncryptedRecord)]


def test_every_model_with_encrypted_fields_is_an_encrypted_record():
    live = {origin_model(model) for model in REGISTRY}
    outside = sorted(model._meta.label for model in live if not issubclass(model, EncryptedRecord))
    assert not outside, f"derive from encryption.models.EncryptedRecord: {outside}"


def test_every_encrypted_record_keeps_a_history_that_decrypts():
    records = _encrypted_records()
    assert set(WITHOUT_HISTORY) <= {model._meta.label for model in records}
    for model in records:
        label = model._meta.label
        if label in WITHOUT_HISTORY:
            assert not hasattr(model._meta, "simple_history_manager_attribute"), label
            continue
        assert model._meta.simple_history_manager_attribute == "history", label
        historical = model.history.model
        # The history row carries the live row's data key, so it decrypts alone.
        assert historical._meta.get_field("data_key").remote_field.model is DataKey, label
        encrypted = [field.name for field in REGISTRY[model]]
        assert [field.name for field in REGISTRY.get(historical, [])] == encrypted, label


def test_every_encrypted_record_protects_its_data_key():
    for model in _encrypted_records():
        data_key = model._meta.get_field("data_key")
        assert data_key.remote_field.model is DataKey, model._meta.label
        # Keys are destroyed (crypto-shredded) in place, never deleted under a row.
        assert data_key.remote_field.on_delete is models.PROTECT, model._meta.label
        assert data_key.remote_field.related_name == "+", model._meta.label
