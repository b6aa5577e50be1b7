"""The archive's web of references: read from each notice's text, resolved to archived notices,
kept in step as notices arrive, change or go, and turned into validity proposals.

Every write of a notice's text passes through ``services.index_notices``, which calls
``link_notices``: the notices' references are read again (documents.parsing.references),
resolved, and references elsewhere that name these notices are resolved again, so the order in
which notices are imported does not matter. Pages read the stored references; nothing is
extracted per request.
"""

from collections import defaultdict
from dataclasses import dataclass

import reversion
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import caching
from .models import ArchiveGeneration, Notice, Reference, ValidityProposal
from .parsing.references import Effect, find_references, title_key
from .search import fold

# Orders are numbered under the state's name (中华人民共和国国务院令第713号) and cited without it.
STATE = "中华人民共和国"

PROPOSED_VALIDITY = {
    Effect.REPEALS: Notice.Validity.REPEALED,
    Effect.AMENDS: Notice.Validity.AMENDED,
}


def link_notices(notices) -> None:
    """Store the references of these notices (their ``sections`` and ``attachments``
    prefetched), resolve them, resolve again the references elsewhere that name them, and
    propose the validity changes their texts make."""
    notices = list(notices)
    if not notices:
        return
    ids = {notice.pk for notice in notices}
    with transaction.atomic():
        # The kept pages that show these notices, before and after their references change.
        caching.expire_notice_pages(Notice.objects.filter(pk__in=ids))
        Reference.objects.filter(citing__in=notices).delete()
        references = [ref for notice in notices for ref in read_references(notice)]
        resolve(references)
        Reference.objects.bulk_create(references, batch_size=1000)
        relinked, uncited = _relink_references_to(notices)
        _propose(ids | relinked)
        caching.expire_notice_pages(Notice.objects.filter(pk__in=ids | relinked | uncited))


def read_references(notice: Notice) -> list[Reference]:
    """The references of a notice's text (covering text first, then each unit in order),
    without the notice's own number, title and attachments (现将《…》印发给你们 names the
    document it prints, not another one), a short name (以下简称《决定》) standing for the
    document it was given to. Unsaved and unresolved."""
    own_titles = {
        title_key(notice.title),
        title_key(notice.body_title),
        *(title_key(a.title) for a in notice.attachments.all()),
    } - {""}
    parts = [(None, notice.preamble), (None, notice.body_intro)]
    parts += [(unit, unit.text) for unit in notice.sections.all()]
    own_numbers = _spellings(notice.doc_number_normalized) - {""}
    aliases = {}  # a short name (以下简称《决定》) → the keys of the document it stands for
    references = []
    for unit, text in parts:
        for found in find_references(text):
            number = found.doc_number_normalized[:100]
            key = title_key(found.title)[:250]
            if not number and key in aliases:
                number, key = aliases[key]
            short = title_key(found.short_name)
            own = found.printed and unit is None  # what a covering notice prints or forwards
            if own or number in own_numbers or (not number and key in own_titles):
                own_titles.update({key, short} - {""})
                continue
            if short:
                aliases[short] = (number, key)
            references.append(
                Reference(
                    citing=notice,
                    unit=unit,
                    position=len(references),
                    text=found.text[:300],
                    title=found.title[:250],
                    doc_number=found.doc_number[:100],
                    doc_number_normalized=number,
                    title_key=key,
                    effect=found.effect,
                    sentence=found.sentence if found.effect != Effect.CITES else "",
                )
            )
    return references


def _spellings(number: str) -> set[str]:
    """A folded number with and without the state's name before it."""
    return {number, number.removeprefix(STATE), STATE + number.removeprefix(STATE)}


