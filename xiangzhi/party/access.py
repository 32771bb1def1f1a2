from django.http import Http404

from xiangzhi.core.scope import access_object
from xiangzhi.core.types import Actor
from xiangzhi.people.access import access_household
from xiangzhi.people.models import Household

from .models import (
    ContactLink,
    HamletTalk,
    Meeting,
    MeetingAttachment,
    PartyMember,
    Post,
    PostAssignment,
    TalkOpinion,
    Visit,
    VisitNeed,
    VisitPhoto,
)


def access_party_member(actor: Actor, pk: int | str, *, write: bool = False) -> PartyMember:
    qs = PartyMember.objects.select_related("resident__node", "organisation")
    return access_object(PartyMember, actor, pk, write=write, queryset=qs)


def access_contact_link(actor: Actor, pk: int | str, *, write: bool = False) -> ContactLink:
    qs = ContactLink.objects.select_related("household__node", "member__resident")
    return access_object(ContactLink, actor, pk, write=write, queryset=qs)


def access_visit_need(actor: Actor, pk: int | str, *, write: bool = False) -> VisitNeed:
    qs = VisitNeed.objects.select_related("household__node", "visit")
    return access_object(VisitNeed, actor, pk, write=write, queryset=qs)


def access_visit(actor: Actor, pk: int | str) -> Visit:
    """A visit its household's scope may read, or its own contact member (their photo)."""
    qs = Visit.objects.select_related("household__node")
    try:
        return access_object(Visit, actor, pk, queryset=qs)
    except Http404:
        visit = qs.filter(
            pk=pk,
            household__contact_links__member__resident__user=actor,
            household__contact_links__ended_on__isnull=True,
        ).first()
        if visit is None or not getattr(actor, "pk", None):
            raise
        return visit


def access_visit_photo(actor: Actor, visit_id: int | str, visit_photo_id: int | str) -> VisitPhoto:
    """A photo of a visit the actor may read (access_visit); 404 for another visit's photo."""
    visit = access_visit(actor, visit_id)
    photo = visit.photos.filter(pk=visit_photo_id).first()
    if photo is None:
        raise Http404("no such photo")
    return photo


def access_visited_household(actor: Actor, pk: int | str, *, write: bool = True) -> Household:
    """A household the actor may record a visit to: they are its active contact member, or they
    may write its node (a cadre). Anyone else: 404 outside their scope, 403 read-only in it.
    write=False: a household whose visits the actor may read (its ledger): in their scope, or
    theirs to contact."""
    if getattr(actor, "pk", None):
        linked = (
            Household.objects.select_related("node", "head")
            .filter(
                pk=pk,
                contact_links__member__resident__user=actor,
                contact_links__ended_on__isnull=True,
            )
            .first()
        )
        if linked is not None:
            return linked
    return access_household(actor, pk, write=write)


def access_post(actor: Actor, pk: int | str, *, write: bool = False) -> Post:
    return access_object(Post, actor, pk, write=write, queryset=Post.objects.select_related("node"))


def access_post_assignment(actor: Actor, pk: int | str, *, write: bool = False) -> PostAssignment:
    qs = PostAssignment.objects.select_related("post__node", "member__resident")
    return access_object(PostAssignment, actor, pk, write=write, queryset=qs)


def access_meeting(actor: Actor, pk: int | str, *, write: bool = False) -> Meeting:
    qs = Meeting.objects.select_related("organisation")
    return access_object(Meeting, actor, pk, write=write, queryset=qs)


def access_meeting_attachment(
    actor: Actor, meeting_id: int | str, meeting_attachment_id: int | str
) -> MeetingAttachment:
    """A file of a meeting the actor may see (access_meeting); 404 for another meeting's file."""
    attachment = (
        access_meeting(actor, meeting_id).attachments.filter(pk=meeting_attachment_id).first()
    )
    if attachment is None:
        raise Http404("no such attachment")
    return attachment


def access_hamlet_talk(actor: Actor, pk: int | str, *, write: bool = False) -> HamletTalk:
    qs = HamletTalk.objects.select_related("node")
    return access_object(HamletTalk, actor, pk, write=write, queryset=qs)


def access_talk_opinion(actor: Actor, pk: int | str, *, write: bool = False) -> TalkOpinion:
    qs = TalkOpinion.objects.select_related("talk__node")
    return access_object(TalkOpinion, actor, pk, write=write, queryset=qs)
