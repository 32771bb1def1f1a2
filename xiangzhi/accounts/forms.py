from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "账号或密码不正确,请重新输入。多次输错后账号会被暂时锁定。",
        "inactive": "该账号已停用,请联系管理员。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "账号"
        self.fields["password"].label = "密码"


class TokenForm(forms.Form):
    name = forms.CharField(label="令牌用途", max_length=60, help_text="例如:县级平台数据对接")
