from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from xiangzhi.core.scope import scope_for
from xiangzhi.core.web import safe_next

from .access import access_api_token
from .forms import LoginForm, PasswordChangeForm, TokenForm
from .selectors import api_token_list
from .services import (
    api_token_create,
    api_token_revoke,
    user_sessions_end,
    user_set_elder_mode,
)

ELDER_COOKIE_AGE = 365 * 24 * 3600


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_not_required
@require_POST
def elder_mode(request):
    """Turn elder mode on or off with one tap; remembered on the account and in a cookie."""
    enabled = request.POST.get("enabled") == "1"
    if request.user.is_authenticated:
        user_set_elder_mode(actor=request.user, enabled=enabled)
    response = redirect(safe_next(request, "/"))
    response.set_cookie(
        "xz_elder", "1" if enabled else "0", max_age=ELDER_COOKIE_AGE, samesite="Lax"
    )
    return response


def profile(request):
    scope = scope_for(request.user)
    tokens = api_token_list(actor=request.user)
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = api_token_create(actor=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error("name", exc.messages)
        else:
            messages.success(
                request, gettext("令牌已创建，请立即复制保存，离开本页后将无法再次查看。")
            )
            form = TokenForm()
    assignments = request.user.role_assignments.select_related("node", "department")
    return render(
        request,
        "accounts/profile.html",
        {
            "tokens": tokens,
            "form": form,
            "new_token": new_token,
            "assignments": assignments,
            "scope": scope,
            "nav": "profile",
        },
    )


def password_change(request):
    """Change one's own password; other devices are logged out and API tokens revoked."""
    form = PasswordChangeForm(request.user, request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        user = form.save()  # signals.on_user_saved revokes the tokens, audited
        update_session_auth_hash(request, user)  # this session stays; the others end
        messages.success(
            request, gettext("密码已修改。其他设备上的登录已退出，接口令牌已全部停用。")
        )
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "nav": "profile"},
    )


@require_POST
def sessions_end(request):
    """Log out on every other device and revoke every API token."""
    revoked = user_sessions_end(actor=request.user, user=request.user)
    update_session_auth_hash(request, request.user)
    messages.success(
        request,
        gettext("已退出其他所有设备上的登录，停用接口令牌 %(revoked)s 个。") % {"revoked": revoked},
    )
    return redirect("accounts:profile")


@require_POST
def token_revoke(request, token_id: int):
    token = access_api_token(request.user, token_id, write=True)
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, gettext("令牌已停用。"))
    return redirect("accounts:profile")
