"""The Dokument tab in a browser: from the record, upload a PDF through the form,
see it listed, download it (an attachment), then a manager deletes it."""

import pytest

from tests.documents.files import text_pdf

from .steps import screenshot, sign_in

pytestmark = pytest.mark.e2e


def test_upload_download_and_delete_a_document(new_page, world, tmp_path):
    page = new_page()
    sign_in(page, world.manager, world.devices["manager"])
    page.goto(f"/deltagare/{world.attending.pk}/")
    page.get_by_role("navigation", name="Sections of the record").get_by_role(
        "link", name="Documents"
    ).click()
    page.wait_for_url(lambda url: "/dokument/" in url)
    data = text_pdf("Beslut om arbetsträning")
    upload = tmp_path / "Beslut AF.pdf"
    upload.write_bytes(data)
    page.get_by_label("File").set_input_files(str(upload))
    page.get_by_label("Document type").select_option("decision")
    page.get_by_label("Description").fill("Beslut från Arbetsförmedlingen")
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("The document has been saved.").wait_for()
    screenshot(page, "documents-tab")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Beslut AF.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "Beslut AF.pdf"
    assert open(download.path(), "rb").read() == data
    page.get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete the document").click()
    page.get_by_text("The document has been deleted.").wait_for()
    page.get_by_text("No documents yet.").wait_for()
