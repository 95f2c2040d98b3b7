"""Bench-only models: the same note three times, with our encrypted field, a
plain TextField and django-fernet-encrypted-fields. Installed by bench.settings
only. No foreign-key constraint: the test database creates these unmigrated
tables before the migrated ones they would point at (same for all three)."""

import uuid

from django.db import models
from encrypted_fields.fields import EncryptedTextField as FernetTextField

from encryption.fields import EncryptedTextField
from encryption.models import DataKey


class EncryptedNote(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    data_key = models.ForeignKey(
        DataKey, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    date = models.DateField()
    kind = models.CharField(max_length=16)
    text = EncryptedTextField()

    class Meta:
        app_label = "bench"

    def __str__(self) -> str:
        return f"EncryptedNote {self.id}"


class PlainNote(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    data_key = models.ForeignKey(
        DataKey, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    date = models.DateField()
    kind = models.CharField(max_length=16)
    text = models.TextField()

    class Meta:
        app_label = "bench"

    def __str__(self) -> str:
        return f"PlainNote {self.id}"


class FernetNote(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    data_key = models.ForeignKey(
        DataKey, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    date = models.DateField()
    kind = models.CharField(max_length=16)
    text = FernetTextField()

    class Meta:
        app_label = "bench"

    def __str__(self) -> str:
        return f"FernetNote {self.id}"
