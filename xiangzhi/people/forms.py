from django import forms
from django.utils import timezone

from .models import HouseholdChange, Resident, Tag
from .selectors import head_candidates
from .services import REVEAL_FIELDS, ResidentData
from .services.numbering import check_household_level

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def tag_choices():
    return [(t.code, t.name) for t in Tag.objects.all()]


class ResidentForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(
        label="身份证号",
        max_length=24,
        required=False,
        help_text="18位；旧版15位号码会自动转换。填写后出生日期和性别可不填",
    )
    gender = forms.ChoiceField(
        label="性别", required=False, choices=[("", "由身份证号推算"), *Resident.Gender.choices]
    )
    birth_date = forms.DateField(label="出生日期", required=False, widget=DATE)
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        required=False,
        help_text="11位手机号，或带区号的固定电话（如 0731-1234567）；留空表示没有电话",
        # The telephone keypad: digits and "-" (a numeric one may have no "-" for landlines).
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    relation = forms.ChoiceField(
        label="与户主关系", choices=Resident.Relation.choices, initial=Resident.Relation.CHILD
    )
    ethnicity = forms.CharField(label="民族", max_length=20, required=False, initial="汉族")
    tags = forms.MultipleChoiceField(
        label="标签", required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].choices = tag_choices()

    def to_data(self, *, keep: Resident | None = None) -> ResidentData:
        """The cleaned fields; with `keep`, a number left as its mask keeps the stored number."""
        d = self.cleaned_data
        id_number = (d.get("id_number") or "").strip()
        phone = (d.get("phone") or "").strip()
        if keep is not None:
            if id_number and id_number == keep.id_number_masked:
                id_number = keep.id_number
            if phone and phone == keep.phone_masked:
                phone = keep.phone
        return ResidentData(
            name=d["name"],
            gender=d.get("gender") or "",
            birth_date=d.get("birth_date"),
            id_number=id_number,
            phone=phone,
            relation=d.get("relation") or Resident.Relation.OTHER,
            ethnicity=d.get("ethnicity") or "",
            note=d.get("note") or "",
            tags=list(d.get("tags") or []),
        )

    def keep_masks(self) -> None:
        """Say on an edit form that a masked number stays unless it is typed again in full."""
        for name in ("id_number", "phone"):
            self.fields[
                name
            ].help_text = "显示的是脱敏号码；不修改就保持原号码，如需更改请完整输入新号码"

    def head_only_through_head_change(self, is_head: bool) -> None:
        """Editing a member: who is 户主 changes only on the household's 户主变更 page, which
        also sets the others' relations (the service refuses it here too)."""
        field = self.fields["relation"]
        if is_head:
            field.choices = [(Resident.Relation.HEAD, Resident.Relation.HEAD.label)]
            field.help_text = "更换户主请在该户页面点“户主变更”办理"
        else:
            field.choices = [c for c in field.choices if c[0] != Resident.Relation.HEAD]

    @staticmethod
    def initial_from(resident: Resident) -> dict:
        # The masks, never the numbers: a form's HTML is a page like any other, and the full
        # numbers are shown only through the audited reveal (issue 10).
        return {
            "name": resident.name,
            "id_number": resident.id_number_masked,
            "gender": resident.gender,
            "birth_date": resident.birth_date,
            "phone": resident.phone_masked,
            "relation": resident.relation,
            "ethnicity": resident.ethnicity,
            "note": resident.note,
            "tags": [t.code for t in resident.tags.all()],
        }


class ResidentAddForm(ResidentForm):
    kind = forms.ChoiceField(
        label="变动类型",
        choices=[(HouseholdChange.Kind.BIRTH, "出生"), (HouseholdChange.Kind.MOVE_IN, "迁入")],
    )
    occurred_on = forms.DateField(
        label="变动日期", required=False, widget=DATE, help_text="出生登记可不填，默认为出生日期"
    )

    field_order = ["kind", "occurred_on"]


class HouseholdForm(forms.Form):
    address = forms.CharField(label="家庭住址", max_length=200)
    number = forms.CharField(label="户编号", max_length=40, required=False)
    tags = forms.MultipleChoiceField(
        label="标签", required=False, widget=forms.CheckboxSelectMultiple
    )
    is_central_household = forms.BooleanField(label="党员中心户", required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].choices = tag_choices()


