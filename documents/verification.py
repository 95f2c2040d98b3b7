"""``verify_encryption`` for documents: a sample of stored files, chunks checked.

For each sampled document the file key must decrypt (with the participant's data
key) and the first and final chunk of its stored object must authenticate under
it; that proves the object exists, belongs to this document and is complete in
length. Documents of a destroyed (crypto-shredded) data key are counted apart.
"""

from django.conf import settings

from encryption.exceptions import DataKeyDestroyed, EncryptionError

from .files import file_key_of, open_stored
from .models import Document
from .streaming import verify_sample

TABLE = "documents: chunks checked"


def verify_documents(report) -> None:
    sample = getattr(settings, "DOCUMENTS_VERIFY_SAMPLE", 500)
    documents = Document.objects.select_related("data_key").order_by("?")[:sample]
    chunks = 0
    for document in documents:
        location = f"{Document._meta.db_table}/{document.pk}/{document.object_name}"
        try:
            key = file_key_of(document)
        except DataKeyDestroyed:
            report.shredded += 1
            continue
        except EncryptionError as error:
            report.failures.append(f"{location}: file key: {error}")
            continue
        try:
            with open_stored(document) as stored:
                chunks += verify_sample(
                    stored, key=key, file_id=document.pk, plaintext_size=document.size
                )
        except Exception as error:  # noqa: BLE001 - each storage back end raises its own errors
            # A missing or unreadable object is a failure to report, like a damaged one.
            report.failures.append(f"{location}: {error}")
    report.tables[TABLE] = chunks