def resolve(references) -> list[Reference]:
    """Set each reference's ``cited`` to the notice it names, or None: by the folded document
    number (which holds the issuer's code), else by the folded title; among several, the one
    whose title matches too, then a published one, then the first archived. Never the citing
    notice itself. Returns the references whose ``cited`` changed."""
    numbers = {
        spelling
        for r in references
        if r.doc_number_normalized
        for spelling in _spellings(r.doc_number_normalized)
    }
    titles = {r.title_key for r in references if not r.doc_number_normalized and r.title_key}
    candidates = defaultdict(list)
    if numbers or titles:
        found = Notice.objects.filter(
            Q(doc_number_normalized__in=numbers) | Q(title_key__in=titles)
        ).values_list("pk", "doc_number_normalized", "title_key", "status")
        for pk, number, key, status in found.order_by("pk"):
            if number in numbers:
                candidates["n", number.removeprefix(STATE)].append((pk, key, status))
            if key in titles:
                candidates["t", key].append((pk, key, status))
    changed = []
    for ref in references:
        kind, key = (
            ("n", ref.doc_number_normalized) if ref.doc_number_normalized else ("t", ref.title_key)
        )
        options = [c for c in candidates.get((kind, key), ()) if c[0] != ref.citing_id]
        best = min(
            options,
            key=lambda c: (c[1] != ref.title_key, c[2] != Notice.Status.PUBLISHED, c[0]),
            default=None,
        )
        cited = best[0] if best else None
        if cited != ref.cited_id:
            ref.cited_id = cited
            changed.append(ref)
    return changed


def _relink_references_to(notices) -> tuple[set[int], set[int]]:
    """Resolve again the references of other notices that name these (by number or title) or
    pointed at them (a number or a title may have changed). Returns the ids of the citing
    notices whose references changed, and of the notices those references cited before."""
    numbers = {
        spelling
        for n in notices
        if n.doc_number_normalized
        for spelling in _spellings(n.doc_number_normalized)
    }
    titles = {n.title_key for n in notices if n.title_key}
    affected = list(
        Reference.objects.filter(
            Q(cited__in=notices)
            | Q(doc_number_normalized__in=numbers)
            | Q(doc_number_normalized="", title_key__in=titles)
        ).exclude(citing__in=notices)
    )
    cited_before = {ref.pk: ref.cited_id for ref in affected}
    changed = resolve(affected)
    Reference.objects.bulk_update(changed, ["cited"], batch_size=1000)
    uncited = {cited_before[ref.pk] for ref in changed} - {None}
    return {ref.citing_id for ref in changed}, uncited


def _propose(citing_ids) -> None:
    """For each reference of these notices that repeals or amends an archived notice, a
    pending proposal (one per notice, citing notice and change; a decided one stays as
    decided); pending proposals whose reference is gone are withdrawn."""
    wanted = {}
    repealing = Reference.objects.filter(
        citing__in=citing_ids, cited__isnull=False, effect__in=list(PROPOSED_VALIDITY)
    )
    for ref in repealing:
        key = (ref.cited_id, ref.citing_id, PROPOSED_VALIDITY[ref.effect])
        wanted.setdefault(key, ref)
    existing = {
        (p.notice_id, p.by_id, p.validity): p
        for p in ValidityProposal.objects.filter(by__in=citing_ids)
    }
    stale = [
        p.pk
        for key, p in existing.items()
        if key not in wanted and p.decision == ValidityProposal.Decision.PENDING
    ]
    ValidityProposal.objects.filter(pk__in=stale).delete()
    ValidityProposal.objects.bulk_create(
        ValidityProposal(notice_id=n, by_id=b, validity=v, sentence=ref.sentence)
        for (n, b, v), ref in wanted.items()
        if (n, b, v) not in existing
    )


def decide(proposal: ValidityProposal, *, accept: bool, user=None) -> None:
    """An editor's decision: an accepted proposal sets the notice's validity (recorded in its
    history with the reason); a rejected one changes nothing but itself."""
    with transaction.atomic(), reversion.create_revision():
        proposal = ValidityProposal.objects.select_for_update().get(pk=proposal.pk)
        proposal.decision = (
            ValidityProposal.Decision.ACCEPTED if accept else ValidityProposal.Decision.REJECTED
        )
        proposal.decided_by = user if user and user.is_authenticated else None
        proposal.decided_at = timezone.now()
        proposal.save()
        if accept:
            notice = Notice.objects.select_for_update().get(pk=proposal.notice_id)
            notice.validity = proposal.validity
            notice.save()
            reversion.set_user(proposal.decided_by)
            reversion.set_comment(
                f"时效性改为{notice.get_validity_display()}：依据《{proposal.by.title}》"
            )
            ArchiveGeneration.advance()
            caching.expire_notice_pages(Notice.objects.filter(pk=notice.pk))


