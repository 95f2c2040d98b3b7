"""Encrypted model fields.

A model with encrypted fields has a ``data_key`` foreign key to the data key of
the participant the row belongs to, and a UUID primary key (set before save,
so it can be bound into the associated data). Values are encrypted in
``pre_save`` and decrypted lazily, on first attribute access.

What the database layer hands out is always ciphertext, never a value that
looks like the plaintext:

- ``values()``, ``values_list()`` and raw queries return :class:`Sealed` bytes.
  ``str()``, formatting and ``decode()`` of a ``Sealed`` raise
  :class:`PlaintextLeak`, so ciphertext can never be rendered as if it were the
  value; read encrypted fields through model instances.
- Filtering on an encrypted field with plaintext (``filter(given_name=...)``,
  ``__icontains`` ...) raises :class:`PlaintextLeak`; use the blind index or
  ``encryption.search``.
- A ``Sealed`` value moved to another row or column (``a.__dict__`` copied
  into ``b``, a constructor argument, ``values()`` output assigned back) does
  not authenticate there: reading or saving it raises ``DecryptionError``.
- A field a selector withheld (:func:`withhold`) raises
  :class:`FieldNotPermitted` when read.
"""

from uuid import UUID

from django import forms
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from . import crypto, keycache
from .exceptions import DecryptionError, FieldNotPermitted, PlaintextLeak

#: Every concrete model (history models included) that holds encrypted fields.
REGISTRY: dict[type[models.Model], list["EncryptedTextField"]] = {}

DATA_KEY_FIELD = "data_key"
#: Where :func:`withhold` keeps the withheld field names: the instance's ModelState
#: (Django's per-instance bookkeeping), not the model's attribute namespace.
WITHHELD_ATTR = "withheld_fields"


def withhold(instance: models.Model, names) -> None:
    """The current user may not read these encrypted fields of ``instance``: reading one
    raises FieldNotPermitted. Adds to what was withheld before; never gives back."""
    state = instance._state.__dict__
    state[WITHHELD_ATTR] = frozenset(state.get(WITHHELD_ATTR, ())) | frozenset(names)


def withheld(instance: models.Model) -> frozenset[str]:
    return instance._state.__dict__.get(WITHHELD_ATTR, frozenset())


class Sealed(bytes):
    """Ciphertext as read from the database, with its plaintext once decrypted.

    ``owner`` is the binding (model, field, row) the value has been
    authenticated for; ``plaintext`` is only trusted for that binding.
    """

    plaintext: str | None = None
    owner: str | None = None

    def __str__(self) -> str:
        raise PlaintextLeak(
            "ciphertext of an encrypted field cannot be shown as text; read the field "
            "through a model instance, not values()/values_list()/raw SQL"
        )

    def __format__(self, format_spec: str) -> str:
        return self.__str__()

    def __repr__(self) -> str:
        return f"<Sealed {len(self)} bytes>"

    def decode(self, *args, **kwargs) -> str:
        return self.__str__()

    def __reduce__(self):
        # Never pickle the decrypted plaintext along with the ciphertext.
        return (Sealed, (bytes(self),))


def origin_model(model: type[models.Model]) -> type[models.Model]:
    """The live model whose rows a (possibly historical) model's values belong to."""
    origin = getattr(model, "instance_type", None) or model
    return origin._meta.concrete_model


def row_id_attname(model: type[models.Model]) -> str:
    """The attribute holding the live row id (on a history model: the copied ``id``)."""
    return origin_model(model)._meta.pk.attname


def binding_for(model: type[models.Model], field_name: str, row_id) -> bytes:
    """The associated-data binding of a value: ``b"app_label.model.field:"`` + row id bytes."""
    return binding_prefix(model, field_name)[1] + row_id_bytes(row_id, model, field_name)


