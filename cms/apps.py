from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site content")

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from cms.cache import invalidate_pages

        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(invalidate_pages, dispatch_uid=f"cms-cache-{signal!r}")
        for model in (get_document_model(), get_image_model()):
            post_save.connect(
                invalidate_pages, sender=model, dispatch_uid=f"cms-cache-save-{model}"
            )
            # A page that becomes password- or login-protected must stop being served
        # to everyone at once.
        for signal in (post_save, post_delete):
            signal.connect(
                invalidate_pages,
                sender="wagtailcore.PageViewRestriction",
                dispatch_uid=f"cms-cache-restriction-{signal!r}",
            )
        post_delete.connect(
            invalidate_pages, sender=model, dispatch_uid=f"cms-cache-delete-{model}"
        )
        post_delete.connect(
            invalidate_pages, sender="wagtailcore.Page", dispatch_uid="cms-cache-page-delete"
        )
