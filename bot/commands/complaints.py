"""`talentbot complaints list|show TICKET|export`: the hotline queue from the shell, for supervisors.

Filters: --status, --city, --category, --since/--until (YYYY-MM-DD, inclusive). `--json` prints the
objects of interfaces section 2; `export` writes CSV (stdout or --output), one row per ticket with its
history summarised and without personal data (texts and contacts are in `show`). Uses Settings.database_url (DATABASE_URL), migrating it first like every command.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys

from bot.errors import UserError
from bot.i18n import N_

CSV_FIELDS = ("ticket", "status", "city", "category", "created_at", "updated_at", "claimed_by", "claimed_by_name",
              "resolved_at", "lang", "replies", "answers", "last_action")


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(N_("%(name)s must be a date like 2026-03-01, not %(value)r."), name=name, value=value)


def _service(args):
    from bot.complaints import Complaints
    from bot.settings import Settings
    from bot.store import Store

    settings = Settings.load(getattr(args, "env_file", None))
    store = Store(settings.database_url)
    store.migrate()
    return Complaints(store, settings)


def _filters(args) -> dict:
    return dict(status=args.status, city=args.city, category=args.category,
                since=_date(args.since, "--since"), until=_date(args.until, "--until"))


def run(args) -> int:
    svc = _service(args)
    cmd = args.complaints_command
    if cmd == "show":
        return _show(svc, args)
    tickets = svc.list(**_filters(args))
    if cmd == "list":
        if args.json:
            json.dump([t.to_json() for t in tickets], sys.stdout, ensure_ascii=False, indent=1)
            print()
        else:
            for t in tickets:
                print(f"{t.ticket}\t{t.status}\t{t.city}\t{t.category}\t{t.created_at:%Y-%m-%d %H:%M}\t{t.claimed_by_name or t.claimed_by or ''}")
            print(f"{len(tickets)} complaint(s)", file=sys.stderr)
        return 0
    return _export(svc, tickets, args)


def _show(svc, args) -> int:
    record = svc.show(args.ticket)
    if record is None:
        raise UserError(N_("There is no complaint %(ticket)s."), ticket=args.ticket)
    if args.json:
        json.dump(record, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    print(f"{record['ticket']}  {record['status']}  {record['city']}  {record['category']}  filed {record['created_at']}")
    if record.get("claimed_by"):
        print(f"claimed by {record.get('claimed_by_name') or record['claimed_by']}")
    if record.get("contact"):
        print(f"contact: {record['contact']}")
    print()
    print(record.get("description") or "(erased at the complainant's request)")
    for a in record.get("attachments") or []:
        print(f"  [{a.get('kind')}] {a.get('file_id')} {a.get('name') or ''}")
    if record["messages"]:
        print("\nthread:")
        for m in record["messages"]:
            who = m["author_name"] or m["author"]
            print(f"  {m['created_at']}  {who} ({m['author']}, {m['delivery']}): {m['text'] or '(erased)'}")
    print("\nhistory:")
    for a in record["actions"]:
        who = a["actor_name"] or a["actor_id"] or ""
        print(f"  {a['created_at']}  {a['action']}  {who}  {a['note'] or ''}".rstrip())
    return 0


def _export(svc, tickets, args) -> int:
    out = open(args.output, "w", newline="", encoding="utf-8") if args.output else sys.stdout
    try:
        # statistics, not personal data: texts and contacts stay in `show`
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for t in tickets:
            record = svc.show(t.id)
            row = t.to_json(full=True)
            row["replies"] = sum(1 for m in record["messages"] if m["author"] == "staff")
            row["answers"] = sum(1 for m in record["messages"] if m["author"] == "user")
            row["last_action"] = record["actions"][-1]["action"] if record["actions"] else ""
            writer.writerow(row)
    finally:
        if args.output:
            out.close()
    if args.output:
        print(f"exported {len(tickets)} complaint(s) to {args.output}", file=sys.stderr)
    return 0
