"""
The demo site for seed_demo: a home page, the knowledge section with articles
across the key industries, two campaigns using every block, news, and a
resource library with a PDF leaflet. Chinese first, with English
translations of the sections and of some pages. Safe to run again.
"""

import datetime
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from accounts.choices import Industry
from cms import demo_media
from cms.choices import ArticleKind, CampaignKind, ResourceKind
from cms.models import (
    ArticlePage,
    CampaignIndexPage,
    CampaignPage,
    HomePage,
    KnowledgeIndexPage,
    NewsIndexPage,
    NewsPage,
    Resource,
    ResourceLibraryPage,
)

HOME_ZH = {
    "title": "安康 · 安全生产培训考试平台",
    "intro": "区应急管理局与安全生产宣教中心的从业人员培训、考核发证和安全知识宣传平台。",
}
HOME_EN = {
    "title": "Ankang · Workplace safety training and examination",
    "intro": (
        "Practitioner training, examination, certification and safety publicity of the "
        "district Emergency Management Bureau and its Publicity and Education Centre."
    ),
}


def stream(*blocks):
    return json.dumps(
        [{"type": kind, "value": value} for kind, value in blocks], cls=DjangoJSONEncoder
    )


def paragraph(*paragraphs):
    return ("paragraph", "".join(f"<p>{text}</p>" for text in paragraphs))


def publish(page):
    page.save_revision().publish()
    return page


def child(parent, model, slug, **fields):
    """The child with this slug, created and published the first time."""
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing:
        return existing
    page = parent.add_child(instance=model(slug=slug, locale=parent.locale, **fields))
    return publish(page)


def translate(page, locale, **fields):
    """The page's translation, created from a copy the first time."""
    existing = page.get_translation_or_none(locale)
    if existing:
        return existing
    translation = page.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(translation, name, value)
    return publish(translation)


@transaction.atomic
def seed_site():
    zh = Locale.get_default()
    en, _ = Locale.objects.get_or_create(language_code="en")
    home = HomePage.objects.filter(locale=zh).first()
    if home is None:
        # Wagtail's placeholder "Welcome" page goes: the home page takes its place.
        Page.objects.filter(depth=2).exclude(id__in=HomePage.objects.values("id")).delete()
        home = Page.get_first_root_node().add_child(
            instance=HomePage(slug="home", locale=zh, **HOME_ZH)
        )
        publish(home)
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "安康"},
        )
    translate(home, en, **HOME_EN)

    media = seed_media()
    knowledge = seed_knowledge(home, media)
    campaigns = seed_campaigns(home, media)
    news = seed_news(home, media)
    library = seed_library(home, media)

    translate(
        knowledge,
        en,
        title="Safety knowledge",
        intro="Safety knowledge, case studies and warning education for the key industries.",
    )
    translate(
        campaigns,
        en,
        title="Campaigns",
        intro="Disaster Prevention Day, Safety Production Month and more.",
    )
    translate(news, en, title="News", intro="News from the bureau and the publicity centre.")
    translate(
        library,
        en,
        title="Resources",
        intro="Laws and regulations, leaflets and posters to download.",
    )
    seed_english_pages(en, media)
    return home


def seed_media():
    return {
        "confined": demo_media.make_image(
            "有限空间作业", "先通风 · 再检测 · 后作业", ((11, 61, 145), (8, 33, 80))
        ),
        "chemicals": demo_media.make_image(
            "危险化学品安全", "规范储存 · 严格管理", ((150, 40, 20), (90, 20, 10))
        ),
        "dust": demo_media.make_image(
            "粉尘防爆", "清扫除尘 · 杜绝火源", ((90, 90, 100), (40, 40, 50))
        ),
        "ammonia": demo_media.make_image(
            "涉氨制冷", "防泄漏 · 会处置", ((20, 110, 120), (10, 60, 70))
        ),
        "metallurgy": demo_media.make_image(
            "冶金煤气安全", "监测报警 · 双人作业", ((120, 70, 20), (60, 30, 10))
        ),
        "fire": demo_media.make_image(
            "动火作业", "无证不动火 · 无监护不动火", ((180, 60, 0), (100, 20, 0))
        ),
        "disaster_day": demo_media.make_image(
            "5·12 防灾减灾日", "人人讲安全 · 个个会应急", ((179, 60, 0), (120, 30, 0))
        ),
        "safety_month": demo_media.make_image(
            "安全生产月", "人人讲安全 · 个个会应急", ((11, 61, 145), (0, 90, 60))
        ),
        "drill": demo_media.make_image(
            "应急疏散演练", "熟悉路线 · 有序撤离", ((30, 100, 40), (10, 60, 20))
        ),
        "exhibition": demo_media.make_image(
            "安全宣传展览", "案例警示 · 以案为鉴", ((70, 40, 120), (40, 20, 70))
        ),
        "leaflet": demo_media.leaflet_pdf(),
        "regulation": demo_media.regulation_pdf(),
        "video": demo_media.drill_video(),
    }


