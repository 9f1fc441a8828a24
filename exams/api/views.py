"""
The question-bank API, one view per operation (see exams/api/urls.py).
For authors and staff: questions here carry their keys.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import Industry
from exams import selectors, services
from exams.api.serializers import (
    BankOutput,
    DrawnQuestionOutput,
    ImportJobInput,
    ImportJobOutput,
    PaperOutput,
    QuestionInput,
    QuestionOutput,
    QuestionRevision,
    RetireInput,
    RetireOutput,
)
from exams.choices import QuestionStatus, QuestionType
from exams.models import ImportJob, Paper


class AuthorsOnly(permissions.BasePermission):
    """Reading needs exams.view_question; writing needs exams.add_question."""

    def has_permission(self, request, view):
        needed = (
            "exams.view_question"
            if request.method in permissions.SAFE_METHODS
            else ("exams.add_question")
        )
        return request.user.is_authenticated and request.user.has_perm(needed)


class QuestionFilters(serializers.Serializer):
    bank = serializers.IntegerField(required=False)
    type = serializers.ChoiceField(choices=QuestionType.choices, required=False)
    status = serializers.ChoiceField(choices=QuestionStatus.choices, required=False)
    difficulty = serializers.IntegerField(min_value=1, max_value=5, required=False)
    industry = serializers.ChoiceField(choices=Industry.choices, required=False)


class BankListApi(ListAPIView):
    permission_classes = [AuthorsOnly]
    serializer_class = BankOutput

    def get_queryset(self):
        return selectors.banks_for_author(self.request.user)


class QuestionListApi(APIView):
    permission_classes = [AuthorsOnly]

    @extend_schema(responses=QuestionOutput(many=True), summary="List current questions")
    def get(self, request):
        questions = selectors.questions_for_author(request.user).prefetch_related("tags")
        filters = QuestionFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        for field, value in filters.validated_data.items():
            if value not in ("", None):
                questions = questions.filter(**{field: value})
        if request.query_params.get("tag"):
            questions = questions.filter(tags__name=request.query_params["tag"])
        if request.query_params.get("q"):
            questions = questions.filter(stem__icontains=request.query_params["q"])
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(questions.order_by("-pk"), request, view=self)
        return paginator.get_paginated_response(QuestionOutput(page, many=True).data)

    @extend_schema(
        request=QuestionInput, responses={201: QuestionOutput}, summary="Create a question"
    )
    def post(self, request):
        data = QuestionInput(data=request.data, banks=selectors.banks_for_author(request.user))
        data.is_valid(raise_exception=True)
        question = services.question_create(created_by=request.user, **data.validated_data)
        return Response(QuestionOutput(question).data, status=status.HTTP_201_CREATED)


class QuestionDetailApi(APIView):
    permission_classes = [AuthorsOnly]

    def get_question(self, request, pk):
        return get_object_or_404(selectors.questions_for_author(request.user), pk=pk)

    @extend_schema(responses=QuestionOutput, summary="A question (its current version)")
    def get(self, request, pk):
        return Response(QuestionOutput(self.get_question(request, pk)).data)

    @extend_schema(
        request=QuestionRevision,
        responses=QuestionOutput,
        summary="Change a question (an active one gets a new version)",
    )
    def patch(self, request, pk):
        question = self.get_question(request, pk)
        data = QuestionRevision(data=request.data)
        data.is_valid(raise_exception=True)
        revised = services.question_revise(
            question=question, user=request.user, **data.validated_data
        )
        return Response(QuestionOutput(revised).data)


class QuestionRetireApi(APIView):
    permission_classes = [AuthorsOnly]

    @extend_schema(request=RetireInput, responses=RetireOutput, summary="Retire questions")
    def post(self, request):
        data = RetireInput(data=request.data)
        data.is_valid(raise_exception=True)
        questions = selectors.questions_for_author(request.user).filter(
            pk__in=data.validated_data["ids"]
        )
        return Response({"retired": services.questions_retire(questions=questions)})


class ImportJobCreateApi(APIView):
    permission_classes = [AuthorsOnly]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportJobInput},
        responses={202: ImportJobOutput},
        summary="Upload a question file to check or import (runs in the background)",
    )
    def post(self, request):
        data = ImportJobInput(data=request.data, banks=selectors.banks_for_author(request.user))
        data.is_valid(raise_exception=True)
        values = data.validated_data
        job = services.import_job_create(
            bank=values["bank"],
            uploaded_file=values["file"],
            user=request.user,
            dry_run=values["dry_run"],
            on_duplicate=values["on_duplicate"],
            import_valid_rows=values["import_valid_rows"],
        )
        return Response(ImportJobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class ImportJobDetailApi(APIView):
    permission_classes = [AuthorsOnly]

    @extend_schema(responses=ImportJobOutput, summary="An import job's progress and report")
    def get(self, request, pk):
        job = get_object_or_404(
            ImportJob.objects.filter(bank__in=selectors.banks_for_author(request.user)), pk=pk
        )
        return Response(ImportJobOutput(job).data)


class PaperListApi(ListAPIView):
    permission_classes = [AuthorsOnly]
    serializer_class = PaperOutput
    queryset = Paper.objects.prefetch_related("rules", "fixed_questions", "banks")


class PaperDetailApi(APIView):
    permission_classes = [AuthorsOnly]

    @extend_schema(responses=PaperOutput, summary="A paper with its rules or questions")
    def get(self, request, pk):
        return Response(PaperOutput(get_object_or_404(Paper, pk=pk)).data)


class PaperDrawApi(APIView):
    permission_classes = [AuthorsOnly]

    @extend_schema(
        request=None,
        responses=DrawnQuestionOutput(many=True),
        summary="Preview one random draw of a paper",
    )
    def post(self, request, pk):
        drawn = services.draw_paper(paper=get_object_or_404(Paper, pk=pk))
        return Response(DrawnQuestionOutput(drawn, many=True).data)
