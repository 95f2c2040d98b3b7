"""Test files made on the fly: PDFs (plain, with a script, with an attachment),
JPEGs with a GPS position in their EXIF, PNGs and HEIC photos."""

import io
from datetime import date

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject
from reportlab.pdfgen import canvas


def text_pdf(text: str = "Beslut om arbetsträning", *, pages: int = 1) -> bytes:
    """A text PDF whose page content is not compressed: ``text`` is in its bytes."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pageCompression=0)
    for page in range(pages):
        pdf.drawString(72, 720, f"{text} {page}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _writer_from(data: bytes) -> PdfWriter:
    writer = PdfWriter(clone_from=io.BytesIO(data))
    return writer


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_javascript() -> bytes:
    """A document-level script in the catalog's /Names tree (what add_js used to write)."""
    writer = _writer_from(text_pdf())
    script = writer._add_object(
        DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('hej');"),
            }
        )
    )
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("hej"), script])})
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(tree)}
    )
    return _bytes(writer)


def pdf_with_open_action() -> bytes:
    writer = _writer_from(text_pdf())
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("calc.exe"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _bytes(writer)


def pdf_with_attachment() -> bytes:
    writer = _writer_from(text_pdf())
    writer.add_attachment("payload.exe", b"MZ not really")
    return _bytes(writer)


GPS = {1: "N", 2: (60.0, 36.0, 25.0), 3: "E", 4: (15.0, 37.0, 55.0)}


def jpeg_with_gps(size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "Kamerafabriken"  # Make
    exif[0x8825] = GPS  # GPSInfo IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(size=(40, 30)) -> bytes:
    image = Image.new("RGBA", size, (0, 120, 200, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def heic(size=(64, 48)) -> bytes:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    image = Image.new("RGB", size, (10, 200, 10))
    out = io.BytesIO()
    image.save(out, format="HEIF")
    return out.getvalue()


TODAY = date(2026, 3, 2)
