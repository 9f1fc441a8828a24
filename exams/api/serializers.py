from rest_framework import serializers

from accounts.choices import Industry
from exams.choices import DuplicatePolicy, QuestionStatus, QuestionType
from exams.models import BlueprintRule, ImportJob, Paper, PaperQuestion, Question, QuestionBank


class BankOutput(serializers.ModelSerializer):
    class Meta:
        model = QuestionBank
        fields = ["id", "name", "owner", "description"]


class QuestionOutput(serializers.ModelSerializer):
    """A question for its authors: with the key and the explanation."""

    tags = serializers.SerializerMethodField()
    answer_display = serializers.CharField(read_only=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "bank",
            "lineage",
            "version",
            "is_current",
            "type",
            "stem",
            "options",
            "answer",
            "answer_display",
            "explanation",
            "difficulty",
            "industry",
            "tags",
            "source",
            "status",
            "created_at",
        ]

    def get_tags(self, question) -> list[str]:
        return sorted(tag.name for tag in question.tags.all())


class QuestionInput(serializers.Serializer):
    bank = serializers.PrimaryKeyRelatedField(queryset=QuestionBank.objects.none())
    type = serializers.ChoiceField(choices=QuestionType.choices)
    stem = serializers.CharField()
    options = serializers.ListField(child=serializers.CharField(), max_length=8, default=list)
    answer = serializers.ListField(child=serializers.IntegerField(min_value=0), min_length=1)
    explanation = serializers.CharField(required=False, allow_blank=True, default="")
    difficulty = serializers.IntegerField(min_value=1, max_value=5, default=3)
    industry = serializers.ChoiceField(
        choices=Industry.choices, required=False, allow_blank=True, default=""
    )
    tags = serializers.ListField(child=serializers.CharField(), default=list)
    source = serializers.CharField(required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=QuestionStatus.choices, default=QuestionStatus.DRAFT)

    def __init__(self, *args, banks=None, **kwargs):
        super().__init__(*args, **kwargs)
        if banks is not None:
            self.fields["bank"].queryset = banks


class QuestionRevision(QuestionInput):
    """A partial change; an active question gets a new version."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)
        self.fields.pop("bank")


class RetireInput(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=1000)


class RetireOutput(serializers.Serializer):
    retired = serializers.IntegerField()


class ImportJobInput(serializers.Serializer):
    bank = serializers.PrimaryKeyRelatedField(queryset=QuestionBank.objects.none())
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=True)
    on_duplicate = serializers.ChoiceField(
        choices=DuplicatePolicy.choices, default=DuplicatePolicy.SKIP
    )
    import_valid_rows = serializers.BooleanField(default=False)

    def __init__(self, *args, banks=None, **kwargs):
        super().__init__(*args, **kwargs)
        if banks is not None:
            self.fields["bank"].queryset = banks


class ImportJobOutput(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "bank",
            "file_name",
            "format",
            "dry_run",
            "on_duplicate",
            "import_valid_rows",
            "status",
            "total",
            "processed",
            "percent",
            "report",
            "created_at",
            "finished_at",
        ]


class RuleOutput(serializers.ModelSerializer):
    class Meta:
        model = BlueprintRule
        fields = ["type", "tags", "industry", "difficulty_min", "difficulty_max", "count", "points"]


class FixedQuestionOutput(serializers.ModelSerializer):
    class Meta:
        model = PaperQuestion
        fields = ["question", "points"]


class PaperOutput(serializers.ModelSerializer):
    rules = RuleOutput(many=True, read_only=True)
    fixed_questions = FixedQuestionOutput(many=True, read_only=True)
    total_points = serializers.DecimalField(max_digits=6, decimal_places=1, read_only=True)

    class Meta:
        model = Paper
        fields = [
            "id",
            "name",
            "kind",
            "banks",
            "total_points",
            "pass_mark",
            "duration_minutes",
            "multiple_choice_scoring",
            "shuffle_questions",
            "shuffle_options",
            "rules",
            "fixed_questions",
        ]


class DrawnQuestionOutput(serializers.Serializer):
    question = serializers.IntegerField(source="question.pk")
    points = serializers.DecimalField(max_digits=5, decimal_places=1)
    option_order = serializers.ListField(child=serializers.IntegerField())
