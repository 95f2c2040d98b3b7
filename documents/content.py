"""What an uploaded file is, decided from its content, and how it is made safe.

The type comes from the first bytes (never the name or the browser's header)
and must agree with the file name's extension: a file whose extension lies is
refused. PDFs with active content (JavaScript, launch and other actions, an
opening action, embedded files, XFA forms, rich media) are refused. Images are
decoded and encoded again: EXIF (with any GPS position) and other metadata do
not survive; HEIC/HEIF photos from phone cameras become JPEG.
"""

import io
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
HEIC = "image/heic"

#: Extensions (lower case) → the type the content must have.
EXTENSIONS = {
    ".pdf": PDF,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".png": PNG,
    ".heic": HEIC,
    ".heif": HEIC,
}
#: The type stored and served for each accepted type (HEIC is converted).
STORED_TYPE = {PDF: PDF, JPEG: JPEG, PNG: PNG, HEIC: JPEG}
STORED_EXTENSION = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
#: Pillow refuses larger images (decompression bombs); a phone photo is ~50 MP at most.
MAX_IMAGE_PIXELS = 80_000_000
#: Dictionary keys and action types that make a PDF do something when opened or clicked.
_ACTIVE_KEYS = {
    "/JS",
    "/JavaScript",
    "/AA",
    "/EmbeddedFiles",
    "/EmbeddedFile",
    "/RichMedia",
    "/XFA",
}
_ACTIVE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/GoToE",
    "/GoToR",
    "/Rendition",
    "/RichMediaExecute",
    "/Sound",
    "/Movie",
}


def detect(head: bytes) -> str | None:
    """The type of a file from its first bytes (at least 16), or None."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return HEIC
    return None


def claimed_type(file_name: str) -> str | None:
    return EXTENSIONS.get(PurePath(file_name).suffix.lower())


def check_type(head: bytes, file_name: str) -> str:
    """The detected type, if allowed and the same as the extension says; else refuse."""
    detected = detect(head)
    if detected is None:
        raise ValidationError(
            _("The file is not a PDF, JPEG, PNG or HEIC image. Only those can be uploaded."),
            code="type",
        )
    claimed = claimed_type(file_name)
    if claimed != detected:
        raise ValidationError(
            _("The file's name does not match its content. Upload the original file."),
            code="type_mismatch",
        )
    return detected


def refuse_active_pdf(stream) -> None:
    """Raise ValidationError if the PDF (a seekable binary file) is unreadable,
    encrypted or holds active content anywhere in its object graph."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    refused = ValidationError(
        _(
            "The PDF contains active content (scripts, actions or embedded files) and "
            "cannot be stored. Print it to a new PDF and upload that."
        ),
        code="active_pdf",
    )
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _(
                    "The PDF is password protected and cannot be checked. "
                    "Upload an unprotected copy."
                ),
                code="encrypted_pdf",
            )
        seen: set[tuple[int, int]] = set()
        pending: list = [reader.trailer]
        while pending:
            node = pending.pop()
            if isinstance(node, IndirectObject):
                reference = (node.idnum, node.generation)
                if reference in seen:
                    continue
                seen.add(reference)
                node = node.get_object()
            if isinstance(node, DictionaryObject):
                keys = set(node.keys())
                if keys & _ACTIVE_KEYS:
                    raise refused
                action = node.get("/S")
                if action is not None and action.get_object() in _ACTIVE_ACTIONS:
                    raise refused
                opening = node.get("/OpenAction")
                if opening is not None:
                    opening = opening.get_object()
                    # A destination (page and zoom) is harmless; an action is not.
                    if isinstance(opening, DictionaryObject):
                        raise refused
                # Raw values (references unresolved): ``seen`` stops at cycles.
                pending.extend(dict.values(node))
            elif isinstance(node, ArrayObject):
                pending.extend(list.__iter__(node))
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise ValidationError(
            _("The PDF is damaged and cannot be read."), code="damaged_pdf"
        ) from error


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str


def reencode_image(stream, detected: str) -> CleanImage:
    """Decode the image and encode it again without metadata (HEIC becomes JPEG)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if detected == HEIC:
        from pillow_heif import register_heif_opener

        register_heif_opener()
    formats = {JPEG: ["JPEG"], PNG: ["PNG"], HEIC: ["HEIF"]}[detected]
    too_large = ValidationError(_("The image is too large (too many pixels)."), code="image_size")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream, formats=formats) as image:
                # Checked from the header, before the pixels are decoded.
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise too_large
                image.load()
                # The picture the camera meant (rotation from EXIF), then no EXIF at all.
                upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise ValidationError(
            _("The image is damaged and cannot be read."), code="damaged_image"
        ) from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise too_large from error
    out = io.BytesIO()
    if detected == PNG:
        if upright.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
            upright = upright.convert("RGBA")
        clean = Image.new(upright.mode, upright.size)
        if upright.mode == "P":
            clean.putpalette(upright.getpalette() or [])
        clean.paste(upright)
        clean.save(out, format="PNG", optimize=False)
        return CleanImage(out.getvalue(), PNG)
    if upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    clean.save(out, format="JPEG", quality=90)
    return CleanImage(out.getvalue(), JPEG)
