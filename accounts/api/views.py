from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import MeOutputSerializer


class MeApi(APIView):
    @extend_schema(responses=MeOutputSerializer, summary="The signed-in user")
    def get(self, request):
        return Response(MeOutputSerializer(request.user).data)
