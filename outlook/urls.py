"""The site's addresses: the admin, sign-in, the editor area and the public site."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from assessments import two_factor_views
from assessments.public_views import risk_levels_css

from .health import health

# Signing in and out, and an editorial user's own password: Django's views with the
# site's templates (templates/registration/). The reset email's link starts with SITE_URL,
# as every other email's does. After the password, the second factor for those who use
# it (assessments.two_factor_views).
accounts = [
    path("login/", two_factor_views.SignInView.as_view(), name="login"),
    path("two-factor/code/", two_factor_views.verify, name="two_factor_verify"),
    path("two-factor/", two_factor_views.account, name="two_factor"),
    path("two-factor/set-up/", two_factor_views.setup, name="two_factor_setup"),
    path("two-factor/recovery-codes/", two_factor_views.codes, name="two_factor_codes"),
    path("two-factor/recovery-codes/new/", two_factor_views.new_codes, name="two_factor_new_codes"),
    path("two-factor/off/", two_factor_views.turn_off, name="two_factor_off"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Changing the password needs the second factor too, where the account has one.
    path(
        "password/",
        two_factor_views.account_page()(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            subject_template_name="emails/password_reset_subject.txt",
            email_template_name="emails/password_reset_body.txt",
            extra_email_context={"site_url": settings.SITE_URL},
        ),
        name="password_reset",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    # For a load balancer: is this app server up? (No database: a slow database is not a
    # dead server.)
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/", include(accounts)),
    path("editor/", include("assessments.editor_urls")),
    # Every page's, the editor's too (base.html): the risk levels' colours, which are data.
    path("styles/risk-levels.css", risk_levels_css, name="risk_levels_css"),
    path("", include("assessments.public_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