def row_id_bytes(row_id, model: type[models.Model], field_name: str) -> bytes:
    """The 16 bytes of a row id (a UUID, or its text before Django converted it)."""
    if type(row_id) is UUID:
        return row_id.int.to_bytes(16)
    if row_id is None:
        raise PlaintextLeak(
            f"{origin_model(model)._meta.label}.{field_name}: the row has no id yet; "
            "encrypted rows need a UUID primary key set before save"
        )
    # The same row whichever way its id is spelt ("0F2C…", "0f2c…", 32 digits):
    # what the database stores and gives back is the UUID.
    return UUID(str(row_id)).bytes


#: (model, field name) -> (attribute of the live row id, b"app_label.model.field:");
#: bindings are computed on every read, so the class lookups and the constant
#: part are done once per model and field.
_BINDING_PREFIXES: dict[tuple[type[models.Model], str], tuple[str, bytes]] = {}


def binding_prefix(model: type[models.Model], field_name: str) -> tuple[str, bytes]:
    """(attribute of the row id, ``b"app_label.model.field:"``) of a model's field, cached."""
    prefix = _BINDING_PREFIXES.get((model, field_name))
    if prefix is None:
        prefix = _BINDING_PREFIXES[model, field_name] = (
            row_id_attname(model),
            f"{origin_model(model)._meta.label_lower}.{field_name}:".encode(),
        )
    return prefix


def binding(instance: models.Model, field_name: str) -> bytes:
    """The associated-data binding of ``instance``'s value of ``field_name``."""
    attname, prefix = binding_prefix(type(instance), field_name)
    return prefix + row_id_bytes(instance.__dict__.get(attname), type(instance), field_name)


#: model -> attribute of its data key id (the ``data_key`` foreign key's attname).
_DATA_KEY_ATTNAMES: dict[type[models.Model], str] = {}


def data_key_of(instance: models.Model):
    model = type(instance)
    attname = _DATA_KEY_ATTNAMES.get(model)
    if attname is None:
        attname = _DATA_KEY_ATTNAMES[model] = model._meta.get_field(DATA_KEY_FIELD).attname
    data = instance.__dict__
    data_key_id = data[attname] if attname in data else getattr(instance, attname)
    # The DataKey select_related() or an assignment put on the instance, if it
    # is the one the row points at.
    data_key = instance._state.fields_cache.get(DATA_KEY_FIELD)
    if data_key is not None:
        try:
            # UUID.__eq__ is Python code; the ints compare the same ids in C.
            same = data_key.id.int == data_key_id.int
        except AttributeError:  # no id, or one assigned as text
            same = data_key.id == data_key_id
        if same:
            return data_key
    if data_key_id is None:
        raise PlaintextLeak(
            f"{instance._meta.label}: no data key set; the service must set data_key first"
        )
    return keycache.get(data_key_id)


def _decrypt(instance: models.Model, value: bytes, bound: bytes) -> str:
    """The plaintext of ``value`` as ``instance``'s, bound to ``bound``; or raise."""
    key_bytes, generation = crypto.read_header_bytes(value)
    data_key = data_key_of(instance)
    # The key id compared as ints: UUID.bytes is Python code, this runs per value.
    if int.from_bytes(key_bytes) != data_key.id.int:
        raise DecryptionError(f"{crypto.describe(bound)}: value belongs to another data key")
    return crypto.decrypt_value(keycache.cipher(data_key, generation), value, bound)