ARTICLES = [
    {
        "slug": "confined-space-ventilate-test-work",
        "title": "有限空间作业必须“先通风、再检测、后作业”",
        "kind": ArticleKind.KNOWLEDGE,
        "industry": Industry.CONFINED_SPACES,
        "topics": ["有限空间", "中毒窒息"],
        "image": "confined",
        "summary": "污水井、储罐、地下管道等有限空间内可能积聚有毒有害气体或缺氧，作业前必须通风和检测。",
        "paragraphs": [
            "有限空间是指封闭或部分封闭、进出口受限但人员可以进入，未被设计为固定工作场所，"
            "通风不良，易造成有毒有害、易燃易爆物质积聚或者氧含量不足的空间。",
            "进入有限空间作业前，应当严格执行作业审批制度，做到“先通风、再检测、后作业”，"
            "检测合格后方可进入，作业过程中应当持续通风、持续监测。",
            "作业现场必须设置专人监护。一旦发生事故，严禁盲目施救，应当立即报警，"
            "救援人员佩戴隔绝式呼吸防护装备后方可进入实施救援。",
        ],
    },
    {
        "slug": "hazardous-chemicals-storage",
        "title": "危险化学品储存的五个要点",
        "kind": ArticleKind.KNOWLEDGE,
        "industry": Industry.HAZARDOUS_CHEMICALS,
        "topics": ["危险化学品", "储存"],
        "image": "chemicals",
        "summary": "分类分区、专库专用、双人双锁、定期检查、应急器材齐全，是危化品储存安全的基本要求。",
        "paragraphs": [
            "危险化学品应当储存在专用仓库、专用场地或者专用储存室内，并由专人负责管理。",
            "性质相互抵触的危险化学品不得混存，应按照类别分区、分类储存，保持规定的安全距离。",
            "剧毒化学品以及储存数量构成重大危险源的其他危险化学品，应当在专用仓库内单独存放，"
            "并实行双人收发、双人保管制度。",
        ],
    },
    {
        "slug": "combustible-dust-explosion-prevention",
        "title": "粉尘涉爆企业如何防范粉尘爆炸",
        "kind": ArticleKind.KNOWLEDGE,
        "industry": Industry.COMBUSTIBLE_DUST,
        "topics": ["粉尘防爆", "除尘系统"],
        "image": "dust",
        "summary": "可燃性粉尘在空气中达到一定浓度，遇到点火源就可能发生爆炸。清扫、除尘和控制点火源是关键。",
        "paragraphs": [
            "铝镁粉、木粉、面粉、塑料粉尘等可燃性粉尘与空气混合达到爆炸浓度，遇到火花、高温表面等点火源，"
            "就可能发生粉尘爆炸，并可能引发连续的二次爆炸。",
            "企业应当按规定设置除尘系统并保持有效运行，及时规范清扫作业场所积尘，"
            "严禁用压缩空气吹扫积尘，严禁在粉尘作业区域违规动火。",
        ],
    },
    {
        "slug": "ammonia-leak-response",
        "title": "涉氨制冷企业液氨泄漏的应急处置",
        "kind": ArticleKind.KNOWLEDGE,
        "industry": Industry.AMMONIA_REFRIGERATION,
        "topics": ["液氨", "应急处置"],
        "image": "ammonia",
        "summary": "液氨泄漏会造成中毒和爆炸风险。发现泄漏要迅速报警、疏散、切断泄漏源，佩戴防护装备处置。",
        "paragraphs": [
            "氨是有毒、易燃气体，与空气混合能形成爆炸性混合物。涉氨制冷企业应当配备氨气泄漏报警装置，"
            "并与事故通风装置联锁。",
            "发生泄漏时，现场人员应当立即报警，向上风向疏散；处置人员必须佩戴正压式空气呼吸器和防护服，"
            "在确保安全的前提下关闭阀门、切断泄漏源。",
        ],
    },
    {
        "slug": "metallurgy-gas-area-work",
        "title": "冶金企业煤气区域作业安全",
        "kind": ArticleKind.KNOWLEDGE,
        "industry": Industry.METALLURGY,
        "topics": ["煤气", "动火作业"],
        "image": "metallurgy",
        "summary": "煤气无色无味、毒性大，进入煤气区域必须携带检测报警仪，实行双人作业。",
        "paragraphs": [
            "高炉煤气、转炉煤气中一氧化碳含量高，人员吸入后可迅速中毒。进入煤气区域作业，"
            "应当携带一氧化碳检测报警仪，至少两人同行，一人作业、一人监护。",
            "在煤气设施上动火，必须办理动火作业许可，可靠切断煤气来源并吹扫置换合格。",
        ],
    },
    {
        "slug": "case-sewage-pit-poisoning",
        "title": "案例警示：污水池清淤盲目施救导致多人中毒",
        "kind": ArticleKind.CASE_STUDY,
        "industry": Industry.CONFINED_SPACES,
        "topics": ["有限空间", "事故案例", "中毒窒息"],
        "image": "exhibition",
        "summary": "一名工人进入污水池清淤时晕倒，同事相继下池施救，造成多人中毒。本案例为典型情形的教学改编。",
        "paragraphs": [
            "某企业安排工人对污水池进行清淤作业，未进行作业审批，未通风、未检测，"
            "作业人员未佩戴呼吸防护用品。一名工人下池后不久晕倒，池边的两名同事未采取任何防护措施相继下池施救，"
            "也先后晕倒。",
            "事故直接原因：污水池内积聚高浓度硫化氢等有毒气体，作业人员违规进入并盲目施救。"
            "间接原因：企业未建立有限空间作业审批制度，未对作业人员进行安全培训，未配备检测和救援装备。",
            "警示：有限空间事故中，盲目施救造成的伤亡往往超过最初的事故。遇到有人晕倒，"
            "第一时间报警并在做好防护后再施救。",
        ],
    },
    {
        "slug": "warning-illegal-hot-work-fire",
        "title": "警示教育：违章动火作业引发仓库火灾",
        "kind": ArticleKind.WARNING,
        "industry": Industry.HAZARDOUS_CHEMICALS,
        "topics": ["动火作业", "火灾"],
        "image": "fire",
        "summary": "未办理动火作业许可、未清理可燃物、无人监护，焊接火花引燃仓库内物料。本文为警示教育材料。",
        "paragraphs": [
            "某仓库维修钢结构时，电焊作业人员无特种作业操作证，未办理动火作业许可，"
            "作业前未清理周边可燃物，现场也没有监护人和灭火器材，焊渣引燃堆放的包装材料，火势迅速蔓延。",
            "动火作业必须严格执行“三不动火”：没有经批准的动火作业许可不动火，"
            "防火措施不落实不动火，没有监护人员不动火。",
        ],
    },
]


