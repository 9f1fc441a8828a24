"""
Pictures, PDFs and a video for the demo site, made on the spot: nothing is
downloaded. Posters are drawn with Pillow in the Noto CJK font that `make run`
installs; the leaflet and the regulation are rendered by WeasyPrint; the video
is written by OpenCV as VP8 WebM, which browsers play natively.
"""

import io
import math
import tempfile
from pathlib import Path

import cv2
import numpy as np
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

FONT_DIR = Path("/usr/share/fonts/opentype/noto")


def _font(size, bold=True):
    name = "NotoSansCJK-Bold.ttc" if bold else "NotoSansCJK-Regular.ttc"
    try:
        return ImageFont.truetype(str(FONT_DIR / name), size)
    except OSError:  # no CJK font installed: a plain poster is still a poster
        return ImageFont.load_default(size)


def poster_png(title, subtitle, colours, size=(1200, 675)):
    """A campaign-style poster: a gradient, a warning sign, a title and a subtitle."""
    width, height = size
    top, bottom = colours
    gradient = np.linspace(0, 1, height)[:, None, None]
    pixels = (np.array(top) * (1 - gradient) + np.array(bottom) * gradient).astype(np.uint8)
    image = PILImage.fromarray(np.repeat(pixels, width, axis=1), "RGB")
    draw = ImageDraw.Draw(image)
    # A warning triangle, the universal safety sign.
    cx, cy, r = width - 220, height // 2, 150
    points = [
        (cx + r * math.cos(math.radians(a)), cy + r * math.sin(math.radians(a)))
        for a in (-90, 30, 150)
    ]
    draw.polygon(points, fill=(255, 204, 0), outline=(20, 20, 20), width=10)
    draw.text((cx, cy + 25), "!", font=_font(170), fill=(20, 20, 20), anchor="mm")
    draw.text((70, height // 2 - 70), title, font=_font(76), fill="white", anchor="lm")
    draw.text(
        (72, height // 2 + 50), subtitle, font=_font(38, bold=False), fill="white", anchor="lm"
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def make_image(title, subtitle, colours, *, description=""):
    Image = get_image_model()
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    data = poster_png(title, subtitle, colours)
    image = Image(title=title, description=description or title)
    image.file = ImageFile(io.BytesIO(data), name="poster.png")
    image.save()
    return image


def make_document(title, filename, data):
    Document = get_document_model()
    existing = Document.objects.filter(title=title).first()
    if existing:
        return existing
    document = Document(title=title)
    document.file = ContentFile(data, name=filename)
    document.save()
    return document


def pdf_from_html(html):
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


LEAFLET_HTML = """
<html lang="zh-Hans"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 16mm; }
body { font-family: "Noto Sans CJK SC", sans-serif; color: #1a1a1a; }
h1 { color: #b33c00; font-size: 26pt; margin: 0 0 4mm; }
h2 { color: #0b3d91; border-bottom: 2px solid #0b3d91; padding-bottom: 1mm; }
li { margin-bottom: 2mm; line-height: 1.6; }
.box { border: 2px solid #b33c00; padding: 4mm; margin-top: 6mm; }
</style></head><body>
<h1>有限空间作业安全须知</h1>
<p>区应急管理局 · 安全生产宣教中心</p>
<h2>作业前</h2>
<ul>
<li>实行作业审批，未经审批不得作业。</li>
<li>先通风、再检测、后作业：氧含量、可燃气体、有毒气体检测合格后方可进入。</li>
<li>配备正压式空气呼吸器、安全带、救援三脚架等防护和救援装备。</li>
</ul>
<h2>作业中</h2>
<ul>
<li>设置专人监护，监护人员不得离岗。</li>
<li>持续通风、持续检测，发现异常立即撤离。</li>
</ul>
<h2>发生事故时</h2>
<ul>
<li>立即报警，严禁盲目施救。</li>
<li>救援人员必须佩戴隔绝式呼吸防护装备。</li>
</ul>
<div class="box">应急电话：119 · 120 · 本单位应急值班电话</div>
</body></html>
"""

REGULATION_HTML = """
<html lang="zh-Hans"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 20mm; }
body { font-family: "Noto Serif CJK SC", serif; line-height: 1.8; }
h1 { text-align: center; font-size: 20pt; }
.note { color: #555; font-size: 10pt; text-align: center; }
</style></head><body>
<h1>中华人民共和国安全生产法（摘录）</h1>
<p class="note">学习资料，以正式公布文本为准</p>
<p><strong>第一条</strong>　为了加强安全生产工作，防止和减少生产安全事故，保障人民群众生命和财产安全，
促进经济社会持续健康发展，制定本法。</p>
<p><strong>第三条</strong>　安全生产工作坚持中国共产党的领导。安全生产工作应当以人为本，坚持人民至上、
生命至上，把保护人民生命安全摆在首位，树牢安全发展理念，坚持安全第一、预防为主、综合治理的方针，
从源头上防范化解重大安全风险。</p>
</body></html>
"""


def leaflet_pdf():
    return make_document(
        "有限空间作业安全须知（宣传单）", "youxian-kongjian-xuzhi.pdf", pdf_from_html(LEAFLET_HTML)
    )


def regulation_pdf():
    return make_document(
        "中华人民共和国安全生产法（摘录）",
        "anquan-shengchan-fa-zhailu.pdf",
        pdf_from_html(REGULATION_HTML),
    )


def drill_video():
    """Ten seconds of an animated 'evacuation route' drawing, as VP8 WebM."""
    Document = get_document_model()
    title = "应急疏散演练示意动画"
    existing = Document.objects.filter(title=title).first()
    if existing:
        return existing
    width, height, fps = 640, 360, 10
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "drill.webm"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"VP80"), fps, (width, height))
        for frame_number in range(fps * 10):
            frame = np.full((height, width, 3), (60, 120, 20), np.uint8)
            cv2.rectangle(frame, (40, 40), (600, 320), (240, 240, 240), 4)
            cv2.rectangle(frame, (560, 150), (600, 230), (0, 160, 0), -1)  # the exit
            x = 60 + (frame_number * 5) % 480
            cv2.circle(frame, (x, 190), 14, (0, 200, 255), -1)  # a person walking out
            cv2.arrowedLine(frame, (80, 260), (540, 260), (255, 255, 255), 3, tipLength=0.05)
            writer.write(frame)
        writer.release()
        return make_document(title, "shusan-yanlian.webm", path.read_bytes())
