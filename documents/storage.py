"""Where the encrypted objects live: Django's storage alias ``documents``
(settings.STORAGES): the filesystem under var/ by default, S3-compatible object
storage through django-storages in production. Object names are random and say
nothing about the participant, the document or its original name."""

import secrets

from django.core.files.storage import Storage, storages

ALIAS = "documents"
PREFIX = "documents/"


def document_storage() -> Storage:
    return storages[ALIAS]


def new_object_name() -> str:
    token = secrets.token_hex(16)
    return f"{PREFIX}{token[:2]}/{token}"