class HouseholdRegisterForm(ResidentForm):
    """A household moving in, with its head; the head's fields are the resident fields."""

    address = forms.CharField(
        label="家庭住址", max_length=200, required=False, help_text="不填则用所属网格的全称"
    )
    number = forms.CharField(
        label="户编号",
        max_length=40,
        required=False,
        help_text="不填则按本村编号规则自动生成（如 V01-00418）",
    )
    occurred_on = forms.DateField(label="迁入日期", required=False, widget=DATE)

    field_order = ["address", "number", "occurred_on", "name"]

    def __init__(self, *args, node=None, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["relation"]
        self.fields["name"].label = "户主姓名"
        self.node = node

    def clean(self):
        data = super().clean()
        if self.node is not None:
            try:
                check_household_level(self.node)
            except forms.ValidationError as exc:
                raise forms.ValidationError(exc.message_dict["node"]) from exc
        return data


class LeaveForm(forms.Form):
    """迁出 (date, where to, why) or 死亡 (date, cause): each a choice list plus a note."""

    occurred_on = forms.DateField(label="迁出日期", widget=DATE, initial=timezone.localdate)
    destination = forms.ChoiceField(
        label="迁往", choices=[("", "请选择"), *HouseholdChange.Destination.choices]
    )
    reason = forms.ChoiceField(label="迁出原因")
    new_head = forms.ModelChoiceField(
        label="新户主",
        queryset=Resident.objects.none(),
        required=False,
        help_text="户主迁出或死亡时，从本户在册成员中指定新户主（新生儿不能当户主）",
    )
    note = forms.CharField(
        label="说明", max_length=200, required=False, help_text="例如迁往的详细地址"
    )

    def __init__(self, *args, kind: str, others=None, **kwargs):
        super().__init__(*args, **kwargs)
        reasons = dict(HouseholdChange.Reason.choices)
        death = kind == HouseholdChange.Kind.DEATH
        keys = HouseholdChange.DEATH_CAUSES if death else HouseholdChange.MOVE_OUT_REASONS
        self.fields["reason"].choices = [("", "请选择"), *((k, reasons[k]) for k in keys)]
        if death:
            del self.fields["destination"]
            self.fields["occurred_on"].label = "死亡日期"
            self.fields["reason"].label = "死亡原因"
            self.fields["note"].help_text = "例如病因或事故经过"
        if others is not None:
            self.fields["new_head"].queryset = others


class SplitForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        label="分出的成员", queryset=Resident.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    new_head = forms.ModelChoiceField(
        label="新户户主",
        queryset=Resident.objects.none(),
        help_text="从分出的成员中指定（新生儿不能当户主）",
    )
    address = forms.CharField(label="新户家庭住址", max_length=200)
    occurred_on = forms.DateField(label="分户日期", widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["members"].queryset = members
            self.fields["new_head"].queryset = head_candidates(members)


class HeadChoiceForm(forms.Form):
    """户主变更, first step: who the new head is (the current head to only correct relations)."""

    new_head = forms.ModelChoiceField(
        label="新户主",
        queryset=Resident.objects.none(),
        empty_label=None,
        help_text="选本户在册成员；仍选现在的户主，就只核对成员与户主的关系",
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_head"].queryset = members
        self.fields["new_head"].label_from_instance = lambda m: (
            _person_label(m) + ("（现户主）" if m.relation == Resident.Relation.HEAD else "")
        )


def _person_label(m: Resident) -> str:
    born = f"，{m.birth_date.year}年生" if m.birth_date else ""
    return f"{m.name}（{m.get_gender_display() or '性别未填'}{born}）"


class HeadChangeForm(forms.Form):
    """户主变更, second step: every other member's relation to the new head."""

    occurred_on = forms.DateField(label="变更日期", widget=DATE, initial=timezone.localdate)
    note = forms.CharField(
        label="说明", max_length=150, required=False, help_text="例如：原户主年老，由长子接任户主"
    )

    def __init__(self, *args, members, new_head, suggested, **kwargs):
        """`suggested`: {pk: relation to the new head}; each member's own `relation` is still the
        one to the old head."""
        super().__init__(*args, **kwargs)
        self.members = [m for m in members if m.pk != new_head.pk]
        choices = [c for c in Resident.Relation.choices if c[0] != Resident.Relation.HEAD]
        labels = dict(Resident.Relation.choices)
        changing = new_head.relation != Resident.Relation.HEAD
        was_text = "原来是原户主的" if changing else "现在登记为"
        for m in self.members:
            self.fields[f"relation_{m.pk}"] = forms.ChoiceField(
                label=f"{_person_label(m)}是{'新' if changing else ''}户主的",
                choices=choices,
                initial=suggested[m.pk],
                help_text=(
                    "原户主"
                    if m.relation == Resident.Relation.HEAD
                    else f"{was_text}{labels.get(m.relation, m.relation)}"
                ),
            )
        self.order_fields([f"relation_{m.pk}" for m in self.members])

    def relations(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data[f"relation_{m.pk}"] for m in self.members}


class RevealForm(forms.Form):
    field = forms.ChoiceField(label="查看项目", choices=list(REVEAL_FIELDS.items()))
    purpose = forms.CharField(
        label="查看用途",
        max_length=200,
        help_text="必填，将记入审计日志，例如：办理低保申请核对身份",
    )
