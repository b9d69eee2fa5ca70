"""Long staff lists a page at a time (GOV.UK pagination): the database counts the rows and
returns one page of them, so a page costs the same whatever an authority has recorded."""
from dataclasses import dataclass, replace

from sqlalchemy import func, select

from facilitator.extensions import db

PER_PAGE = 25


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    total: int
    per_page: int = PER_PAGE

    @property
    def count(self):
        return max(1, -(-self.total // self.per_page))

    @property
    def first_shown(self):
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_shown(self):
        return min(self.total, self.number * self.per_page)

    def with_items(self, items):
        """The same page, its rows made ready for the template."""
        return replace(self, items=items)

    def links(self):
        """The page numbers to link, GOV.UK style: the first, the last, and the current one
        with its neighbours; None where numbers are left out (an ellipsis)."""
        wanted = {1, self.count, self.number - 1, self.number, self.number + 1}
        shown, last = [], 0
        for number in sorted(n for n in wanted if 1 <= n <= self.count):
            if number > last + 1:
                shown.append(None)
            shown.append(number)
            last = number
        return shown


def page_number(value):
    """The page asked for in a query string; anything that is not a page number is page 1."""
    text = str(value or "")
    return max(1, int(text)) if text.isdigit() and len(text) < 7 else 1


def count_of(query):
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def counts_of(queries):
    """The number of rows of each query, in one statement (a page of several lists asks the
    database once for all its counts)."""
    return list(db.session.execute(select(*[
        select(func.count()).select_from(query.order_by(None).subquery()).scalar_subquery()
        for query in queries])).one())


def page_of(query, number, per_page=PER_PAGE, *, total=None, rows=False, widen=None):
    """One page of `query` (ORM objects, or with `rows` whole result rows) with the count of
    them all (`total`, when the caller has counted already); a page past the end shows the
    last one. The count is its own statement: an index answers it, where a count riding along
    the page would make the database read every matching row in full.

    `widen(page)`, given the page's rows of a narrow `query` as a subquery, returns what the
    list shows for them: the page is found along an index first and only its rows are joined
    to the records they show."""
    total = count_of(query) if total is None else total
    number = min(number, max(1, -(-total // per_page)))
    sliced = query.limit(per_page).offset((number - 1) * per_page)
    if widen is not None:
        sliced = widen(sliced.subquery())
    items = (db.session.execute(sliced).all() if rows
             else db.session.scalars(sliced).unique().all())
    return Page(items=items, number=number, total=total, per_page=per_page)
