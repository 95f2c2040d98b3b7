"""Query building blocks shared by the apps' selectors.

``InSubqueryFirst(F("participant_id"), queryset)``: the rows whose column is
one of the values the subquery returns, written so that the database reads the
subquery first and then looks the values up in the column's index.

Plain ``participant_id IN (SELECT …)`` is the same condition, but PostgreSQL
cannot start from the subquery when the condition sits inside an ``OR``
(it becomes a hashed SubPlan tested against every row of the table) and, when
another indexed condition is at hand (a status, a date), it often starts from
that one across every enterprise instead. ``= ANY(ARRAY(SELECT …))`` is an
InitPlan: run once, its array is an index condition like any list of values,
and an ``OR`` of two such conditions becomes a BitmapOr of two index scans.
SQLite already reads ``IN (SELECT …)`` subqueries first, so it keeps them.

docs/performance.md shows what this changed (the auditor's access log and the
manager's home page at 100,000 participants).
"""

from django.db.models.lookups import In


class InSubqueryFirst(In):
    """``lhs IN (subquery)``; on PostgreSQL ``lhs = ANY(ARRAY(subquery))``."""

    def __init__(self, lhs, rhs):
        from django.db.models import QuerySet

        if not isinstance(rhs, QuerySet):
            raise TypeError("InSubqueryFirst takes a queryset of one column")
        super().__init__(lhs, rhs.query)

    def as_postgresql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        if not (rhs_sql.startswith("(") and rhs_sql.endswith(")")):
            # The subquery compiles with its parentheses; anything else would
            # make ARRAY… invalid SQL, so say so rather than guess.
            raise ValueError(f"unexpected subquery SQL: {rhs_sql[:40]}")
        return f"{lhs_sql} = ANY(ARRAY{rhs_sql})", (*lhs_params, *rhs_params)
