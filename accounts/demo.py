"""Demo people for seed_demo: one per role, with real-looking details."""

from accounts import idcard
from accounts.choices import Industry, Role
from accounts.models import User
from accounts.services import user_create

DEMO_PASSWORD = "ankang-demo-2026"  # noqa: S105 - printed by seed_demo, demo data only

DEMO_PEOPLE = [
    # username, role, real name, region+birth date+sequence, phone, employer, industry, town
    (
        "candidate",
        Role.CANDIDATE,
        "王建国",
        "33010619850312051",
        "13805710001",
        "杭州恒泰化工有限公司",
        Industry.HAZARDOUS_CHEMICALS,
        "蒋村街道",
    ),
    (
        "candidate2",
        Role.CANDIDATE,
        "李秀英",
        "33010619900707032",
        "13905710002",
        "西溪冷链物流有限公司",
        Industry.AMMONIA_REFRIGERATION,
        "留下街道",
    ),
    (
        "trainer",
        Role.TRAINER,
        "陈志强",
        "33010219780920041",
        "13605710003",
        "区安全生产宣教中心",
        "",
        "北山街道",
    ),
    (
        "proctor",
        Role.PROCTOR,
        "赵丽华",
        "33010319820115062",
        "13705710004",
        "区应急管理局",
        "",
        "文新街道",
    ),
    (
        "centre_admin",
        Role.CENTRE_ADMIN,
        "孙伟",
        "33010519790404013",
        "13505710005",
        "西湖区安全生产考试点",
        "",
        "翠苑街道",
    ),
    (
        "publicity_editor",
        Role.PUBLICITY_EDITOR,
        "周敏",
        "33010619930228024",
        "13305710006",
        "区安全生产宣教中心",
        "",
        "古荡街道",
    ),
    (
        "bureau_admin",
        Role.BUREAU_ADMIN,
        "吴国平",
        "33010619700601015",
        "13105710007",
        "区应急管理局",
        "",
        "灵隐街道",
    ),
]


def demo_id_number(first17):
    return first17 + idcard.check_character(first17)


def seed_people():
    """Create the demo accounts that do not exist yet; return (username, role) pairs."""
    logins = []
    for username, role, name, first17, phone, employer, industry, town in DEMO_PEOPLE:
        if not User.objects.filter(username=username).exists():
            user_create(
                username=username,
                real_name=name,
                password=DEMO_PASSWORD,
                id_number=demo_id_number(first17),
                phone=phone,
                employer=employer,
                industry=industry,
                town=town,
                roles=[role],
            )
        logins.append((username, role.label))
    if not User.objects.filter(username="admin").exists():
        admin = user_create(
            username="admin", real_name="系统管理员", password=DEMO_PASSWORD, roles=[]
        )
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    logins.append(("admin", "superuser"))
    return logins
