from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager):
    def create_user(self, email, password):
        # Stored as typed, without normalize_email(): the tutorial's server does not fold case,
        # so `Alice@Example.com` and `alice@example.com` are two accounts, and clients rely on it.
        user = self.model(email=email)
        user.set_password(password)
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    """The tutorial's custom user: the email is the login; there is no username."""

    # 50 as in the tutorial. The sign-up serializer declares its own field, so longer addresses
    # still get in (SQLite does not enforce the length): kept, because the tutorial does the same.
    email = models.EmailField(max_length=50, unique=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    def __str__(self):
        return self.email
