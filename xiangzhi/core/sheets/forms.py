from django import forms

from .kinds import SheetKind


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="表格类型", widget=forms.RadioSelect)
    file = forms.FileField(
        label="Excel 文件", help_text="支持 .xlsx、.xls、.ods；第一行可以是标题，表头可跨两行"
    )
    dry_run = forms.BooleanField(
        label="只检查，不导入",
        required=False,
        help_text="先看看哪些行有问题，数据不会写入；检查结果页上可以直接“确认导入”，不用再上传",
    )
    all_or_nothing = forms.BooleanField(
        label="有任何错误行就全部不导入",
        required=False,
        help_text="不勾选时：正确的行导入，错误的行列在报告中",
    )

    def __init__(self, *args, kinds: list[SheetKind], **kwargs) -> None:
        """`kinds`: the registered kinds the user may import, offered in this order."""
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.key, k.import_label) for k in kinds]
        if kinds:
            self.fields["kind"].initial = kinds[0].key