class EncryptedAttribute(DeferredAttribute):
    """Data descriptor: stores what Django assigns, decrypts on first read.

    A deferred field (``only()``/``defer()``) is fetched as ciphertext, through
    the instance's fetch mode, and decrypted only when read.
    """

    def __init__(self, field) -> None:
        super().__init__(field)
        # Looked up for every row loaded and every value read: kept here once.
        self.attname = field.attname
        self.name = field.name
        #: model -> its binding_prefix() for this field (a subclass reads
        #: through its parent's descriptor; the prefix is the instance's model's).
        self.prefixes: dict[type[models.Model], tuple[str, str]] = {}

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        data = instance.__dict__
        hidden = data["_state"].__dict__.get(WITHHELD_ATTR)
        if hidden and self.name in hidden:
            raise FieldNotPermitted(
                f"{instance._meta.label}.{self.name} was withheld from the current user"
            )
        try:
            value = data[self.attname]
        except KeyError:
            value = self.fetch_deferred(instance)
        if isinstance(value, Sealed):
            model = type(instance)
            prefix = self.prefixes.get(model)
            if prefix is None:
                prefix = self.prefixes[model] = binding_prefix(model, self.name)
            row_id = data.get(prefix[0])
            # binding(), with the usual row id (a UUID) in one C call.
            bound = prefix[1] + (
                row_id.int.to_bytes(16)
                if type(row_id) is UUID
                else row_id_bytes(row_id, model, self.name)
            )
            plaintext = value.plaintext
            if plaintext is None or value.owner != bound:
                # Authenticate the value for *this* row and field, so that a
                # value moved here from elsewhere raises instead of showing.
                plaintext = value.plaintext = _decrypt(instance, value, bound)
                value.owner = bound
            return plaintext
        return "" if value is None else value

    def fetch_deferred(self, instance):
        """The value of a deferred field, fetched (as ciphertext) through the fetch mode."""
        if not instance._is_pk_set():
            raise AttributeError(
                f"Cannot retrieve deferred field {self.attname!r} of an unsaved row"
            )
        instance._state.fetch_mode.fetch(self, instance)
        try:
            return instance.__dict__[self.attname]
        except KeyError:
            raise instance._meta.model.DoesNotExist(
                f"{instance._meta.object_name} matching query does not exist."
            ) from None

    def __set__(self, instance, value) -> None:
        if isinstance(value, Sealed):
            if value.plaintext is None:
                # Ciphertext as loaded (Model.__init__ of every row read): stored
                # as it is, authenticated when read.
                instance.__dict__[self.attname] = value
                return
            # A decrypted value taken from some row: keep it as plaintext, so
            # that it is encrypted for the row it now belongs to.
            value = value.plaintext
        elif value is not None and not isinstance(value, str):
            if isinstance(value, bytes | memoryview):
                raise PlaintextLeak(
                    f"{self.field.attname}: raw bytes assigned to an encrypted field"
                )
            value = str(value)
        current = instance.__dict__.get(self.field.attname)
        if (
            isinstance(value, str)
            and isinstance(current, Sealed)
            and current.plaintext == value
            and current.owner is not None
            and current.owner == binding(instance, self.field.name)
        ):
            # The same value assigned again (full_clean() does this for every
            # field): keep the stored ciphertext, so an unchanged field is not
            # rewritten and history shows it unchanged.
            return
        instance.__dict__[self.field.attname] = value

    def fetch_one(self, instance) -> None:
        # refresh_from_db() would decrypt on a fetched copy; load only the
        # ciphertext here and decrypt when the value is read.
        rows = list(
            self.field.model._base_manager.db_manager(instance._state.db)
            .filter(pk=instance.pk)
            .values_list(self.field.attname, flat=True)
        )
        if rows:
            instance.__dict__[self.field.attname] = rows[0]


