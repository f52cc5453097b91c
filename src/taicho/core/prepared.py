"""Querysets whose SQL Django compiles once per database connection: later runs only bind new values.

Compiling a queryset is most of what a small query costs in Django (~1–3 ms for a row locked with its related
rows, against ~0.2 ms for PostgreSQL to answer it). The steps of a dossier send the same few queries on every
request — the API token, the dossier row locked, the paper locked, the last event — so those are built once
as a :class:`Prepared` from a function of their parameters::

    LOCK = Prepared(lambda pk: Dossier.objects.select_for_update().filter(pk=pk), models.IntegerField())
    dossier = LOCK.get(42)

On its first run on a connection the function is called with *sentinel* values, one per parameter, and the
queryset compiled by Django itself. Every parameter of the compiled SQL is then either one of the sentinels
(prepared for the database as Django prepares a lookup value) or a constant of the query. Later runs send
the same SQL with the sentinels replaced by the given values, prepared the same way, and build the model
instances as Django's ``ModelIterable`` does (``from_db``, ``select_related`` populators, converters).

Nothing is guessed: when a sentinel does not come out of the compiler unchanged (a lookup that transforms its
value, e.g. ``__contains`` or ``__year``), or a constant contains one, the query is refused when first built
(ImproperlyConfigured) — it must stay an ordinary queryset. The tests compare every prepared query with its
ordinary queryset.

The same for the writes every step makes: :func:`create_row` (``objects.create``) and :func:`update_row`
(``save(update_fields=…)``) compile their statement once per connection and set of columns, and prepare the
values with Django's own compiler; :func:`related` reads a foreign key's row by primary key. Where Django's
save would do more than its one statement (an overridden save, signal receivers, a parent table) or a value is
an SQL expression, they leave the work to Django.
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Callable
from datetime import date
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.models import signals, sql
from django.db.models.query import QuerySet, get_related_populators  # type: ignore[attr-defined]
from django.db.transaction import TransactionManagementError

__all__ = ["Prepared", "by_pk", "create_row", "related", "update_row"]

M = TypeVar("M", bound=models.Model)

_ARG = object()  # marks a parameter position filled from the call's arguments


def _sentinel(field: models.Field, index: int) -> Any:
    """A value no real query uses, distinct per position, of the field's Python type."""
    if isinstance(field, (models.IntegerField, models.AutoField)):
        return -2_000_000_000 + 7919 * index  # within every integer column's range
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return date(1001 + index, 1, 1)
    if isinstance(field, models.CharField | models.TextField):
        return f"\x1ftaicho-prepared-{index}\x1f"
    raise ImproperlyConfigured(f"Prepared: no sentinel for {type(field).__name__}")


def _same(prepared: Any, compiled: Any) -> bool:
    """Whether a compiled parameter is this prepared sentinel (ints compare as ints: psycopg's Int4 is one)."""
    if isinstance(prepared, bool) or isinstance(compiled, bool):
        return False
    for kind in (int, str, date):
        if isinstance(prepared, kind) and isinstance(compiled, kind):
            return bool(prepared == compiled)
    return False


def _bind(value: Any, kind: type) -> Any:
    return kind(value) if kind in (int, str) and type(value) is not kind else value


class _Template:
    """The compiled form of a prepared query on one connection."""

    def __init__(self, queryset: QuerySet, connection: Any, prepped: list[Any]) -> None:
        compiler = queryset.query.get_compiler(connection=connection)
        text, params = compiler.as_sql()
        slots: list[Any] = []
        found: set[int] = set()
        for value in params:
            position = next((i for i, p in enumerate(prepped) if _same(p, value)), None)
            if position is not None:
                # Bound later as the compiler bound the sentinel (e.g. a plain int where the field's own
                # preparation gives psycopg's Int4).
                slots.append((_ARG, (position, type(value))))
                found.add(position)
                continue
            if any(
                isinstance(p, str) and isinstance(value, str) and p.strip("\x1f") in value for p in prepped
            ):
                raise ImproperlyConfigured(f"Prepared: a lookup transforms its parameter: {text}")
            slots.append((None, value))
        if found != set(range(len(prepped))):
            raise ImproperlyConfigured(f"Prepared: a parameter does not reach the SQL unchanged: {text}")
        self.sql = text
        self.slots = slots
        self.locks = bool(queryset.query.select_for_update)
        self.klass_info = compiler.klass_info
        self.col_count = compiler.col_count
        select = compiler.select
        self.converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
        self.compiler = compiler
        self.model = queryset.model
        if self.klass_info is not None:
            start, end = self.klass_info["select_fields"][0], self.klass_info["select_fields"][-1] + 1
            self.model_slice = slice(start, end)
            self.init_list = [f[0].target.attname for f in select[start:end]]
            self.populators = get_related_populators(self.klass_info, select, connection.alias)
            self.annotations = dict(compiler.annotation_col_map)