def seed_knowledge(home, media):
    index = child(
        home,
        KnowledgeIndexPage,
        "knowledge",
        title="安全知识",
        intro="面向重点行业的安全知识、事故案例和警示教育。",
        show_in_menus=True,
    )
    for number, article in enumerate(ARTICLES):
        if ArticlePage.objects.child_of(index).filter(slug=article["slug"]).exists():
            continue
        page = ArticlePage(
            slug=article["slug"],
            locale=index.locale,
            title=article["title"],
            kind=article["kind"],
            industry=article["industry"],
            summary=article["summary"],
            listing_image=media[article["image"]],
            date=timezone.localdate() - datetime.timedelta(days=3 * number),
            author="区安全生产宣教中心",
            body=stream(
                (
                    "image",
                    {
                        "image": media[article["image"]].pk,
                        "caption": article["title"],
                        "alt_text": "",
                        "attribution": "安全生产宣教中心",
                    },
                ),
                paragraph(*article["paragraphs"]),
            ),
        )
        index.add_child(instance=page)
        page.topics.add(*article["topics"])
        publish(page)
    return index


def schedule(start, *items):
    return [
        {
            "date": start + datetime.timedelta(days=offset),
            "time": time,
            "title": title,
            "place": place,
        }
        for offset, time, title, place in items
    ]


