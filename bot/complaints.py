"""The complaint hotline queue: file, claim, reply, answer, resolve, withdraw, list, show, forget.

Every change is one transaction that also records the staff action (the audit trail) and enqueues the
outbox messages it causes (the hotline announcement, what the complainant is told), so what users see
and what is stored never disagree. A ticket is committed before its number is returned.

Claims are exclusive on both databases: `UPDATE complaint SET status='claimed' … WHERE id=? AND
status='new'` and a row count of 1 decides the winner (SQLite ignores SELECT … FOR UPDATE).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable, Iterable

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot import complaint_texts as texts
from bot import outbox
from bot.errors import Term, UserError
from bot.i18n import N_
from bot.render import escape
from bot.store.models import Complaint, ComplaintMessage, OutboxMessage, StaffAction, TicketCounter, utcnow
from bot.store.repos import dialect_insert

PREFIX = {"hangzhou": "HZ", "zhoushan": "ZS", "urumqi": "UR"}
CATEGORIES = tuple(texts.CATEGORIES)
STATUSES = ("new", "claimed", "answered", "resolved", "withdrawn")
OPEN = ("new", "claimed", "answered")
MAX_TEXT = 4000


@dataclass(frozen=True)
class Ticket:
    """A complaint as the rest of the program sees it (detached from any session)."""

    id: int
    ticket: str
    status: str
    city: str
    category: str
    lang: str
    created_at: dt.datetime
    user_id: int | None = None
    chat_id: int | None = None
    user_name: str | None = None
    description: str | None = None
    contact: str | None = None
    attachments: list = field(default_factory=list)
    claimed_by: int | None = None
    claimed_by_name: str | None = None
    claimed_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    @classmethod
    def of(cls, c: Complaint) -> "Ticket":
        return cls(
            id=c.id, ticket=c.ticket, status=c.status, city=c.city, category=c.category, lang=c.lang,
            created_at=c.created_at, user_id=c.user_id, chat_id=c.chat_id, user_name=c.user_name,
            description=c.description, contact=c.contact, attachments=list(c.attachments or []),
            claimed_by=c.claimed_by, claimed_by_name=c.claimed_by_name, claimed_at=c.claimed_at,
            resolved_at=c.resolved_at, updated_at=c.updated_at,
        )

    def to_json(self, full: bool = False) -> dict:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        out = {
            "ticket": self.ticket, "status": self.status, "city": self.city, "category": self.category,
            "created_at": iso(self.created_at), "claimed_by": self.claimed_by, "claimed_by_name": self.claimed_by_name,
            "lang": self.lang, "updated_at": iso(self.updated_at), "resolved_at": iso(self.resolved_at),
        }
        if full:
            out.update(description=self.description, contact=self.contact, attachments=self.attachments,
                       user_id=self.user_id, user_name=self.user_name)
        return out


@dataclass(frozen=True)
class ClaimResult:
    won: bool
    ticket: Ticket
    holder: str | None = None  # who has it, when someone else won


class TooFast(UserError):
    pass


class Complaints:
    """The hotline queue over a Store. `clock` is injectable for tests of limits and overdue tickets."""

    def __init__(self, store, settings=None, *, clock: Callable[[], dt.datetime] = utcnow,
                 per_10_minutes: int = 3, per_day: int = 10):
        from bot.settings import Settings

        self.store = store
        self.settings = settings or Settings()
        self.clock = clock
        self.per_10_minutes = per_10_minutes
        self.per_day = per_day

    @property
    def hotline(self) -> int | None:
        return self.settings.hotline_chat_id

    @property
    def staff_lang(self) -> str:
        return getattr(self.settings, "default_lang", None) or "en"

    # ------------------------------------------------------------------ filing

    def check_rate(self, user_id: int) -> None:
        """Raise TooFast when this user filed too many complaints lately (a polite wait, not an error)."""
        now = self.clock()
        with self.store.session() as s:
            def count(since):
                return s.scalar(select(func.count()).select_from(Complaint)
                                .where(Complaint.user_id == user_id, Complaint.created_at > since)) or 0
            if count(now - dt.timedelta(minutes=10)) >= self.per_10_minutes:
                raise TooFast(N_("You have filed several complaints in the last few minutes. "
                                 "Please wait %(minutes)s minutes before filing another one."), minutes=10)
            if count(now - dt.timedelta(days=1)) >= self.per_day:
                raise TooFast(N_("You have filed %(n)s complaints today. Please wait until tomorrow "
                                 "or add to one of your open tickets with /status."), n=self.per_day)

    def file(self, *, user_id: int, chat_id: int, city: str, category: str, description: str, lang: str = "en",
             contact: str | None = None, attachments: Iterable[dict] = (), idem_key: str | None = None,
             user_name: str | None = None) -> Ticket:
        """File a complaint; returns the committed ticket. The same (user, idem_key) returns the same ticket."""
        if city not in PREFIX:
            raise UserError(N_("Unknown city %(city)s."), city=city)
        if category not in CATEGORIES:
            raise UserError(N_("Unknown complaint category %(category)s."), category=category)
        description = (description or "").strip()
        if not description:
            raise UserError(N_("Please describe what happened."))
        if idem_key:
            existing = self._by_idem(user_id, idem_key)
            if existing:
                return existing
        self.check_rate(user_id)
        now = self.clock()
        try:
            with self.store.session() as s:
                number = self._next_number(s, PREFIX[city], now.year)
                c = Complaint(
                    ticket=f"{PREFIX[city]}-{now.year}-{number:06d}", city=city, category=category, status="new",
                    lang=lang or "en", user_id=user_id, chat_id=chat_id, user_name=(user_name or None) and user_name[:128],
                    description=description[:MAX_TEXT], contact=(contact or "").strip()[:500] or None,
                    attachments=[dict(a) for a in attachments], idem_key=idem_key, anonymized=False,
                    created_at=now, updated_at=now, announced_at=now if self.hotline else None,
                )
                s.add(c)
                s.flush()
                s.add(StaffAction(complaint_id=c.id, actor_id=user_id, action="filed", created_at=now))
                t = Ticket.of(c)
                if self.hotline:
                    outbox.enqueue(s, self.hotline, "announce", texts.announcement(self.staff_lang, t), complaint_id=c.id, now=now)
                    self._forward_media(s, t, t.attachments, now)
        except IntegrityError:  # the same update filed twice at the same moment: the first one stands
            existing = self._by_idem(user_id, idem_key) if idem_key else None
            if existing is None:
                raise
            return existing
        outbox.notify()
        return t

    def _by_idem(self, user_id: int, idem_key: str) -> Ticket | None:
        with self.store.session() as s:
            c = s.scalar(select(Complaint).where(Complaint.user_id == user_id, Complaint.idem_key == idem_key))
            return Ticket.of(c) if c else None

    def _next_number(self, s, prefix: str, year: int) -> int:
        """Atomic per (prefix, year): an upsert that increments and returns the counter."""
        stmt = dialect_insert(self.store, TicketCounter).values(prefix=prefix, year=year, value=1).on_conflict_do_update(
            index_elements=["prefix", "year"], set_={"value": TicketCounter.value + 1}
        ).returning(TicketCounter.value)
        return s.execute(stmt).scalar_one()

    # ------------------------------------------------------------------ reading

    def get(self, ticket: str | int) -> Ticket | None:
        with self.store.session() as s:
            c = self._find(s, ticket)
            return Ticket.of(c) if c else None

    @staticmethod
    def _find(s, ticket: str | int) -> Complaint | None:
        if isinstance(ticket, int) or (isinstance(ticket, str) and ticket.isdigit()):
            return s.get(Complaint, int(ticket))
        return s.scalar(select(Complaint).where(Complaint.ticket == str(ticket).strip().upper()))

    def list(self, *, status: str | None = None, city: str | None = None, category: str | None = None,
             since: dt.date | None = None, until: dt.date | None = None, user_id: int | None = None,
             limit: int | None = None, statuses: Iterable[str] | None = None) -> list[Ticket]:
        q = select(Complaint).order_by(Complaint.id)
        if status:
            q = q.where(Complaint.status == status)
        if statuses:
            q = q.where(Complaint.status.in_(tuple(statuses)))
        if city:
            q = q.where(Complaint.city == city)
        if category:
            q = q.where(Complaint.category == category)
        if since:
            q = q.where(Complaint.created_at >= _day_start(since))
        if until:
            q = q.where(Complaint.created_at < _day_start(until) + dt.timedelta(days=1))
        if user_id is not None:
            q = q.where(Complaint.user_id == user_id)
        if limit:
            q = q.limit(limit)
        with self.store.session() as s:
            return [Ticket.of(c) for c in s.scalars(q)]

    def for_user(self, user_id: int) -> list[Ticket]:
        """A complainant's own tickets, newest first (never anyone else's)."""
        return list(reversed(self.list(user_id=user_id)))

    def show(self, ticket: str | int) -> dict | None:
        """The full record: the complaint, its thread with delivery states, and the audit trail."""
        with self.store.session() as s:
            c = self._find(s, ticket)
            if c is None:
                return None
            out = Ticket.of(c).to_json(full=True)
            out["messages"] = [
                {"author": m.author, "author_id": m.author_id, "author_name": m.author_name, "text": m.text,
                 "attachments": m.attachments, "delivery": m.delivery, "delivery_error": m.delivery_error,
                 "created_at": m.created_at.isoformat()}
                for m in c.messages
            ]
            out["actions"] = [
                {"action": a.action, "actor_id": a.actor_id, "actor_name": a.actor_name, "note": a.note,
                 "created_at": a.created_at.isoformat()}
                for a in c.actions
            ]
            return out

    def queue(self) -> dict[str, list[Ticket]]:
        """What staff see with /queue: new (overdue separately), claimed/answered."""
        now = self.clock()
        limit = now - dt.timedelta(minutes=self.settings.overdue_minutes)
        open_ = self.list(statuses=OPEN)
        out = {"overdue": [], "new": [], "claimed": []}
        for t in open_:
            if t.status == "new":
                out["overdue" if t.created_at < limit else "new"].append(t)
            elif t.status in ("claimed", "answered"):
                out["claimed"].append(t)
        return out

    def last_reply_delivery(self, complaint_id: int) -> str | None:
        with self.store.session() as s:
            return s.scalar(select(ComplaintMessage.delivery)
                            .where(ComplaintMessage.complaint_id == complaint_id, ComplaintMessage.author == "staff")
                            .order_by(ComplaintMessage.id.desc()).limit(1))

    # ------------------------------------------------------------------ staff actions

    def claim(self, ticket: str | int, staff_id: int, staff_name: str | None = None) -> ClaimResult:
        """Exclusive: of two simultaneous claims exactly one wins; the other learns who has it."""
        now = self.clock()
        with self.store.session() as s:
            c = self._require(s, ticket)
            if not self._try_claim(s, c, staff_id, staff_name, now):
                cid = c.id  # read before rollback: touching an expired object would begin a new transaction
                s.rollback()
                t = self.get(cid)
                return ClaimResult(False, t, t.claimed_by_name or (str(t.claimed_by) if t.claimed_by else None))
            s.refresh(c)
            t = Ticket.of(c)
            self._tell_user(s, t, texts.to_user_status(t), now)
        outbox.notify()
        return ClaimResult(True, t)

    def reply(self, ticket: str | int, staff_id: int, staff_name: str | None, text: str) -> Ticket:
        """A staff answer for the complainant (claims the ticket first when nobody has it)."""
        text = (text or "").strip()
        if not text:
            raise UserError(N_("Please write the reply after the ticket number: /reply TICKET TEXT"))
        now = self.clock()
        with self.store.session() as s:
            c = self._require_actionable(s, ticket, staff_id, staff_name, now)
            c.status, c.updated_at = "answered", now
            msg = ComplaintMessage(complaint_id=c.id, author="staff", author_id=staff_id, author_name=staff_name,
                                   text=text[:MAX_TEXT], attachments=[], delivery="pending", created_at=now)
            s.add(msg)
            s.add(StaffAction(complaint_id=c.id, actor_id=staff_id, actor_name=staff_name, action="reply", created_at=now))
            s.flush()
            t = Ticket.of(c)
            if not self._tell_user(s, t, texts.to_user_reply(t, text), now, thread_message_id=msg.id):
                msg.delivery, msg.delivery_error = "failed", "the complainant erased their data"
        outbox.notify()
        return t

    def resolve(self, ticket: str | int, staff_id: int, staff_name: str | None = None, note: str | None = None) -> Ticket:
        now = self.clock()
        with self.store.session() as s:
            c = self._require_actionable(s, ticket, staff_id, staff_name, now)
            c.status, c.resolved_at, c.updated_at = "resolved", now, now
            s.add(StaffAction(complaint_id=c.id, actor_id=staff_id, actor_name=staff_name, action="resolve",
                              note=(note or "").strip()[:MAX_TEXT] or None, created_at=now))
            s.flush()
            t = Ticket.of(c)
            self._tell_user(s, t, texts.to_user_status(t, note=note), now)
        outbox.notify()
        return t

    def _require(self, s, ticket) -> Complaint:
        c = self._find(s, ticket)
        if c is None:
            raise UserError(N_("There is no complaint %(ticket)s."), ticket=str(ticket))
        return c

    @staticmethod
    def _try_claim(s, c: Complaint, staff_id: int, staff_name: str | None, now) -> bool:
        """The exclusive claim: a conditional UPDATE whose row count decides the one winner (records the action)."""
        res = s.execute(
            update(Complaint).where(Complaint.id == c.id, Complaint.status == "new")
            .values(status="claimed", claimed_by=staff_id, claimed_by_name=staff_name, claimed_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if res.rowcount != 1:
            return False
        s.add(StaffAction(complaint_id=c.id, actor_id=staff_id, actor_name=staff_name, action="claim", created_at=now))
        return True

    def _require_actionable(self, s, ticket, staff_id: int, staff_name: str | None, now) -> Complaint:
        """The ticket, claimed by this staff member (claiming it now if it is new); raises otherwise."""
        c = self._require(s, ticket)
        if c.status in ("resolved", "withdrawn"):
            raise UserError(N_("Complaint %(ticket)s is already %(status)s."), ticket=c.ticket, status=_status(c.status))
        if c.status == "new":
            self._try_claim(s, c, staff_id, staff_name, now)
            s.refresh(c)
        if c.claimed_by != staff_id:
            raise UserError(N_("Complaint %(ticket)s is handled by %(name)s."), ticket=c.ticket,
                            name=c.claimed_by_name or str(c.claimed_by))
        return c

    def _tell_user(self, s, t: Ticket, payload: dict, now, thread_message_id: int | None = None) -> bool:
        if t.chat_id is None:  # the complainant used /forget: nobody to tell
            return False
        outbox.enqueue(s, t.chat_id, "to_user", payload, complaint_id=t.id, thread_message_id=thread_message_id, now=now)
        return True

    def _tell_staff(self, s, t: Ticket, msgid: str, now, **params) -> None:
        if self.hotline:
            outbox.enqueue(s, self.hotline, "notice", texts.staff_notice(self.staff_lang, msgid, t, **params),
                           complaint_id=t.id, now=now)

    def _forward_media(self, s, t: Ticket, attachments: list[dict], now, answer: bool = False) -> None:
        """The complainant's photos and documents, for the group after the message they belong to
        (the outbox sends a file only once the earlier messages of its ticket are out)."""
        if self.hotline:
            for payload in texts.media(self.staff_lang, t, attachments, answer=answer):
                outbox.enqueue(s, self.hotline, outbox.MEDIA, payload, complaint_id=t.id, now=now)

    def reannounce_overdue(self) -> int:
        """Announce again every ticket left unclaimed past Settings.overdue_minutes (run from the JobQueue)."""
        if not self.hotline:
            return 0
        now = self.clock()
        minutes = self.settings.overdue_minutes
        cutoff = now - dt.timedelta(minutes=minutes)
        done = 0
        with self.store.session() as s:
            ids = s.scalars(select(Complaint.id).where(
                Complaint.status == "new", Complaint.created_at < cutoff,
                or_(Complaint.announced_at.is_(None), Complaint.announced_at < cutoff))).all()
            for cid in ids:
                # conditional, so two processes running the job do not announce twice
                res = s.execute(update(Complaint).where(
                    Complaint.id == cid, Complaint.status == "new",
                    or_(Complaint.announced_at.is_(None), Complaint.announced_at < cutoff))
                    .values(announced_at=now).execution_options(synchronize_session=False))
                if res.rowcount != 1:
                    continue
                t = Ticket.of(s.get(Complaint, cid))
                age = int((now - t.created_at).total_seconds() // 60)
                outbox.enqueue(s, self.hotline, "announce", texts.announcement(self.staff_lang, t, again_minutes=age),
                               complaint_id=cid, now=now)
                s.add(StaffAction(complaint_id=cid, action="reannounce", created_at=now))
                done += 1
        if done:
            outbox.notify()
        return done

    # ------------------------------------------------------------------ complainant actions

    def _own(self, s, ticket, user_id: int) -> Complaint:
        c = self._find(s, ticket)
        if c is None or c.user_id != user_id:  # someone else's ticket looks exactly like a missing one
            raise UserError(N_("You have no complaint %(ticket)s."), ticket=str(ticket))
        return c

    def withdraw(self, ticket: str | int, user_id: int) -> Ticket:
        now = self.clock()
        with self.store.session() as s:
            c = self._own(s, ticket, user_id)
            if c.status not in OPEN:
                raise UserError(N_("Complaint %(ticket)s is already %(status)s."), ticket=c.ticket, status=_status(c.status))
            c.status, c.updated_at = "withdrawn", now
            s.add(StaffAction(complaint_id=c.id, actor_id=user_id, action="withdraw", created_at=now))
            s.flush()
            t = Ticket.of(c)
            # no Claim / Reply / Resolve: a withdrawn ticket takes none of them
            self._tell_staff(s, t, N_("↩️ The complainant withdrew <b>%(ticket)s</b>."), now, with_buttons=False)
        outbox.notify()
        return t

    def answer(self, ticket: str | int, user_id: int, text: str, attachments: Iterable[dict] = ()) -> Ticket:
        """The complainant writes into the ticket's thread; the hotline group is told."""
        now = self.clock()
        text = (text or "").strip()
        attachments = [dict(a) for a in attachments]
        if not text and not attachments:
            raise UserError(N_("Please write your answer."))
        with self.store.session() as s:
            c = self._own(s, ticket, user_id)
            if c.status not in OPEN:
                raise UserError(N_("Complaint %(ticket)s is already %(status)s. Please file a new complaint."),
                                ticket=c.ticket, status=_status(c.status))
            s.add(ComplaintMessage(complaint_id=c.id, author="user", author_id=user_id, text=text[:MAX_TEXT],
                                   attachments=attachments, delivery="sent", created_at=now))
            s.add(StaffAction(complaint_id=c.id, actor_id=user_id, action="answer", created_at=now))
            c.updated_at = now
            s.flush()
            t = Ticket.of(c)
            extra = f" (+{len(attachments)} 📎)" if attachments else ""
            self._tell_staff(s, t, N_("💬 The complainant answered on <b>%(ticket)s</b>:\n<blockquote>%(text)s</blockquote>"),
                             now, text=escape(texts.clip(text, texts.MAX_FULL)) + extra)
            self._forward_media(s, t, attachments, now, answer=True)
        outbox.notify()
        return t

    def forget_user(self, user_id: int) -> int:
        """Erase a user's personal data; their tickets stay as anonymous statistics. Returns tickets touched."""
        now = self.clock()
        with self.store.session() as s:
            complaints = list(s.scalars(select(Complaint).where(Complaint.user_id == user_id)))
            for c in complaints:
                c.description = c.contact = c.user_name = c.idem_key = None
                c.attachments, c.user_id, c.chat_id, c.anonymized, c.updated_at = [], None, None, True, now
                for m in c.messages:
                    m.text, m.attachments = None, []
                    if m.author == "user":
                        m.author_id = None
                for a in c.actions:
                    if a.actor_id == user_id and a.action in ("filed", "withdraw", "answer"):
                        a.actor_id = None
                s.add(StaffAction(complaint_id=c.id, action="forget", created_at=now))
            ids = [c.id for c in complaints]
            if ids:  # messages not sent yet carry their text: cancel those to them, blank the announcements
                s.execute(update(OutboxMessage).where(OutboxMessage.complaint_id.in_(ids), OutboxMessage.status == "pending",
                                                      OutboxMessage.kind != "announce").values(status="cancelled"))
                s.flush()
                for row in s.scalars(select(OutboxMessage).where(OutboxMessage.complaint_id.in_(ids),
                                                                 OutboxMessage.status == "pending")):
                    row.payload = texts.announcement(self.staff_lang, Ticket.of(s.get(Complaint, row.complaint_id)))
        self.store.chats.forget_user(user_id)
        self.store.feedback.forget_user(user_id)
        return len(complaints)


def _status(status: str) -> Term:
    """The status as a translatable term, so an error shows "已办结", not "resolved"."""
    return Term(texts.STATUS.get(status, status))


def _day_start(d: dt.date | str) -> dt.datetime:
    if isinstance(d, str):
        d = dt.date.fromisoformat(d)
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc)


__all__ = ["Complaints", "Ticket", "ClaimResult", "TooFast", "PREFIX", "CATEGORIES", "STATUSES"]
