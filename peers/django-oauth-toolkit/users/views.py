from rest_framework import generics
from rest_framework.permissions import AllowAny

from .serializers import PasswordChangeSerializer, SignUpSerializer


class SignUp(generics.CreateAPIView):
    """POST email, password, password2: 201 {"email": ...} (the passwords are write-only)."""

    permission_classes = [AllowAny]
    serializer_class = SignUpSerializer


class PasswordChange(generics.UpdateAPIView):
    """PUT old_password, password, password2 with a bearer token: 200 {}."""

    serializer_class = PasswordChangeSerializer

    def get_object(self):
        return self.request.user

    def partial_update(self, request, *args, **kwargs):
        # The tutorial's PATCH is partial, then reads the missing fields and fails with a 500.
        # Here PATCH is PUT: every field required, a missing one is a 400 that names it.
        return self.update(request, *args, **kwargs)