def seed_campaigns(home, media):
    index = child(
        home,
        CampaignIndexPage,
        "campaigns",
        title="宣传活动",
        intro="防灾减灾日、安全生产月、国际减灾日和安康杯竞赛。",
        show_in_menus=True,
    )
    today = timezone.localdate()
    next_may = datetime.date(today.year + (today >= datetime.date(today.year, 5, 12)), 5, 12)
    next_june = datetime.date(next_may.year, 6, 1)
    article = ArticlePage.objects.filter(slug="confined-space-ventilate-test-work").first()

    child(
        index,
        CampaignPage,
        f"disaster-prevention-day-{next_may.year}",
        title=f"{next_may.year} 年“5·12”全国防灾减灾日",
        kind=CampaignKind.DISASTER_PREVENTION_DAY,
        theme="人人讲安全、个个会应急——着力提升基层防灾避险能力",
        start_date=next_may - datetime.timedelta(days=5),
        end_date=next_may + datetime.timedelta(days=6),
        organiser="区应急管理局、区安全生产宣教中心",
        summary="防灾减灾宣传周：应急疏散演练、安全知识讲座、宣传展览和线上知识竞答。",
        listing_image=media["disaster_day"],
        body=stream(
            ("heading", {"text": "活动介绍", "level": "h2"}),
            paragraph(
                "每年 5 月 12 日是全国防灾减灾日。宣传周期间，我区将在各街镇开展应急疏散演练、"
                "安全知识讲座和宣传展览，并举办线上防灾减灾知识竞答。"
            ),
            (
                "key_figures",
                {
                    "title": "去年宣传周",
                    "figures": [
                        {"value": "42", "label": "场应急演练"},
                        {"value": "1.8 万", "label": "人次参与"},
                        {"value": "26", "label": "个街镇和园区"},
                    ],
                },
            ),
            (
                "event_schedule",
                {
                    "title": "活动安排",
                    "items": schedule(
                        next_may,
                        (-5, "9:00", "宣传周启动仪式", "区政府广场"),
                        (0, "10:00", "全区应急疏散演练", "各街镇、学校和企业"),
                        (2, "14:00", "有限空间作业安全讲座", "区文化中心报告厅"),
                        (6, "全天", "防灾减灾宣传展览", "区图书馆一楼"),
                    ),
                },
            ),
            (
                "video",
                {
                    "video": media["video"].pk,
                    "poster": media["drill"].pk,
                    "caption": "应急疏散演练示意",
                    "transcript": "听到警报后，沿疏散指示标志方向有序撤离，不乘电梯，到达集合点后清点人数。",
                },
            ),
            (
                "gallery",
                {
                    "title": "往年活动",
                    "images": [
                        {"image": media["drill"].pk, "caption": "企业应急疏散演练"},
                        {"image": media["exhibition"].pk, "caption": "安全宣传展览"},
                        {"image": media["confined"].pk, "caption": "有限空间作业示范"},
                    ],
                },
            ),
            (
                "campaign_quiz",
                {
                    "title": "“5·12”防灾减灾知识竞答",
                    "opens_at": datetime.datetime.combine(next_may, datetime.time(8)),
                    "closes_at": datetime.datetime.combine(
                        next_may + datetime.timedelta(days=6), datetime.time(20)
                    ),
                    "description": "每题限时作答，答完即可看到解析。每人每天可答 2 次。",
                },
            ),
            (
                "call_to_action",
                {
                    "title": "学习有限空间作业安全知识",
                    "text": "污水井、化粪池、储罐……这些地方为什么危险？",
                    "button_label": "去学习",
                    "page": article.pk if article else None,
                    "url": "" if article else "/",
                },
            ),
            (
                "document",
                {
                    "document": media["leaflet"].pk,
                    "title": "",
                    "description": "可打印张贴的宣传单。",
                },
            ),
            (
                "faq",
                {
                    "title": "常见问题",
                    "questions": [
                        {
                            "question": "地震来了，在室内怎么办？",
                            "answer": "<p>就近躲避在坚固的桌子下或承重墙墙角，护住头颈，震后有序撤离，不乘电梯。</p>",
                        },
                        {
                            "question": "企业应急演练多久开展一次？",
                            "answer": "<p>生产经营单位应当按照规定定期组织应急预案演练，并根据演练情况完善预案。</p>",
                        },
                    ],
                },
            ),
            (
                "image",
                {
                    "image": media["disaster_day"].pk,
                    "caption": "宣传周主题海报",
                    "alt_text": "",
                    "attribution": "",
                },
            ),
        ),
    )
    child(
        index,
        CampaignPage,
        f"safety-production-month-{next_june.year}",
        title=f"{next_june.year} 年“安全生产月”",
        kind=CampaignKind.SAFETY_PRODUCTION_MONTH,
        theme="人人讲安全、个个会应急——查找身边安全隐患",
        start_date=next_june,
        end_date=datetime.date(next_june.year, 6, 30),
        organiser="区安全生产委员会办公室",
        summary="六月全月：安全宣传咨询日、隐患排查、警示教育和安康杯知识竞赛。",
        listing_image=media["safety_month"],
        body=stream(
            ("heading", {"text": "活动安排", "level": "h2"}),
            paragraph(
                "安全生产月期间，全区各行业领域集中开展隐患排查整治、警示教育和安全宣传咨询活动。"
            ),
            (
                "event_schedule",
                {
                    "title": "",
                    "items": schedule(
                        next_june,
                        (0, "9:00", "安全生产月启动会", "区应急管理局"),
                        (15, "9:00", "安全宣传咨询日", "人民广场"),
                        (20, "14:00", "事故案例警示教育专场", "区文化中心"),
                    ),
                },
            ),
            (
                "key_figures",
                {
                    "title": "目标",
                    "figures": [
                        {"value": "100%", "label": "重点企业隐患自查"},
                        {"value": "5000", "label": "名从业人员参加培训"},
                    ],
                },
            ),
            (
                "call_to_action",
                {
                    "title": "参加从业人员安全培训",
                    "text": "在线学习，累计学时。",
                    "button_label": "登录学习",
                    "page": None,
                    "url": "/accounts/login/",
                },
            ),
            (
                "document",
                {
                    "document": media["regulation"].pk,
                    "title": "",
                    "description": "学习安全生产法的总则条款。",
                },
            ),
            (
                "gallery",
                {
                    "title": "",
                    "images": [
                        {"image": media["exhibition"].pk, "caption": "警示教育展"},
                        {"image": media["fire"].pk, "caption": "动火作业安全"},
                    ],
                },
            ),
            (
                "faq",
                {
                    "title": "",
                    "questions": [
                        {
                            "question": "安全生产月是哪个月？",
                            "answer": "<p>每年六月是全国“安全生产月”。</p>",
                        }
                    ],
                },
            ),
        ),
    )
    return index


