from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

User = get_user_model()


class MatchingPasswords:
    """The password/password2 check. DRF runs validate() only once every field is valid on its own,
    so a taken email with mismatched passwords reports the email alone, as in the tutorial."""

    def validate(self, attrs):
        if attrs["password"] != attrs["password2"]:
            raise serializers.ValidationError({"password2": "Password fields did not match"})
        return attrs


class SignUpSerializer(MatchingPasswords, serializers.ModelSerializer):
    # Declared, so the model's max_length=50 is not copied in (see models.User.email).
    email = serializers.EmailField(validators=[UniqueValidator(queryset=User.objects.all())])
    # validate_password runs without a user, so the similarity validator never fires.
    password = serializers.CharField(write_only=True, validators=[validate_password])
    password2 = serializers.CharField(write_only=True)

    class Meta:
        model = User
        fields = ["email", "password", "password2"]

    def create(self, validated_data):
        return User.objects.create_user(validated_data["email"], validated_data["password"])


class PasswordChangeSerializer(MatchingPasswords, serializers.ModelSerializer):
    old_password = serializers.CharField(write_only=True)
    password = serializers.CharField(write_only=True, validators=[validate_password])
    password2 = serializers.CharField(write_only=True)

    class Meta:
        model = User
        fields = ["old_password", "password", "password2"]

    def validate_old_password(self, value):
        if not self.context["request"].user.check_password(value):
            # A dict raised from a field validator nests: clients see
            # {"old_password": {"old_password": "..."}}. The tutorial answers so; kept for them.
            raise serializers.ValidationError({"old_password": "Old password is incorrect"})
        return value

    def update(self, user, validated_data):
        # The user's tokens stay valid, as with the tutorial: DOT 1.7 does not tie them to the password.
        user.set_password(validated_data["password"])
        user.save(update_fields=["password"])
        return user
