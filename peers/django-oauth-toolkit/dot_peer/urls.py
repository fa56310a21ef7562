"""Only the routes a resource server and its users need.

DOT's own `oauth2_provider.urls` would also mount /o/authorize/ and the application-management
pages, which need sessions, templates and an admin login this peer does not have; so the three
token views are mounted one by one, at the paths DOT's urls would give them.
"""
from django.urls import path
from oauth2_provider import views as dot

from users import views as users

urlpatterns = [
    path("users/signup/", users.SignUp.as_view()),
    path("users/password/", users.PasswordChange.as_view()),
    path("o/token/", dot.TokenView.as_view()),
    path("o/revoke_token/", dot.RevokeTokenView.as_view()),
    path("o/introspect/", dot.IntrospectTokenView.as_view()),
]
