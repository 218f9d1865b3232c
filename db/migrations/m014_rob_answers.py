"""rob_answers: every risk-of-bias entry a reviewer makes, as an append-only event.

An entry is about a study (by its UUID, the same in every copy of the review), an instrument
(rob2, robins-i, ...) and a result (the outcome and time point assessed; "" for the whole
study). Its item says what it is: an answer to a signalling question (domain, question,
answer Y/PY/PN/N/NI/NA), a preliminary consideration (question = its key, answer its text),
a domain judgement set by the reviewer (item "judgement": an override of the algorithm, with
its justification in support; ROBINS-I's domain judgements are all of this kind), the
overall judgement (item "overall", domain ""), or the reviewer's mark that they finished
(item "done", answer "true"/"false"). Support text, and a quote with its page, go with an
answer. A consensus (role "consensus") names in `settles` the events it settled. An edit is a
new event; undo is a row naming the event it undoes; answer null clears an entry.

current_rob_answers: per entry and reviewer (and role), the latest event not undone, by
(created_at, uuid), as current_extraction_values orders values, so merged copies agree; and,
like it, each answer read under the study its report now belongs to (study_aliases,
migration 13), so an assessment follows its study when reports are linked or merged.
"""

from __future__ import annotations

from sqlite_utils import Database

CURRENT_ROB_ANSWERS = """
SELECT * FROM (
    SELECT a.id, a.uuid, coalesce(s.study, a.study_uuid) AS study_uuid, a.instrument,
           a.result, a.reviewer, a.role, a.item, a.domain, a.question, a.answer, a.support,
           a.quote, a.page, a.settles, a.undoes, a.created_at,
           a.study_uuid AS entered_under,
           row_number() OVER (
               PARTITION BY coalesce(s.study, a.study_uuid), a.instrument, a.result, a.item,
                            a.domain, a.question, a.reviewer, a.role
               ORDER BY a.created_at DESC, a.uuid DESC
           ) AS latest
    FROM rob_answers a
    LEFT JOIN study_aliases s ON s.alias = a.study_uuid
    WHERE a.undoes IS NULL
      AND NOT EXISTS (SELECT 1 FROM rob_answers u WHERE u.undoes = a.uuid)
) WHERE latest = 1
"""


def upgrade(db: Database) -> None:
    db.table("rob_answers").create(
        {
            "id": int,
            "uuid": str,
            "study_uuid": str,
            "instrument": str,
            "result": str,
            "reviewer": str,
            "role": str,  # assessor, or consensus
            "item": str,  # answer, preliminary, judgement, overall, done
            "domain": str,
            "question": str,
            "answer": str,  # null clears the entry
            "support": str,  # support text; a judgement's justification
            "quote": str,
            "page": str,
            "settles": str,  # consensus: JSON list of the event uuids it settled
            "undoes": str,
            "created_at": str,
        },
        pk="id",
        not_null={"uuid", "study_uuid", "instrument", "reviewer", "role", "item", "created_at"},
        defaults={"result": "", "role": "assessor", "domain": "", "question": ""},
    )
    table = db.table("rob_answers")
    table.create_index(["uuid"], unique=True)
    table.create_index(["study_uuid", "instrument", "reviewer"])
    table.create_index(["undoes"])
    db.create_view("current_rob_answers", CURRENT_ROB_ANSWERS)
