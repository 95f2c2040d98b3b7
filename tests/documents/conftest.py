"""Fixtures for documents: a participant with a placement, an upload helper, and an
S3-compatible server (moto's server mode, started here) for the storage tests."""

import io
from datetime import date

import pytest

from documents.models import Document
from documents.services import document_upload


@pytest.fixture
def upload(participant, manager):
    """``upload(data, name, kind=…, user=…)`` → the Document, through the service."""

    def make(
        data: bytes, name: str = "beslut.pdf", *, kind=Document.Kind.DECISION, user=None, **fields
    ):
        return document_upload(
            participant=participant,
            file=io.BytesIO(data),
            file_name=name,
            kind=kind,
            document_date=fields.pop("document_date", date(2026, 3, 2)),
            acting_user=user or manager,
            **fields,
        )

    return make


def content_of(document) -> bytes:
    from documents.files import document_content

    return b"".join(document_content(document))


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on a free local port, for the whole run."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_storage(s3_server, settings, monkeypatch):
    """The documents storage pointed at a fresh bucket on the moto server."""
    import uuid

    import boto3

    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "eu-north-1"),
    ):
        monkeypatch.setenv(name, value)
    bucket = f"stegvis-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_server, region_name="eu-north-1")
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"}
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_server,
                "region_name": "eu-north-1",
                "default_acl": "private",
                "file_overwrite": False,
            },
        },
    }
    return client, bucket
