"""The demo site tree for seed_demo: a Chinese home page and its English translation."""

from django.db import transaction
from wagtail.models import Locale, Page, Site

from cms.models import HomePage

HOME_ZH = {
    "title": "安康 · 安全生产培训考试平台",
    "intro": "区应急管理局与安全生产宣教中心的从业人员培训、考核发证和安全知识宣传平台。",
    "body": (
        "<h2>我们做什么</h2>"
        "<p>围绕“防灾减灾日”“安全生产月”“国际减灾日”和“安康杯”竞赛，开展安全生产宣传教育；"
        "面向危险化学品、粉尘涉爆、涉氨制冷、冶金有色、有限空间等重点行业开展从业人员教育培训；"
        "在规范化考点组织考试，通过视频监控和现场巡查提升培训考核质量。</p>"
        "<h2>从业人员</h2>"
        "<p>在线学习课程、累计学时，满足要求后预约考试，凭准考证到考点参加考试，合格后获得电子证书。</p>"
        "<h2>证书查验</h2>"
        "<p>任何单位和个人均可扫描证书二维码，或输入证书编号和姓名，查验证书是否有效。</p>"
    ),
}
HOME_EN = {
    "title": "Ankang · Workplace safety training and examination",
    "intro": (
        "Practitioner training, examination, certification and safety publicity of the "
        "district Emergency Management Bureau and its Publicity and Education Centre."
    ),
    "body": (
        "<h2>What we do</h2>"
        "<p>Safety-education campaigns on Disaster Prevention Day, in Safety Production Month, "
        "on the International Day for Disaster Risk Reduction and for the Ankang Cup; training "
        "for practitioners in hazardous chemicals, combustible dust, ammonia refrigeration, "
        "metallurgy and confined spaces; and examinations at standardised test centres, "
        "supervised by video monitoring and on-site inspection.</p>"
        "<h2>Practitioners</h2>"
        "<p>Study courses online and build up learning hours, book an exam, sit it at a test "
        "centre with your admission ticket, and receive a certificate when you pass.</p>"
        "<h2>Verify a certificate</h2>"
        "<p>Anyone can scan a certificate's QR code, or enter its number and the holder's "
        "name, to check that it is valid.</p>"
    ),
}


@transaction.atomic
def seed_site():
    """Make a HomePage the root of the default site (once), with an English copy."""
    zh = Locale.get_default()
    en, _ = Locale.objects.get_or_create(language_code="en")
    home = HomePage.objects.filter(locale=zh).first()
    if home is None:
        # Wagtail's placeholder "Welcome" page goes: the home page takes its place.
        Page.objects.filter(depth=2).exclude(id__in=HomePage.objects.values("id")).delete()
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(slug="home", locale=zh, **HOME_ZH))
        home.save_revision().publish()
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "安康"},
        )
    if not home.has_translation(en):
        english = home.copy_for_translation(en)
        for field, value in HOME_EN.items():
            setattr(english, field, value)
        english.save_revision().publish()
    return home
