"""Villagers' messages for the demo: short, dialect-flavoured, with typos, each labelled.

A message is composed, not picked: an opener, a place and a time, one of the topic's core
sentences for the chosen kind, a detail, a feeling and a closer, each optional, then passed
through the noise a phone and a hurried thumb add (homophones 在/再, 的/得, 账/帐, voice-input
fillers, dropped or half-width punctuation, repeated characters). The routing model learns from
these and `bench/routing.py` measures it on a held-out part, so the labels (kind, department)
follow the topic and the wording, as a cadre reading the message would set them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# Department codes: the six of accounts' migration 0002, township offices, and the village
# itself for what the village committee handles without dispatching.
VILLAGE = "village"
TOWNSHIP_OFFICES = {
    "agriculture_office": "农业农村办",
    "natural_resources_office": "自然资源所",
    "social_security_office": "社保所",
    "health_office": "卫健办",
    "education_office": "教育办",
}

KINDS = ("inquiry", "help", "complaint", "suggestion", "report")


@dataclass(frozen=True)
class Topic:
    key: str
    department: str
    subjects: tuple[str, ...]
    # kind -> core sentences; {s} is a subject, {p} a place, {n} a number
    cores: dict[str, tuple[str, ...]]
    details: tuple[str, ...] = ()
    # Other departments a cadre sends such a message to, with their shares: real labels are
    # not a function of the words (a quarrel goes to 司法 or stays with the village).
    also: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Message:
    text: str
    kind: str
    department: str
    topic: str


TOPICS: tuple[Topic, ...] = (
    Topic(
        "street_light",
        VILLAGE,
        ("路灯", "太阳能路灯", "路灯泡子", "灯"),
        {
            "report": (
                "{p}的{s}坏了好久了",
                "{p}那几盏{s}晚上不亮",
                "{s}一闪一闪的搞么子",
                "{p}{s}又黑了",
            ),
            "complaint": ("{s}坏了报了{n}回冇得人来修", "讲了几次{s}的事都冇人管"),
            "suggestion": ("{p}能不能装几盏{s}", "建议{p}加两个{s}晚上好走路"),
            "help": ("{p}黑漆漆的老人家摔了一跤帮忙把{s}修下",),
        },
        ("晚上出门怕踩到蛇", "细伢子放学回来看不见路", "老人家不敢出门", "黑得伸手不见五指"),
    ),
    Topic(
        "water_pipe",
        VILLAGE,
        ("水管", "自来水", "水龙头", "水表", "自来水管子"),
        {
            "report": (
                "{p}{s}爆了水流了一地",
                "{s}冇得水了",
                "{p}的{s}漏水",
                "{s}出来是黄的",
            ),
            "complaint": ("停水{n}天了也不通知一声", "{s}的水浑得很冇人管"),
            "inquiry": ("{s}么时候来水", "{s}坏了找哪个修", "水费是在哪里交"),
            "help": ("屋里{s}冻裂了请人帮忙修下",),
        },
        ("饭都煮不成", "猪都冇水喝", "洗衣服都要去井里挑", "一家人等着用水"),
    ),
    Topic(
        "dibao",
        "civil_affairs",
        ("低保", "低保金", "低保户", "救助金"),
        {
            "inquiry": (
                "{s}要么子材料",
                "我屋里这个情况能不能吃{s}",
                "{s}这个月么还冇到账",
                "请问{s}怎么申请",
                "{s}是好多钱一个月",
            ),
            "complaint": ("凭么子他屋里有车还吃{s}", "{s}评得不公平", "{s}被取消了也冇个说法"),
            "help": ("老伴走了一个人冇得收入想申请{s}", "屋里有病人想搞个{s}"),
            "report": ("反映一下{p}有人{s}吃得不对",),
        },
        ("日子过不下去了", "药钱都冇得", "孙子还在读书", "一个人住"),
    ),
    Topic(
        "medical_insurance",
        "social_security_office",
        ("医保", "合作医疗", "医保卡", "农合"),
        {
            "inquiry": (
                "今年{s}交好多钱",
                "{s}在哪里交",
                "{s}报销要么子手续",
                "外地住院{s}能报啵",
                "{s}么时候截止",
            ),
            "help": ("{s}卡丢了要补办", "老人家不会用手机交{s}帮下忙"),
            "complaint": ("{s}报销拖了{n}个月还冇到", "交了{s}又说冇交上"),
        },
        ("在外面打工回不来", "手机上搞不好", "老人家不识字"),
    ),
    Topic(
        "pension",
        "social_security_office",
        ("养老金", "养老保险", "社保"),
        {
            "inquiry": ("{s}这个月么冇发", "{s}认证在哪里搞", "{s}断了几年还能补交啵"),
            "help": ("屋里老人{s}认证不会弄",),
            "complaint": ("{s}少发了{n}块钱",),
        },
        ("八十几岁了", "眼睛看不清", "卡里冇看到钱"),
    ),
    Topic(
        "homestead",
        "natural_resources_office",
        ("宅基地", "屋基", "建房", "土地证"),
        {
            "inquiry": (
                "想在老屋那里起屋{s}要么子手续",
                "{s}审批要多久",
                "{s}的证么时候发下来",
                "我屋{s}能不能翻修",
            ),
            "complaint": ("隔壁{s}占了我屋的地", "{s}的事跑了{n}趟还冇批"),
            "report": ("{p}有人冇批就在起屋", "{p}有人在田里挖土起屋"),
        },
        ("屋都漏雨了", "儿子要结婚", "量的尺寸不对"),
        (("village", 0.1),),
    ),
    Topic(
        "neighbour_quarrel",
        "justice",
        ("邻居", "隔壁屋里", "兄弟两个", "两公婆", "亲家"),
        {
            "help": (
                "{s}为了一块田吵起来了",
                "跟{s}为排水沟的事扯皮",
                "{s}为了老人家赡养吵得厉害",
                "{s}因为一棵树闹起来了",
            ),
            "complaint": ("{s}天天骂街冇人管", "{s}把路堵了不让我过"),
            "report": ("{p}{s}吵架快要打起来了", "{s}又在闹要出事"),
            "inquiry": ("跟{s}的纠纷可以找哪个调解",),
        },
        ("快要动手了", "劝都劝不住", "吵了好几年了", "村里调过一次冇用"),
        (("village", 0.4),),
    ),
    Topic(
        "dog_bite",
        "public_security",
        ("狗", "大黄狗", "疯狗", "黑狗"),
        {
            "report": (
                "{p}有条{s}咬了人",
                "{s}把细伢子咬了",
                "{p}几条{s}到处乱跑",
            ),
            "complaint": ("他屋{s}不拴咬了人还不认账", "{s}咬人了主人不赔钱"),
            "help": ("被{s}咬了要打针冇得钱",),
        },
        ("血都出来了", "细伢子不敢上学", "已经咬了两个人了"),
        (("village", 0.3),),
    ),
    Topic(
        "garbage",
        VILLAGE,
        ("垃圾", "垃圾桶", "垃圾池", "垃圾车"),
        {
            "report": (
                "{p}{s}堆成山了",
                "{s}好几天冇人来收",
                "{p}有人乱倒{s}",
                "{s}臭得不得了",
            ),
            "complaint": ("{s}冇人清苍蝇到处飞", "有人把{s}倒到河里"),
            "suggestion": ("{p}多放两个{s}", "建议{s}一个礼拜收两回"),
        },
        ("热天臭死人", "狗扒得到处都是", "影响村里形象"),
        (("law_enforcement", 0.15),),
    ),
    Topic(
        "pond",
        "emergency",
        ("山塘", "水库", "塘坝", "堤"),
        {
            "report": (
                "{p}{s}漏水了",
                "{s}坝子上有条缝",
                "{s}水涨得好高",
                "{p}的{s}垮了一块",
            ),
            "suggestion": ("{s}边上要装个栏杆", "{s}要修一下不然要出事"),
            "help": ("{s}水漫到屋里来了",),
        },
        ("下面住了十几户人", "雨还在落", "怕要出事", "细伢子在边上玩"),
        (("agriculture_office", 0.15),),
    ),
    Topic(
        "power_line",
        "emergency",
        ("电线", "电线杆", "高压线", "变压器"),
        {
            "report": (
                "{p}{s}断了掉在地上",
                "{s}歪了快倒了",
                "{p}{s}冒火花",
                "{s}挂得太低碰得到头",
            ),
            "complaint": ("停电{n}天了", "电压低得很电饭煲都用不了"),
            "help": ("屋里{s}烧了冇得电",),
        },
        ("怕电到人", "牛在下面吃草", "打雷以后就这样了"),
    ),
    Topic(
        "migrant_work",
        "social_security_office",
        ("工钱", "工资", "务工", "包工头"),
        {
            "help": ("在外面打工{s}被拖了{n}个月", "{s}跑了工钱冇拿到"),
            "inquiry": ("外出务工有冇得补贴", "村里有冇得招工的信息", "务工交通补贴怎么领"),
            "complaint": ("{s}欠钱不给还打人",),
        },
        ("屋里等着用钱", "过年回不来", "在广东那边"),
    ),
    Topic(
        "tuition",
        "education_office",
        ("学费", "助学金", "教育补助", "雨露计划补助"),
        {
            "inquiry": (
                "{s}么时候交",
                "细伢子读高中有冇得{s}",
                "{s}要么子证明",
                "屋里困难能不能免{s}",
            ),
            "help": ("交不起{s}细伢子要停学了",),
            "complaint": ("{s}评的不公平", "校车开得太快不安全"),
            "suggestion": ("{p}要设个校车站", "营养餐要搞好点"),
        },
        ("两个细伢子读书", "大学开学了", "老师讲要交"),
    ),
    Topic(
        "road",
        VILLAGE,
        ("路", "水泥路", "机耕道", "桥"),
        {
            "report": ("{p}的{s}塌了一块", "{s}上好大一个坑", "{p}{s}被水冲了"),
            "suggestion": ("{p}的{s}要硬化一下", "{s}太窄了要加宽", "{p}修个{s}方便大家"),
            "complaint": ("{s}修了一半就冇人管了", "大车把{s}压烂了"),
        },
        ("摩托车都骑不过", "落雨天走不得", "去年就讲了"),
        (("agriculture_office", 0.1),),
    ),
    Topic(
        "illegal_building",
        "law_enforcement",
        ("违建", "乱搭乱建", "棚子", "围墙"),
        {
            "report": ("{p}有人在搞{s}", "有人在河边起{s}", "{p}{s}占了路"),
            "complaint": ("{s}占了公共地方冇人管", "讲了{s}的事冇得回音"),
        },
        ("车子都过不去", "挡了我屋的光", "好几个月了"),
        (("natural_resources_office", 0.3),),
    ),
    Topic(
        "noise_pollution",
        "law_enforcement",
        ("养猪场", "砂场", "厂里", "鸭棚"),
        {
            "complaint": (
                "{s}臭得冇法住",
                "{s}半夜还在响",
                "{s}的污水排到田里",
                "{p}{s}灰尘大得很",
            ),
            "report": ("{p}{s}在偷偷排污水",),
        },
        ("窗户都不敢开", "鱼都死了", "菜都种不活"),
        (("village", 0.2),),
    ),
    Topic(
        "theft",
        "public_security",
        ("摩托车", "电动车", "鸡", "牛", "手机"),
        {
            "report": ("屋里{s}被偷了", "{p}有生人在转怕是偷{s}的", "昨晚上{s}被人偷走了"),
            "help": ("{s}丢了帮忙查一下监控",),
        },
        ("门锁都撬了", "好几家都丢了", "报了警还冇消息"),
    ),
    Topic(
        "fraud",
        "public_security",
        ("电话", "短信", "微信", "保健品"),
        {
            "report": ("有人打{s}讲我儿子出事了要钱", "{p}有人卖{s}骗老人家的钱"),
            "inquiry": ("收到个{s}讲中奖了是不是骗子",),
            "help": ("老人家被{s}骗了{n}千块",),
        },
        ("急得不得了", "钱已经转过去了", "老人家不晓得"),
    ),
    Topic(
        "disability",
        "civil_affairs",
        ("残疾证", "轮椅", "残疾补贴", "护理补贴"),
        {
            "inquiry": ("{s}怎么办", "{s}要去哪里评", "{s}好久发一次"),
            "help": ("屋里老人瘫了想申请{s}", "想借个{s}"),
        },
        ("走不得路", "一个人在屋里", "儿女都在外面"),
    ),
    Topic(
        "elderly_alone",
        "civil_affairs",
        ("独居老人", "五保老人", "孤寡老人", "老人家"),
        {
            "help": (
                "{p}那个{s}好几天冇出门",
                "{s}病了冇人照顾",
                "{s}屋里漏雨帮忙看下",
            ),
            "report": ("{p}{s}摔了一跤躺在地上",),
            "inquiry": ("{s}能不能进敬老院",),
        },
        ("打电话冇人接", "饭都冇吃", "儿子在外地"),
        (("village", 0.3),),
    ),
    Topic(
        "farming",
        "agriculture_office",
        ("稻谷补贴", "耕地补贴", "种子", "化肥", "农机补贴"),
        {
            "inquiry": ("{s}么时候发", "{s}是按么子标准", "买了收割机有冇得{s}"),
            "complaint": ("{s}少了好多", "买的{s}是假的"),
            "report": ("{p}有人把田荒起",),
        },
        ("田都种不下去", "今年收成不好", "虫子多"),
    ),
    Topic(
        "vaccination",
        "health_office",
        ("疫苗", "体检", "家庭医生", "高血压的药"),
        {
            "inquiry": ("老人家{s}在哪里搞", "免费{s}么时候", "{s}要带么子"),
            "help": ("老人家腿脚不方便{s}能上门啵",),
            "complaint": ("卫生室{s}冇得了", "家庭医生签了约一次都冇来过"),
        },
        ("七十多岁了", "血压高", "去镇上要走好远"),
    ),
    Topic(
        "petition",
        "petitions",
        ("征地补偿", "拆迁款", "移民补助", "退役补助"),
        {
            "complaint": (
                "{s}到现在还冇给",
                "{s}算少了{n}万",
                "{s}的事上访了好几次",
                "{s}被人截了",
            ),
            "report": ("要反映{s}的问题", "{s}分得不公"),
        },
        ("找了好多部门", "拖了好几年", "要个说法"),
        (("justice", 0.15),),
    ),
    Topic(
        "fire",
        "emergency",
        ("烧秸秆", "烧垃圾", "烧荒", "烧纸"),
        {
            "report": ("{p}起火了", "{p}有人在{s}烟好大", "后山冒烟了", "{s}把山烧起来了"),
            "suggestion": ("{p}要放几个灭火器",),
        },
        ("快来人", "风好大", "离屋不远"),
        (("village", 0.1),),
    ),
)

OPENERS = (
    "",
    "",
    "",
    "书记",
    "书记你好",
    "网格员",
    "@网格员",
    "@村委会",
    "请问一下",
    "喂",
    "各位领导",
    "我是{g}组的",
    "我是{g}组老{x}",
    "麻烦问下",
    "打扰一下",
    "{x}主任",
    "你好",
    "村干部",
)
PLACES = (
    "我屋门口",
    "{g}组那边",
    "村口老樟树下",
    "往学校去的那条路",
    "后山",
    "河边上",
    "{x}家屋后",
    "桥头",
    "祠堂边上",
    "大队部旁边",
    "{g}组",
    "坳上",
    "塘埂上",
    "我屋对面",
)
TIMES = (
    "",
    "",
    "好几天了",
    "上个礼拜",
    "昨晚上",
    "一个多月了",
    "从过年到现在",
    "今天早上",
    "前几天",
    "这两天",
    "半个月了",
)
FEELINGS = (
    "",
    "",
    "",
    "急死人了",
    "造孽",
    "真的冇得办法",
    "搞么子名堂",
    "气死了",
    "烦死了",
    "冇得法子了",
    "唉",
)
CLOSERS = (
    "",
    "",
    "麻烦帮忙看下",
    "谢谢了",
    "快点来搞下啵",
    "晓得的回个话",
    "麻烦了",
    "谢谢书记",
    "能不能快点",
    "等你们回话",
    "拜托了",
    "辛苦",
)
SURNAMES = "李王张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋谢唐曾彭邓"
FILLERS = ("那个", "就是", "嗯", "呃", "就是说", "那个那个", "怎么讲呢")
HOMOPHONES = (
    ("在", "再"),
    ("的", "得"),
    ("的", "地"),
    ("账", "帐"),
    ("做", "作"),
    ("已", "以"),
    ("那", "哪"),
    ("像", "象"),
    ("反映", "反应"),
    ("么", "莫"),
    ("冇", "没"),
    ("啵", "不"),
    ("晓得", "小得"),
)
CONFUSED = {
    "report": "complaint",
    "complaint": "report",
    "inquiry": "help",
    "help": "inquiry",
    "suggestion": "report",
}
# Kind weights overall; a topic offers only some kinds, so the mix follows the topics.
KIND_WEIGHTS = {"report": 5, "complaint": 4, "inquiry": 4, "help": 3, "suggestion": 2}


def _fill(text: str, rnd: random.Random, subject: str, place: str) -> str:
    return text.format(
        s=subject,
        p=place,
        n=rnd.choice("两三四五六七八"),
        g=rnd.choice("一二三四五六七八九十"),
        x=rnd.choice(SURNAMES),
    )


def _noise(text: str, rnd: random.Random) -> str:
    """What a phone and a hurried thumb do to a message."""
    for right, wrong in HOMOPHONES:
        if right in text and rnd.random() < 0.12:
            text = text.replace(right, wrong, 1)
    roll = rnd.random()
    if roll < 0.3:
        text = text.replace("，", "").replace("。", "")  # no punctuation at all
    elif roll < 0.45:
        text = text.replace("，", ",").replace("。", ".")  # a half-width keyboard
    elif roll < 0.55:
        text = text.replace("，", " ")  # voice input: pauses as spaces
    if rnd.random() < 0.15:
        cut = rnd.randrange(len(text)) if text else 0
        text = text[:cut] + rnd.choice(FILLERS) + text[cut:]
    if rnd.random() < 0.1:
        text += rnd.choice(("！！", "？？", "。。。", "啊", "哦", "的", "咯"))
    if rnd.random() < 0.05 and len(text) > 4:
        i = rnd.randrange(len(text))
        text = text[: i + 1] + text[i] + text[i + 1 :]  # a doubled character
    return text.strip()


def _compose(topic: Topic, kind: str, rnd: random.Random) -> str:
    subject = rnd.choice(topic.subjects)
    place = _fill(rnd.choice(PLACES), rnd, subject, "")
    core = _fill(rnd.choice(topic.cores[kind]), rnd, subject, place)
    parts = [_fill(rnd.choice(OPENERS), rnd, subject, place)]
    time = rnd.choice(TIMES)
    if time and rnd.random() < 0.5:
        parts.append(time)
        parts.append(core)
    else:
        parts.append(core)
        parts.append(time)
    if topic.details and rnd.random() < 0.55:
        parts.append(rnd.choice(topic.details))
    if rnd.random() < 0.2 and len(topic.cores[kind]) > 1:  # rambling: a second sentence
        parts.append(_fill(rnd.choice(topic.cores[kind]), rnd, rnd.choice(topic.subjects), place))
    parts.append(rnd.choice(FEELINGS))
    parts.append(rnd.choice(CLOSERS))
    text = "，".join(p for p in parts if p)
    return _noise(text + rnd.choice(("", "。", "！", "？")), rnd)


def messages(count: int, *, seed: int = 1, rnd: random.Random | None = None) -> list[Message]:
    """`count` labelled messages, the same for the same seed."""
    rnd = rnd or random.Random(seed)
    out = []
    for _ in range(count):
        topic = rnd.choice(TOPICS)
        kinds = list(topic.cores)
        kind = rnd.choices(kinds, weights=[KIND_WEIGHTS[k] for k in kinds])[0]
        text = _compose(topic, kind, rnd)
        if rnd.random() < 0.08:  # the cadre read it otherwise: a complaint filed as a report
            kind = CONFUSED[kind]
        department = topic.department
        for other, share in topic.also:
            if rnd.random() < share:
                department = other
                break
        out.append(Message(text, kind, department, topic.key))
    return out


def department_codes() -> list[str]:
    """Every department code a message may carry."""
    return sorted({t.department for t in TOPICS})