class Prepared(Generic[M]):
    """A queryset compiled once per connection; see the module's documentation."""

    def __init__(
        self, build: Callable[..., QuerySet[M, Any]], *fields: models.Field, using: str = DEFAULT_DB_ALIAS
    ):
        self._build = build
        self._fields = fields
        self._using = using
        self._templates: weakref.WeakKeyDictionary[Any, _Template] = weakref.WeakKeyDictionary()

    def _template(self, connection: Any) -> _Template:
        template = self._templates.get(connection)
        if template is None:
            sentinels = [_sentinel(f, i) for i, f in enumerate(self._fields)]
            prepped = [
                f.get_db_prep_value(s, connection, prepared=False)
                for f, s in zip(self._fields, sentinels, strict=True)
            ]
            try:
                template = _Template(self._build(*sentinels), connection, prepped)
            except ImproperlyConfigured:
                raise
            except Exception as exc:  # e.g. `__year` computes a range from its value
                raise ImproperlyConfigured(f"Prepared: a lookup transforms its parameter ({exc})") from exc
            self._templates[connection] = template  # one connection per thread: no race
        return template

    def queryset(self, *args: Any) -> QuerySet[M, Any]:
        """The ordinary queryset for these values (what this query is equivalent to)."""
        return self._build(*args)

    def rows(self, *args: Any) -> list[tuple[Any, ...]]:
        """The converted rows, as ``values_list`` gives them."""
        return self._run(args)[1]

    def all(self, *args: Any) -> list[M]:
        template, rows = self._run(args)
        if template.klass_info is None:
            raise ImproperlyConfigured("Prepared.all() needs a queryset of model instances; use rows()")
        model = template.klass_info["model"]
        alias = self._using
        found = []
        for row in rows:
            obj = model.from_db(alias, template.init_list, row[template.model_slice])
            for populator in template.populators:
                populator.populate(row, obj)
            for name, position in template.annotations.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found

    def first(self, *args: Any) -> M | None:
        found = self.all(*args)
        return found[0] if found else None

    def get(self, *args: Any) -> M:
        found = self.all(*args)
        if len(found) == 1:
            return found[0]
        model = self._template(connections[self._using]).model
        if not found:
            raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
        raise model.MultipleObjectsReturned(f"get() returned more than one {model._meta.object_name}")

    def _run(self, args: tuple[Any, ...]) -> tuple[_Template, list[tuple[Any, ...]]]:
        if len(args) != len(self._fields):
            raise TypeError(f"Prepared query takes {len(self._fields)} values, {len(args)} given")
        connection = connections[self._using]
        template = self._template(connection)
        if template.locks and connection.get_autocommit():
            # As Django does for select_for_update (a lock outside a transaction is released at once).
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        if any(value is None for value in args):
            # `filter(x=None)` compiles to IS NULL, another statement: not this one's to answer.
            raise ValueError("Prepared query values cannot be None")
        prepped = [
            field.get_db_prep_value(v, connection, prepared=False)
            for field, v in zip(self._fields, args, strict=True)
        ]
        params = [
            _bind(prepped[value[0]], value[1]) if kind is _ARG else value for kind, value in template.slots
        ]
        with connection.cursor() as cursor:
            cursor.execute(template.sql, params)
            raw = cursor.fetchall()
        rows = [tuple(r[: template.col_count]) for r in raw]
        if template.converters:
            rows = [tuple(r) for r in template.compiler.apply_converters(rows, template.converters)]
        return template, rows


# --- writes: one new row, or chosen columns of one row --------------------------------------------------------


def _plain(model: type[models.Model]) -> bool:
    """Whether ``Model.save`` of this model does nothing but its one statement: save not overridden, no parent
    table, no ``order_with_respect_to``, no receivers of pre/post_save, no field that places its own SQL."""
    meta = model._meta
    return (
        model.save is models.Model.save
        and model.save_base is models.Model.save_base
        and not meta.parents
        and meta.order_with_respect_to is None
        and not signals.pre_save.has_listeners(model)
        and not signals.post_save.has_listeners(model)
        and not any(hasattr(f, "get_placeholder") for f in meta.local_concrete_fields)
    )


class _InsertTemplate:
    def __init__(self, obj: models.Model, connection: Any) -> None:
        meta = obj._meta
        self.fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
        self.returning = meta.db_returning_fields
        query = sql.InsertQuery(type(obj))
        query.insert_values(self.fields, [obj], raw=False)
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = self.returning
        [(self.sql, params)] = compiler.as_sql()
        if len(params) != len(self.fields) or self.sql.count("%s") != len(self.fields):
            raise ImproperlyConfigured(f"Prepared insert: unexpected SQL {self.sql}")
        self.compiler = compiler


class _UpdateTemplate:
    def __init__(
        self, obj: models.Model, fields: list[models.Field], raw: list[Any], connection: Any
    ) -> None:
        query = sql.UpdateQuery(type(obj))
        query.add_update_fields([(f, None, v) for f, v in zip(fields, raw, strict=True)])
        query.add_q(models.Q(pk=obj.pk))
        self.sql, params = query.get_compiler(connection=connection).as_sql()
        expected = sum(v is not None for v in raw) + 1  # Django writes a None as NULL in the SQL itself
        if len(params) != expected or self.sql.count("%s") != expected:
            raise ImproperlyConfigured(f"Prepared update: unexpected SQL {self.sql}")


