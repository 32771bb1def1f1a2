"""The sheet columns of the registry: what the import reads (with the header aliases cadres
actually use) and what the export writes (the same labels, so an export imports back)."""

from __future__ import annotations

import re

from xiangzhi.core.xlsx import Column

RESIDENT_COLUMNS = [
    Column("seq", "序号", ("编号",)),
    Column("pk", "系统编号", ("居民系统编号",)),
    # 户主姓名 beside 姓名 is the head's name on every member's row; alone, it is the person's.
    Column(
        "name",
        "姓名",
        ("名字", "居民姓名", "成员姓名", "家庭成员姓名", "人员姓名", "家庭成员"),
        weak_aliases=("户主姓名",),
    ),
    Column("gender", "性别"),
    Column("ethnicity", "民族"),
    Column("birth_date", "出生日期", ("出生年月日", "出生年月", "生日")),
    Column(
        "id_number",
        "身份证号",
        (
            "身份证号码",
            "公民身份号码",
            "公民身份证号码",
            "身份证",
            "证件号码",
            "身份证件号码",
            "居民身份证号码",
            "居民身份证号",
        ),
    ),
    Column("phone", "联系电话", ("手机号", "电话", "手机号码", "联系方式", "电话号码")),
    Column("relation", "与户主关系", ("与户主的关系", "关系", "家庭关系")),
    Column("household_number", "户编号", ("户号",)),
    Column("address", "家庭住址", ("住址", "现住址", "地址")),
    Column("grid", "所属网格", ("网格", "村组", "所在网格", "村民小组", "组别")),
    Column("tags", "标签", ("人员类别", "类别")),
    Column("note", "备注"),
]
RESIDENT_REQUIRED = ["name", "id_number", "grid"]

HOUSEHOLD_COLUMNS = [
    Column("seq", "序号", ("编号",)),
    Column("pk", "系统编号", ("户系统编号",)),
    Column("household_number", "户编号", ("户号",)),
    Column("name", "户主姓名", ("户主", "姓名")),
    Column("gender", "户主性别", ("性别",)),
    Column(
        "id_number", "户主身份证号", ("身份证号", "身份证号码", "公民身份号码", "户主身份证号码")
    ),
    Column("phone", "联系电话", ("手机号", "电话", "手机号码")),
    Column("address", "家庭住址", ("住址", "地址")),
    Column("grid", "所属网格", ("网格", "村组", "所在网格")),
    Column("tags", "标签", ("户类别", "类别")),
    Column("central", "党员中心户"),
    Column("members", "在册人数", ("人数", "家庭人口")),
    Column("note", "备注"),
]
HOUSEHOLD_REQUIRED = ["name", "id_number", "grid"]
# 人口变动台账: exported only (the changes are written by the registry's services).
CHANGE_COLUMNS = [
    Column("seq", "序号"),
    Column("occurred_on", "变动日期"),
    Column("kind", "变动类型"),
    Column("name", "姓名"),
    Column("gender", "性别"),
    Column("id_number", "身份证号"),
    Column("head", "户主"),
    Column("household_number", "户编号"),
    Column("address", "家庭住址"),
    Column("grid", "所属网格"),
    Column("note", "说明"),
    Column("destination", "迁往"),
    Column("reason", "原因"),
    Column("created_by", "登记人"),
]

# What cadres write in 与户主关系, mapped to Resident.Relation.
RELATION_WORDS = {
    "head": "户主 本人 户主本人 户长",
    "spouse": "配偶 妻 夫 妻子 丈夫 之妻 之夫 老伴",
    "child": "子 女 儿子 女儿 长子 次子 二子 三子 四子 五子 长女 次女 二女 三女 四女 五女 子女 之子 之女 "
    "养子 养女 继子 继女 独子 独女 小儿子 小女儿 小女",
    "parent": "父 母 父亲 母亲 父母 之父 之母 公公 婆婆 岳父 岳母",
    "grandchild": "孙 孙子 孙女 长孙 长孙女 次孙 外孙 外孙子 外孙女 孙子女 之孙 之孙女",
    "grandparent": "祖父 祖母 爷爷 奶奶 外公 外婆 祖父母 外祖父 外祖母",
    "sibling": "兄 弟 姐 妹 兄弟 姐妹 兄弟姐妹 哥哥 弟弟 姐姐 妹妹",
    # Not 媳妇: the wife in the north, the son's wife in the south; it is refused, not guessed.
    "child_in_law": "儿媳 儿媳妇 女婿 之媳 之婿",
    "other": "其他 其它 其他亲属 侄 侄子 侄女 外甥 外甥女 孙媳 孙媳妇 孙女婿 曾孙 曾孙女 重孙 重孙女 "
    "叔 伯 姑 姨 舅 嫂 兄嫂 嫂子 弟媳 姐夫 妹夫 非亲属 保姆 寄住",
}
RELATION_LABELS = {
    "head": "户主",
    "spouse": "配偶",
    "child": "子女",
    "parent": "父母",
    "grandchild": "孙子女",
    "grandparent": "祖父母",
    "sibling": "兄弟姐妹",
    "child_in_law": "儿媳/女婿",
    "other": "其他",
}
# Every word above, and the labels the export writes (so that an export imports back unchanged).
RELATIONS = {word: key for key, words in RELATION_WORDS.items() for word in words.split()}
RELATIONS.update({label: key for key, label in RELATION_LABELS.items()})
# "户主之子", "与户主关系:妻": the words above after a prefix that names the head.
RELATION_PREFIXES = ("户主的", "户主", "与户主关系")


_RELATION_NOTE = re.compile(r"\([^)]*\)")  # 户主(本人): cells are NFKC-folded, brackets half-width


def relation_key(word: str) -> str:
    """The Resident.Relation value of what a cadre wrote, or "" when it is not recognised."""
    if word in RELATIONS:
        return RELATIONS[word]
    bare = _RELATION_NOTE.sub("", word)
    if bare != word and bare in RELATIONS:
        return RELATIONS[bare]
    for prefix in RELATION_PREFIXES:
        if word.startswith(prefix) and word[len(prefix) :] in RELATIONS:
            return RELATIONS[word[len(prefix) :]]
    return ""


# Rows that are not people: totals and signatures under the table (合计 12户 35人, 填表人:…).
NOT_A_PERSON = (
    "合计",
    "小计",
    "总计",
    "共计",
    "填表人",
    "制表人",
    "审核人",
    "负责人签字",
    "填报单位",
)
GENDERS = {"男": "M", "女": "F", "m": "M", "f": "F", "1": "M", "2": "F", "男性": "M", "女性": "F"}
TAG_SPLIT = re.compile(r"[,,、;;/|\s]+")