def seed_news(home, media):
    index = child(
        home,
        NewsIndexPage,
        "news",
        title="新闻动态",
        intro="区应急管理局和安全生产宣教中心的工作动态。",
        show_in_menus=True,
    )
    child(
        index,
        NewsPage,
        "confined-space-training-held",
        title="全区有限空间作业安全专题培训举办",
        date=timezone.localdate() - datetime.timedelta(days=10),
        listing_image=media["confined"],
        summary="来自 80 余家企业的安全管理人员参加了培训和实操演示。",
        body=stream(
            paragraph(
                "近日，区应急管理局举办有限空间作业安全专题培训，"
                "来自污水处理、食品加工、市政等行业 80 余家企业的安全管理人员参加培训。",
                "培训结合典型事故案例，讲解了作业审批、通风检测、个体防护和应急救援等要点，"
                "并进行了救援三脚架和正压式空气呼吸器的实操演示。",
            )
        ),
    )
    child(
        index,
        NewsPage,
        "test-centre-inspection",
        title="区应急管理局开展考试点规范化建设检查",
        date=timezone.localdate() - datetime.timedelta(days=20),
        listing_image=media["exhibition"],
        summary="检查组对全区安全生产考试点的视频监控、考场设置和考务管理进行了检查。",
        body=stream(
            paragraph(
                "为提升培训考核质量，区应急管理局对全区安全生产考试点开展规范化建设检查，"
                "重点检查视频监控系统运行、考场座位设置、身份核验和考务档案管理等情况。"
            )
        ),
    )
    return index


