"""The demo's proctoring consent policy (run by `manage.py seed_demo`)."""

import datetime

from proctoring.models import ConsentPolicy

POLICY_TEXT = """\
考试期间，系统通过您的摄像头采集以下个人信息：考试开始前的身份核验照片，以及考试过程中约每 30 秒一张的抓拍照片（切换窗口、退出全屏、复制粘贴等情况发生时另行抓拍）。

用途：仅用于核实考生身份、发现并处理考试违纪行为，自动分析人脸数量、画面亮度与清晰度，分析结果由监考员人工复核。

查看范围：本考点的监考员和考点管理员、区应急管理局的考试管理人员；每一次查看都会被记录。

保存期限：考试成绩确定 90 天后，抓拍照片连同文件一并删除；违纪记录和处理决定按考试档案保存。

人脸照片属于敏感个人信息。您可以不同意，但不同意将无法参加需要视频监考的考试，请联系考点另行安排。您可以在“我的成绩”中查看为您保存的抓拍照片。"""


def seed_policy():
    ConsentPolicy.objects.get_or_create(
        version="2026-1",
        defaults={
            "title": "考试视频监考个人信息告知书",
            "text": POLICY_TEXT,
            "in_force_from": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        },
    )
