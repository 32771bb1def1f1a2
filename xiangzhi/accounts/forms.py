from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from xiangzhi.core.roles import HOUSEHOLD_ROLES, ROLE_RANK, Role
from xiangzhi.core.scope import scope_for

from .selectors import account_nodes, department_list


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

    def clean(self):
        # The one-time password a leader read out must not stay the password: whoever saw it
        # could go on logging in as the owner (hostile review). Nor any old password kept.
        data = super().clean()
        old, new = data.get("old_password"), data.get("new_password2")
        if old and new and old == new:
            self.add_error("new_password2", gettext("新密码不能与原密码（或临时密码）相同"))
        return data


class NodeChoiceField(forms.ModelChoiceField):
    """Grid nodes indented by level, so a long list reads as the tree."""

    def label_from_instance(self, obj):
        return "\u3000" * max(obj.level - 1, 0) + obj.name


def grantable_roles(actor) -> list[tuple[str, str]]:
    """The roles the actor may grant somewhere: ranked at most as high as their highest; 部门人员
    only to one who runs the accounts of a whole township (it reads the township's cases, and
    grant_check refuses it to a leader bound to one village)."""
    scope = scope_for(actor)
    top = max((scope.account_rank_at(p) for p in scope.account_paths), default=0)
    if scope.superuser:
        top = max(ROLE_RANK.values())
    staff = Role.DEPARTMENT_STAFF
    departments = any(
        ROLE_RANK[staff] <= scope.account_rank_at(p) for p in scope.department_staff_paths
    )
    return [
        (value, label)
        for value, label in Role.choices
        if ROLE_RANK[value] <= top and (value != staff or departments)
    ]


class RoleForm(forms.Form):
    """A role on a grid node (and, for department staff, its department)."""

    role = forms.ChoiceField(label="角色")
    node = NodeChoiceField(
        label="所在网格", queryset=None, required=False, help_text="角色管辖的网格节点"
    )
    department = forms.ModelChoiceField(
        label="部门", queryset=None, required=False, help_text="仅部门人员需要选择"
    )

    def __init__(self, *args, actor, household_roles: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        roles = grantable_roles(actor)
        if not household_roles:
            roles = [(v, lab) for v, lab in roles if v not in HOUSEHOLD_ROLES]
        self.fields["role"].choices = roles
        self.fields["node"].queryset = account_nodes(actor=actor)
        self.fields["department"].queryset = department_list()


class AccountCreateForm(RoleForm):
    display_name = forms.CharField(label="姓名", max_length=50, required=False)
    username = forms.CharField(
        label="登录账号",
        max_length=150,
        required=False,
        help_text="可不填：按姓名拼音自动生成，例如 zhangsan",
    )
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)

    field_order = ["display_name", "username", "role", "node", "department"]

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, household_roles=person is not None, **kwargs)
        if person is not None:
            self.fields["display_name"].initial = person.name
            self.fields["node"].help_text = "村民、党员角色自动绑定到其所在户的网格"
            self.fields["person"].initial = person.pk
            if not person.is_party_member:  # the 党员 role is for a member on the register only
                roles = self.fields["role"].choices
                self.fields["role"].choices = [c for c in roles if c[0] != Role.PARTY_MEMBER]
        else:
            self.fields["display_name"].required = True