_INSERTS: weakref.WeakKeyDictionary[Any, dict[type, _InsertTemplate]] = weakref.WeakKeyDictionary()
_UPDATES: weakref.WeakKeyDictionary[
    Any, dict[tuple[type, tuple[str, ...], tuple[bool, ...]], _UpdateTemplate]
] = weakref.WeakKeyDictionary()


def _expression(value: Any) -> bool:
    return hasattr(value, "resolve_expression") or hasattr(value, "as_sql")


def create_row(model: type[M], using: str = DEFAULT_DB_ALIAS, **values: Any) -> M:
    """``model.objects.create(**values)`` with the INSERT compiled once per connection. Values are prepared
    for the database and the returned columns (the id) read back by Django's own compiler; a model whose save
    does more than the one statement (see :func:`_plain`), or a value that is an SQL expression, is saved by
    Django as usual."""
    obj = model(**values)
    connection = connections[using]
    if not _plain(model):
        obj.save(force_insert=True, using=using)
        return obj
    obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    templates = _INSERTS.setdefault(connection, {})
    template = templates.get(model)
    if template is None:
        template = templates[model] = _InsertTemplate(obj, connection)
    compiler = template.compiler
    raw = [compiler.pre_save_val(f, obj) for f in template.fields]
    if any(_expression(v) for v in raw):
        obj.save(force_insert=True, using=using)
        return obj
    params = [compiler.prepare_value(f, v) for f, v in zip(template.fields, raw, strict=True)]
    run = copy.copy(compiler)
    run.as_sql = lambda: [(template.sql, params)]  # type: ignore[method-assign]
    with transaction.mark_for_rollback_on_error(using):
        rows = run.execute_sql(template.returning)
    for value, field in zip(rows[0] if rows else (), template.returning, strict=False):
        setattr(obj, field.attname, value)
    obj._state.adding = False
    obj._state.db = using
    return obj


def update_row(obj: models.Model, fields: list[str], using: str = DEFAULT_DB_ALIAS) -> None:
    """``obj.save(update_fields=fields)`` with the UPDATE compiled once per connection and set of columns;
    like Django, fails (DatabaseError) when no row was updated. A model whose save does more than the one
    statement, or a value that is an SQL expression, is saved by Django as usual."""
    model = type(obj)
    connection = connections[using]
    wanted = set(fields)
    chosen = [
        f
        for f in model._meta.local_concrete_fields
        if not f.primary_key and not f.generated and (f.name in wanted or f.attname in wanted)
    ]
    if not _plain(model) or obj.pk is None or not chosen:
        obj.save(update_fields=fields, using=using)
        return
    raw = [f.pre_save(obj, False) for f in chosen]
    if any(_expression(v) for v in raw):
        obj.save(update_fields=fields, using=using)
        return
    key = (model, tuple(f.attname for f in chosen), tuple(v is None for v in raw))
    templates = _UPDATES.setdefault(connection, {})
    template = templates.get(key)
    if template is None:
        template = templates[key] = _UpdateTemplate(obj, chosen, raw, connection)
    params = [
        f.get_db_prep_save(v, connection=connection)
        for f, v in zip(chosen, raw, strict=True)
        if v is not None
    ]
    params.append(model._meta.pk.get_db_prep_value(obj.pk, connection, prepared=False))
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(template.sql, params)
        updated = cursor.rowcount
    if not updated:
        raise DatabaseError("Save with update_fields did not affect any rows.")
    obj._state.adding = False
    obj._state.db = using


# --- a row by its primary key, and a forward foreign key -------------------------------------------------------

_BY_PK: dict[type, Prepared[Any]] = {}


def by_pk(model: type[M], pk: Any) -> M:
    """``model._base_manager.get(pk=pk)``, compiled once per connection (DoesNotExist as Django's)."""
    query = _BY_PK.get(model)
    if query is None:
        query = _BY_PK[model] = Prepared(lambda key: model._base_manager.filter(pk=key), model._meta.pk)
    return query.get(pk)  # type: ignore[no-any-return]


def related(obj: models.Model, name: str) -> Any:
    """``getattr(obj, name)`` for a forward foreign key: the related row read by primary key with a query
    compiled once per connection, and kept on ``obj`` as Django keeps it. A one-to-one field, or a key to a
    column other than the primary key, is read by Django as usual."""
    field = obj._meta.get_field(name)
    if field.is_cached(obj) or not field.many_to_one or not field.target_field.primary_key:  # type: ignore[union-attr]
        return getattr(obj, name)
    key = getattr(obj, field.attname)  # type: ignore[union-attr]
    value = None if key is None else by_pk(field.related_model, key)  # type: ignore[arg-type]
    field.set_cached_value(obj, value)  # type: ignore[union-attr]
    return value
