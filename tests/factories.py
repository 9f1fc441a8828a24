import factory

from accounts import idcard, services
from accounts.choices import Role
from accounts.models import User

PASSWORD = "correct-horse-battery"


def valid_id_number(n):
    """A checksum-valid number: Hangzhou Xihu district, born 1985-1994, sequence n."""
    first17 = f"330106{1985 + n % 10}0{1 + n % 9}1{n % 10}{n % 1000:03d}"
    return first17 + idcard.check_character(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    real_name = factory.Faker("name", locale="zh_CN")
    id_number = factory.Sequence(valid_id_number)
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    employer = "杭州恒泰化工有限公司"
    roles = (Role.CANDIDATE,)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.user_create(password=PASSWORD, **kwargs)
