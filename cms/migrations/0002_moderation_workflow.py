"""
Publishing goes through a moderation workflow approved by the bureau.

Publicity editors (and trainers, for course pages) draft and submit; a bureau
admin approves, which publishes. This replaces Wagtail's default "Moderators
approval" workflow and its two default groups, which Ankang's roles supersede.
"""

from django.db import migrations

BUREAU_ADMIN = "应急管理局管理员"
TASK_NAME = "应急管理局审核"
WORKFLOW_NAME = "宣传与培训内容发布审核"


def create_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    root = Page.objects.get(depth=1)
    WorkflowPage.objects.filter(page=root).delete()
    Workflow.objects.filter(name="Moderators approval").update(active=False)
    Group.objects.filter(name__in=["Moderators", "Editors"]).delete()

    content_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.create(
        name=TASK_NAME, content_type=content_type, active=True
    )
    task.groups.set([Group.objects.get(name=BUREAU_ADMIN)])
    workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=root)


def remove_workflow(apps, schema_editor):
    apps.get_model("wagtailcore", "Workflow").objects.filter(name=WORKFLOW_NAME).delete()
    apps.get_model("wagtailcore", "Task").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("accounts", "0002_roles"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_workflow, remove_workflow)]