class EncryptedTextField(models.Field):
    """Text encrypted with the row's participant data key (AES-256-GCM)."""

    description = "Encrypted text"
    form_class = forms.CharField
    widget = forms.Textarea

    def __init__(self, *args, **kwargs) -> None:
        kwargs["null"] = True  # an empty value is stored as NULL, read back as ""
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("null", None)
        if kwargs.get("blank") is True:
            kwargs.pop("blank")
        if kwargs.get("default") == "":
            kwargs.pop("default")
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "BinaryField"

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only=private_only)
        setattr(cls, self.attname, EncryptedAttribute(self))
        # Migration states render throw-away model classes (module "__fake__");
        # only real models hold rows that rotation and verification must visit.
        if not cls._meta.abstract and cls.__module__ != "__fake__":
            REGISTRY.setdefault(cls, []).append(self)

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        model = self.model
        if model._meta.abstract:
            return errors
        origin = origin_model(model)
        if not isinstance(origin._meta.pk, models.UUIDField):
            errors.append(
                checks.Error(
                    f"{origin._meta.label} has encrypted fields but no UUID primary key.",
                    obj=self,
                    id="encryption.E001",
                )
            )
        try:
            model._meta.get_field(DATA_KEY_FIELD)
        except FieldDoesNotExist:
            errors.append(
                checks.Error(
                    f"{model._meta.label} has encrypted fields but no '{DATA_KEY_FIELD}' field.",
                    obj=self,
                    id="encryption.E002",
                )
            )
        return errors

    # --- encryption -------------------------------------------------------
    def encrypt(self, instance, plaintext: str, *, bound: str | None = None) -> Sealed:
        data_key = data_key_of(instance)
        bound = bound or binding(instance, self.name)
        sealed = Sealed(
            crypto.encrypt_value(
                cipher=keycache.cipher(data_key, data_key.generation),
                data_key_id=data_key.id,
                generation=data_key.generation,
                plaintext=plaintext,
                binding=bound,
            )
        )
        sealed.plaintext = plaintext
        sealed.owner = bound
        return sealed

    def pre_save(self, model_instance, add):
        value = model_instance.__dict__.get(self.attname)
        if value is None or value == "":
            return None
        if isinstance(value, Sealed):
            # Ciphertext is written back as it is (never encrypted twice), but
            # only once it is known to authenticate for this very row and field
            # and to be on the data key's current generation.
            data_key = data_key_of(model_instance)
            bound = binding(model_instance, self.name)
            if value.owner != bound or value.plaintext is None:
                value.plaintext = _decrypt(model_instance, value, bound)
                value.owner = bound
            if crypto.read_header_bytes(value) == (data_key.id.bytes, data_key.generation):
                return value
            value = value.plaintext  # from an older generation: re-encrypt below
        else:
            bound = binding(model_instance, self.name)
        sealed = self.encrypt(model_instance, value, bound=bound)
        model_instance.__dict__[self.attname] = sealed
        return sealed

    # --- database conversion ---------------------------------------------
    def from_db_value(self, value, expression, connection):
        # Having a converter makes Django convert every row of a query (on
        # PostgreSQL, whose plain rows need none, about 2 % of loading a note;
        # docs/performance.md). It stays: it is what makes values(),
        # values_list() and raw() hand out Sealed ciphertext (encryption.search
        # relies on it), and a field cannot tell those queries from the ones
        # that build model instances.
        if value is None:
            return None
        return Sealed(value)  # one copy, from bytes or a memoryview alike

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        if isinstance(value, Sealed):
            return connection.Database.Binary(bytes(value))
        raise PlaintextLeak(
            f"{self.model._meta.label}.{self.name}: plaintext cannot be written or queried "
            "directly; assign it to a model instance and save through a service"
        )

    #: Lookups that compare stored bytes as they are; the value must be ``Sealed``
    #: (or None), so plaintext passed to them raises in get_db_prep_value.
    SAFE_LOOKUPS = frozenset({"isnull", "exact", "in"})

    def get_lookup(self, lookup_name):
        if lookup_name not in self.SAFE_LOOKUPS:
            raise PlaintextLeak(
                f"{self.model._meta.label}.{self.name}: encrypted fields cannot be searched "
                f"with __{lookup_name}; use the blind index or encryption.search"
            )
        return super().get_lookup(lookup_name)

    def to_python(self, value):
        if value is None or isinstance(value, str):
            return value
        raise PlaintextLeak(f"{self.name}: ciphertext where plaintext was expected")

    def value_to_string(self, obj):
        raise PlaintextLeak(f"{self.name}: encrypted fields are not serialised")

    def formfield(self, **kwargs):
        defaults = {
            "form_class": self.form_class,
            "widget": self.widget,
            "required": not self.blank,
        }
        if self.max_length:
            defaults["max_length"] = self.max_length
        defaults.update(kwargs)
        return super().formfield(**defaults)


class EncryptedCharField(EncryptedTextField):
    """Short encrypted text; max_length limits the plaintext, not the column."""

    description = "Encrypted short text"
    widget = forms.TextInput

    def __init__(self, *args, max_length: int = 200, **kwargs) -> None:
        super().__init__(*args, max_length=max_length, **kwargs)
        from django.core.validators import MaxLengthValidator

        self.validators.append(MaxLengthValidator(max_length))
