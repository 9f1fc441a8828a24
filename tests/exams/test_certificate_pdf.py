"""
The certificate PDF as an employer or inspector sees it: A4 landscape, a CJK
serif font embedded, the holder's name (rare characters included), masked ID,
photo, the bureau's seal, and a QR code that opens the verification page.

PDFs are read back with poppler-utils (pdffonts, pdftotext, pdfimages,
pdftoppm); the QR code is decoded by OpenCV from the rasterised page, as a
phone would; the rare character is compared, pixel for pixel, with the glyph
FreeType draws from the font file.
"""

import io
import re
import subprocess
from urllib.parse import parse_qs, urlsplit

import cv2
import numpy as np
import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

from accounts.models import User
from exams import certificate_pdf, certificates
from exams.models import Certificate, CertificateSettings
from tests.exams.certificate_fixtures import an_exam, graded_attempt
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RARE = "\U000210c1"  # 𡃁, CJK Extension B: outside the Basic Multilingual Plane
SERIF_BOLD = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"


@pytest.fixture(autouse=True)
def no_files_left(db):
    yield
    for certificate in Certificate.objects.exclude(pdf=""):
        certificate.pdf.delete(save=False)
    for person in User.objects.exclude(photo=""):
        person.photo.delete(save=False)


def png(size, draw):
    image = Image.new("RGBA", size, (255, 255, 255, 0))
    draw(ImageDraw.Draw(image))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def seal(db):
    data = png(
        (240, 240), lambda d: d.ellipse((8, 8, 232, 232), outline=(200, 0, 0, 255), width=12)
    )
    config = CertificateSettings.load()
    config.seal.save("seal.png", ContentFile(data), save=False)
    config.signatory = "张卫东"
    config.save()
    yield config.seal
    config.seal.delete(save=False)


def issued(name, *, photo=None):
    """A certificate of `name`, with a registered photo of `photo` pixels if given."""
    holder = UserFactory(real_name=name)
    if photo:
        jpeg = io.BytesIO()
        noise = np.random.default_rng(9).integers(0, 255, (photo[1], photo[0], 3), dtype=np.uint8)
        Image.fromarray(noise).save(jpeg, format="JPEG")
        holder.photo.save("holder.jpg", ContentFile(jpeg.getvalue()))
    certificate = certificates.issue_and_render(attempt_id=graded_attempt(holder, an_exam()).pk)
    return certificate


def run(*command):
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def pdf_of(tmp_path):
    def save(certificate):
        path = tmp_path / f"{certificate.pk}.pdf"
        path.write_bytes(certificate.pdf.read())
        return path

    return save


def raster(path, tmp_path, dpi):
    run(
        "pdftoppm",
        "-r",
        str(dpi),
        "-gray",
        "-png",
        "-singlefile",
        str(path),
        str(tmp_path / "page"),
    )
    return Image.open(tmp_path / "page.png").convert("L")


# ---------------------------------------------------------------------------
# What is printed
# ---------------------------------------------------------------------------


def test_it_is_one_a4_landscape_page(pdf_of):
    info = run("pdfinfo", str(pdf_of(issued("李秀英"))))

    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE)
    assert re.search(r"^Page size:\s+841\.\d+ x 595\.\d+ pts \(A4\)", info, re.MULTILINE)


def test_it_embeds_the_cjk_serif_font(pdf_of):
    fonts = run("pdffonts", str(pdf_of(issued("李秀英"))))

    serif = [line for line in fonts.splitlines() if "Noto-Serif-CJK" in line]
    assert serif, fonts
    # columns: name, type…, encoding, emb, sub, uni
    assert all(line.split()[-5] == "yes" for line in serif), fonts


def test_the_text_shows_name_number_masked_id_exam_dates_and_the_bureau(pdf_of, seal):
    certificate = issued("李秀英")
    text = run("pdftotext", str(pdf_of(certificate)), "-")
    holder = certificate.holder

    assert "李秀英" in text.replace(" ", "")
    assert certificate.number in text
    assert holder.id_number_masked in text and holder.id_number not in text
    assert "有限空间作业安全考试" in text
    assert certificate.issued_on.isoformat() in text and certificate.expires_on.isoformat() in text
    assert "杭州市西湖区应急管理局" in text and "张卫东" in text
    assert "安全生产培训合格证" in text.replace(" ", "")