# What a notice page reads: stored references, one query each.

CITED_BY_SHOWN = 50


@dataclass
class Link:
    """A reference as the page links it in the text: the text as written (folded, to find it
    in the paragraph shown in either script), and the cited notice's page if it is published."""

    key: str
    url: str
    title: str


def outgoing(notice: Notice) -> list[Reference]:
    """The notice's references in text order, each with ``cited`` only if it is published
    (a draft or unpublished notice is never shown, so its references read as plain text)."""
    references = list(
        Reference.objects.filter(citing=notice)
        .select_related("cited", "unit")
        .only(
            "text",
            "title",
            "doc_number",
            "doc_number_normalized",
            "title_key",
            "effect",
            "unit_id",
            "citing_id",
            "unit__anchor",
            "unit__label",
            "cited__title",
            "cited__status",
        )
        .order_by("position")
    )
    for ref in references:
        if ref.cited is not None and not ref.cited.is_published:
            ref.cited = None
    return references


def links_by_unit(references) -> dict[int | None, list[Link]]:
    """{unit id (None: the covering text): the links its text gets}, archived notices only."""
    links = defaultdict(list)
    for ref in references:
        if ref.cited is not None:
            link = Link(fold(ref.text), ref.cited.get_absolute_url(), ref.cited.title)
            links[ref.unit_id].append(link)
    return dict(links)


def incoming(notice: Notice) -> tuple[list[Reference], int]:
    """The published notices that cite this one, newest first, one row per citing unit (at
    most CITED_BY_SHOWN), and how many published notices cite it in all (counted apart only
    when there are more than the rows read)."""
    citing = Reference.objects.filter(cited=notice, citing__status=Notice.Status.PUBLISHED)
    read = CITED_BY_SHOWN * 4
    rows = list(
        citing.select_related("citing", "unit")
        .only(
            "citing__title",
            "citing__issued_date",
            "citing__doc_number",
            "unit__anchor",
            "unit__label",
            "unit__heading",
            "effect",
        )
        .order_by(F("citing__issued_date").desc(nulls_last=True), "-citing_id", "position")[:read]
    )
    seen, shown = set(), []
    for ref in rows:
        if (ref.citing_id, ref.unit_id) not in seen and len(shown) < CITED_BY_SHOWN:
            seen.add((ref.citing_id, ref.unit_id))
            shown.append(ref)
    if len(rows) < read:
        return shown, len({ref.citing_id for ref in rows})
    return shown, citing.values("citing_id").distinct().count()


def changed_by(notice: Notice) -> ValidityProposal | None:
    """The accepted proposal that set the notice's present validity, if its reason (the citing
    notice) is published."""
    if notice.validity not in PROPOSED_VALIDITY.values():
        return None
    return (
        notice.validity_proposals.filter(
            decision=ValidityProposal.Decision.ACCEPTED,
            validity=notice.validity,
            by__status=Notice.Status.PUBLISHED,
        )
        .select_related("by")
        .only("validity", "by__title", "by__issued_date", "notice_id")
        .order_by("-decided_at")
        .first()
    )


@dataclass
class CitedDocument:
    """One document a notice cites, with every place of the text that cites it."""

    reference: Reference  # the first mention
    places: list  # the units (None: the covering text), in text order, each once


def cited_documents(references) -> list[CitedDocument]:
    """The notice's references grouped by the document they name, in order of first mention."""
    documents = {}
    for ref in references:
        key = ref.cited_id or ref.doc_number_normalized or ref.title_key or ref.text
        document = documents.setdefault(key, CitedDocument(ref, []))
        if ref.unit not in document.places:
            document.places.append(ref.unit)
    return list(documents.values())