def seed_library(home, media):
    library = child(
        home,
        ResourceLibraryPage,
        "resources",
        title="资料下载",
        intro="法律法规、宣传单和海报，欢迎下载使用。",
        show_in_menus=True,
    )
    if not library.resources.exists():
        poster = demo_media.make_document(
            "“5·12”防灾减灾日海报",
            "512-poster.png",
            demo_media.poster_png(
                "5·12 防灾减灾日",
                "人人讲安全 · 个个会应急",
                ((179, 60, 0), (120, 30, 0)),
                size=(1240, 1754),
            ),
        )
        for order, (document, kind, description, cover) in enumerate(
            [
                (media["regulation"], ResourceKind.REGULATION, "安全生产法总则条款摘录。", None),
                (
                    media["leaflet"],
                    ResourceKind.LEAFLET,
                    "A4 宣传单，可直接打印张贴。",
                    media["confined"],
                ),
                (poster, ResourceKind.POSTER, "防灾减灾日宣传海报（PNG）。", media["disaster_day"]),
            ]
        ):
            Resource.objects.create(
                page=library,
                document=document,
                kind=kind,
                description=description,
                cover=cover,
                sort_order=order,
            )
        publish(library)
    return library


def seed_english_pages(en, media):
    """English versions of the 5·12 campaign and one article."""
    campaign = CampaignPage.objects.filter(
        locale__language_code="zh-hans", kind=CampaignKind.DISASTER_PREVENTION_DAY
    ).first()
    if campaign:
        translate(
            campaign,
            en,
            title=f"National Disaster Prevention and Reduction Day {campaign.start_date.year}",
            theme="Everyone talks safety, everyone can respond to emergencies",
            organiser="District Emergency Management Bureau; Safety Production Publicity Centre",
            summary="Evacuation drills, talks, an exhibition and an online knowledge quiz.",
            body=stream(
                ("heading", {"text": "About the week", "level": "h2"}),
                paragraph(
                    "12 May is National Disaster Prevention and Reduction Day. During the week "
                    "every town holds evacuation drills, safety talks and an exhibition, and "
                    "anyone can play the online knowledge quiz."
                ),
                (
                    "document",
                    {
                        "document": media["leaflet"].pk,
                        "title": "Confined-space leaflet",
                        "description": "A leaflet to print (in Chinese).",
                    },
                ),
            ),
        )
    article = ArticlePage.objects.filter(
        locale__language_code="zh-hans", slug="confined-space-ventilate-test-work"
    ).first()
    if article:
        translate(
            article,
            en,
            title="Confined spaces: ventilate, test, then work",
            summary="Sewers, tanks and pits can hold toxic gas or too little oxygen: ventilate and "
            "test before anyone goes in.",
            body=stream(
                paragraph(
                    "A confined space is enclosed or partly enclosed, hard to get in and out of, not "
                    "designed for people to work in, and poorly ventilated, so that toxic or flammable "
                    "gases can build up or oxygen run short.",
                    "Before entry: a work permit, ventilation, and gas testing; keep ventilating and "
                    "testing while people work. An attendant stays outside at all times.",
                    "If someone collapses, call for help. Never go in to rescue without breathing "
                    "apparatus: untrained rescuers are most of the victims.",
                )
            ),
        )
