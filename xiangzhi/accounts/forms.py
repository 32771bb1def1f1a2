from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "账号或密码不正确，请重新输入。多次输错后账号会被暂时锁定。",
        "inactive": "该账号已停用，请联系管理员。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "账号"
        self.fields["password"].label = "密码"


class TokenForm(forms.Form):
    name = forms.CharField(label="令牌用途", max_length=60, help_text="例如：县级平台数据对接")


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, with the old password checked by authenticate(): django-axes counts and
    locks wrong guesses there as at the login page, and each is audited as a failed login (a
    PC left logged in must not let anyone guess the owner's password at leisure)."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old = self.cleaned_data["old_password"]
        found = authenticate(self.request, username=self.user.get_username(), password=old)
        if found is None or found.pk != self.user.pk:
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old
