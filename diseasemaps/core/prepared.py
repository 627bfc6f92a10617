"""
A queryset's SQL made once per process, then run with new values.

The ORM compiles a queryset into SQL on every run: for a UNION of a few filtered querysets that
is about 2 ms of Python, against a tenth of that in the database. On the few queries every
member's request runs, `PreparedQuery` compiles once per process (and per shape: the length of
each list of values) and runs the SQL it got with the request's values. The query is still
written in the ORM, with the models' own QuerySet methods, so its rules keep one home.

How: `build` is called with a stand-in for each value, a negative integer no row has and no
query holds as a constant; in the compiled parameters each stand-in is then replaced by the
value it stands for. Values are integers (primary keys) and lists of integers. What the
database gives back goes through the same converters as the ORM's own reads (the fields' and
the database backend's), so a row or an instance is what the queryset itself would give.

On PostgreSQL the SQL is also prepared by the database when the connection allows it
(`prepare_threshold` in the database's OPTIONS, set from DB_PREPARED_STATEMENTS in settings):
the values are then bound on the server, and once a query has run `prepare_threshold` times on
a connection psycopg prepares it, after which PostgreSQL neither parses nor plans it again. At
100,000 members, parsing and planning the viewer-state UNION took about half of its 0.9 ms.
psycopg forgets its prepared statements on each rollback, so they are made again after one.
Django's own cursors bind values on the client and never prepare, whatever the option.
"""

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable

_STAND_INS = itertools.count(-7_300_000_001, -1)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: list
    positions: dict[int, tuple[str, int | None]]  # parameter index: (value's name, list index)
    expressions: list  # what each column of a row is
    model: type[Model] | None  # for a queryset of one model's instances
    attnames: list[str]  # the columns, as the model's attributes


class PreparedQuery:
    def __init__(self, build: Callable[..., QuerySet], *, using: str = "default"):
        self.build = build
        self.using = using
        self._compiled: dict[tuple, _Compiled] = {}

    def run(self, **values: int | Sequence[int]) -> list[tuple]:
        """The rows `build(**values)` selects, as tuples."""
        return self._rows(self._prepared(values), values)

    def instances(self, **values: int | Sequence[int]) -> list[Model]:
        """
        The instances `build(**values)` gives, for a queryset of one model's rows (no related
        rows joined in, no annotations).
        """
        compiled = self._prepared(values)
        if compiled.model is None:
            raise ValueError("the prepared queryset does not give plain model instances")
        from_db = compiled.model.from_db
        return [from_db(self.using, compiled.attnames, row) for row in self._rows(compiled, values)]

    def _prepared(self, values: dict) -> _Compiled:
        shape = tuple(
            (name, len(value) if isinstance(value, list | tuple) else None)
            for name, value in sorted(values.items())
        )
        compiled = self._compiled.get(shape)
        if compiled is None:
            compiled = self._compiled[shape] = self._compile(shape)
        return compiled

    def _rows(self, compiled: _Compiled, values: dict) -> list[tuple]:
        filled = list(compiled.params)
        for index, (name, item) in compiled.positions.items():
            value = values[name]
            filled[index] = int(value if item is None else value[item])
        connection = connections[self.using]
        with _cursor(connection) as cursor:
            cursor.execute(compiled.sql, filled)
            rows = cursor.fetchall()
        converters = []
        for column, expression in enumerate(compiled.expressions):
            found = connection.ops.get_db_converters(expression)
            found += expression.get_db_converters(connection)
            if found:
                converters.append((column, expression, found))
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for column, expression, functions in converters:
                for function in functions:
                    row[column] = function(row[column], expression, connection)
            converted.append(tuple(row))
        return converted

    def _compile(self, shape: tuple) -> _Compiled:
        stand_ins, arguments = {}, {}
        for name, length in shape:
            if length is None:
                arguments[name] = next(_STAND_INS)
                stand_ins[arguments[name]] = (name, None)
            else:
                arguments[name] = [next(_STAND_INS) for _ in range(length)]
                stand_ins.update({value: (name, i) for i, value in enumerate(arguments[name])})
        queryset = self.build(**arguments)
        compiler = queryset.query.get_compiler(using=self.using)
        sql, params = compiler.as_sql()
        positions = {i: stand_ins[p] for i, p in enumerate(params) if p in stand_ins}
        if set(positions.values()) != set(stand_ins.values()):
            raise ValueError("a value of the prepared query does not reach its SQL")
        expressions = [expression for expression, _, _ in compiler.select[: compiler.col_count]]
        model, attnames = None, []
        klass_info = compiler.klass_info
        if (
            queryset._iterable_class is ModelIterable
            and klass_info is not None
            and not klass_info.get("related_klass_infos")
            and not compiler.annotation_col_map
            and klass_info["select_fields"] == list(range(len(expressions)))
        ):
            model = klass_info["model"]
            attnames = [expression.target.attname for expression in expressions]
        return _Compiled(sql, list(params), positions, expressions, model, attnames)


def _cursor(connection):
    """
    Django's cursor on `connection` (counted, logged and wrapped as any other), binding values
    on the server where the connection lets psycopg prepare statements.
    """
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    with connection.wrap_database_errors:
        connection.validate_thread_sharing()
        cursor = ServerBindingCursor(connection.connection)
        if connection.queries_logged:
            return connection.make_debug_cursor(cursor)
        return connection.make_cursor(cursor)
