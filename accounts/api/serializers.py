from rest_framework import serializers

from accounts.models import User


class MeOutputSerializer(serializers.ModelSerializer):
    """The signed-in person as the API shows them: the ID number only masked."""

    id_number_masked = serializers.CharField(read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "real_name",
            "id_number_masked",
            "phone",
            "employer",
            "industry",
            "town",
            "roles",
        ]

    def get_roles(self, user) -> list[str]:
        return sorted(user.groups.values_list("name", flat=True))
