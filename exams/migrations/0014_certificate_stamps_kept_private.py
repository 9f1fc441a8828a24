# The seal and the signature move out of Wagtail's image library (whose files
# are public) into private storage, re-encoded on upload. Uploaded again by the
# bureau: a seal in the public library is not carried over.

from django.db import migrations, models

import accounts.models


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0013_certificate_rescore_renewal_by_attempt"),
    ]

    operations = [
        migrations.RemoveField(model_name="certificatesettings", name="seal"),
        migrations.RemoveField(model_name="certificatesettings", name="signature"),
        migrations.AddField(
            model_name="certificatesettings",
            name="seal",
            field=models.ImageField(
                blank=True,
                help_text="The bureau's seal as a PNG with a transparent background. Kept private.",
                storage=accounts.models.private_storage,
                upload_to="certificate-stamps/",
                verbose_name="seal",
            ),
        ),
        migrations.AddField(
            model_name="certificatesettings",
            name="signature",
            field=models.ImageField(
                blank=True,
                help_text=(
                    "A scanned signature as a PNG with a transparent background. Kept private."
                ),
                storage=accounts.models.private_storage,
                upload_to="certificate-stamps/",
                verbose_name="signature",
            ),
        ),
    ]
