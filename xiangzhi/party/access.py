from xiangzhi.core.scope import access_object
from xiangzhi.core.types import Actor

from .models import HamletTalk, Meeting, PartyMember, Post, PostAssignment, TalkOpinion


def access_party_member(actor: Actor, pk: int | str, *, write: bool = False) -> PartyMember:
    qs = PartyMember.objects.select_related("resident__node", "organisation")
    return access_object(PartyMember, actor, pk, write=write, queryset=qs)


def access_post(actor: Actor, pk: int | str, *, write: bool = False) -> Post:
    return access_object(Post, actor, pk, write=write, queryset=Post.objects.select_related("node"))


def access_post_assignment(actor: Actor, pk: int | str, *, write: bool = False) -> PostAssignment:
    qs = PostAssignment.objects.select_related("post__node", "member__resident")
    return access_object(PostAssignment, actor, pk, write=write, queryset=qs)


def access_meeting(actor: Actor, pk: int | str, *, write: bool = False) -> Meeting:
    qs = Meeting.objects.select_related("organisation")
    return access_object(Meeting, actor, pk, write=write, queryset=qs)


def access_hamlet_talk(actor: Actor, pk: int | str, *, write: bool = False) -> HamletTalk:
    qs = HamletTalk.objects.select_related("node")
    return access_object(HamletTalk, actor, pk, write=write, queryset=qs)


def access_talk_opinion(actor: Actor, pk: int | str, *, write: bool = False) -> TalkOpinion:
    qs = TalkOpinion.objects.select_related("talk__node")
    return access_object(TalkOpinion, actor, pk, write=write, queryset=qs)
