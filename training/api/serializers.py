from rest_framework import serializers


class StudySessionOutput(serializers.Serializer):
    token = serializers.CharField()
    heartbeat_seconds = serializers.IntegerField()
    idle_limit_seconds = serializers.IntegerField()
    state = serializers.DictField()


class HeartbeatInput(serializers.Serializer):
    """One report from the lesson page. It says what happened, never how much time to credit."""

    sequence = serializers.IntegerField(min_value=1, max_value=2_000_000_000)
    visible = serializers.BooleanField()
    idle_seconds = serializers.FloatField(min_value=0, max_value=10**7)
    at_end = serializers.BooleanField(default=False)
    final = serializers.BooleanField(default=False)
    video_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    video_position = serializers.FloatField(
        min_value=0, max_value=10**6, required=False, allow_null=True
    )
    video_duration = serializers.FloatField(
        min_value=0, max_value=10**6, required=False, allow_null=True
    )
    video_playing = serializers.BooleanField(default=False)


class HeartbeatOutput(serializers.Serializer):
    outcome = serializers.CharField()
    message = serializers.CharField()
    credited_seconds = serializers.FloatField()
    lesson_completed_now = serializers.BooleanField()
    course_completed_now = serializers.BooleanField()
    state = serializers.DictField()


class CheckAnswerInput(serializers.Serializer):
    block_id = serializers.CharField(max_length=64)
    choice = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=25), max_length=26
    )


class CheckAnswerOutput(serializers.Serializer):
    correct = serializers.BooleanField()
    correct_choice = serializers.ListField(child=serializers.IntegerField())
    explanation = serializers.CharField()
    state = serializers.DictField()


class EnrolmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    course = serializers.IntegerField(source="course_id", allow_null=True)
    course_title = serializers.CharField()
    enrolled_at = serializers.DateTimeField()
    hours_credited = serializers.DecimalField(max_digits=6, decimal_places=1)
    completed_at = serializers.DateTimeField(allow_null=True)