def test_it_prints_the_registered_photo_and_the_seal(pdf_of, seal):
    images = run("pdfimages", "-list", str(pdf_of(issued("李秀英", photo=(300, 400)))))

    sizes = {tuple(line.split()[3:5]) for line in images.splitlines()[2:]}
    assert ("300", "400") in sizes  # the photo
    assert ("240", "240") in sizes  # the seal


def test_a_phones_full_size_photo_is_printed_scaled_down(pdf_of):
    certificate = issued("李秀英", photo=(3000, 4000))
    path = pdf_of(certificate)

    images = run("pdfimages", "-list", str(path))
    assert ("600", "800") in {tuple(line.split()[3:5]) for line in images.splitlines()[2:]}
    assert path.stat().st_size < 1_000_000


def test_the_qr_code_opens_the_verification_page_which_says_valid(pdf_of, tmp_path, client):
    certificate = issued("李秀英")
    pdf = pdf_of(certificate)

    page = np.array(raster(pdf, tmp_path, dpi=150))

    # OpenCV's ArUco-based detector: its classic QRCodeDetector misses about
    # one code in thirty of these at any scale (tried: 150, 200 and 300 dpi),
    # which a phone's scanner reads at once.
    url, _points, _straight = cv2.QRCodeDetectorAruco().detectAndDecode(page)

    assert url == certificates.verification_url(certificate)
    token = parse_qs(urlsplit(url).query)["t"][0]
    assert certificates.verify(token=token).state == "valid"
    response = client.get(f"{urlsplit(url).path}?{urlsplit(url).query}")
    assert response.status_code == 200
    assert response.context["result"].state == "valid"
    assert "李*英" in response.content.decode()


def test_it_is_stored_and_not_rendered_again_on_download(pdf_of):
    certificate = issued("李秀英")
    name, rendered_at = certificate.pdf.name, certificate.rendered_at

    again = certificates.issue_and_render(attempt_id=certificate.attempt_id)

    assert (again.pdf.name, again.rendered_at) == (name, rendered_at)


def test_the_font_configuration_is_built_once_per_process():
    assert certificate_pdf.font_config() is certificate_pdf.font_config()


# ---------------------------------------------------------------------------
# A rare character in a name (CJK Extension B) is drawn, not dropped
# ---------------------------------------------------------------------------


def ink(image):
    """The drawn part of a greyscale glyph image, scaled to 64×64 booleans."""
    dark = np.array(image) < 128
    rows, columns = np.nonzero(dark)
    assert len(rows), "nothing is drawn there"
    dark = dark[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]
    scaled = Image.fromarray(dark.astype(np.uint8) * 255).resize((64, 64))
    return np.array(scaled) > 127


def reference_glyph(character):
    """`character` as FreeType draws it from Noto Serif CJK SC Bold (the name's face)."""
    font = ImageFont.truetype(SERIF_BOLD, 200, index=2)
    assert font.getname() == ("Noto Serif CJK SC", "Bold")
    image = Image.new("L", (320, 320), 255)
    ImageDraw.Draw(image).text((40, 20), character, font=font, fill=0)
    return ink(image)


def overlap(a, b):
    return (a & b).sum() / (a | b).sum()


def test_a_rare_character_in_a_name_is_drawn_with_its_own_glyph(pdf_of, tmp_path):
    # The installed serif face covers U+210C1, and that face is embedded.
    assert "Noto Serif CJK SC" in run("fc-list", ":charset=210c1", "family")
    path = pdf_of(issued(RARE))
    assert "Noto-Serif-CJK-SC-Bold" in run("pdffonts", str(path))
    # The text layer has the character itself (not a replacement or nothing).
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        run("pdftotext", "-bbox", str(path), "-"),
    )
    (box,) = [tuple(map(float, word[:4])) for word in words if word[4] == RARE]

    # Where the text layer puts it, the page shows 𡃁's shape, not the .notdef
    # box and not another character.
    dpi = 300
    scale = dpi / 72
    drawn = ink(raster(path, tmp_path, dpi).crop(tuple(round(v * scale) for v in box)))
    like_itself = overlap(drawn, reference_glyph(RARE))
    assert like_itself > 0.7
    for other in ("\ue000", "口", "英"):  # .notdef (no glyph in the font) and two others
        assert like_itself > overlap(drawn, reference_glyph(other)) + 0.3
