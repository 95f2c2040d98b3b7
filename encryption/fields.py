"""Encrypted model fields.

A model with encrypted fields has a ``data_key`` foreign key to the data key of
the participant the row belongs to, and a UUID primary key (set before save,
so it can be bound into the associated data). Values are encrypted in
``pre_save`` and decrypted lazily, on first attribute access.
"""

from django import forms
from django.core import checks
from django.db import models

from . import crypto, keycache
from .exceptions import DecryptionError, PlaintextLeak

#: Every concrete model (history models included) that holds encrypted fields.
REGISTRY: dict[type[models.Model], list["EncryptedTextField"]] = {}

DATA_KEY_FIELD = "data_key"


class Sealed(bytes):
    """Ciphertext as read from the database, with its plaintext once decrypted."""

    plaintext: str | None = None


def origin_model(model: type[models.Model]) -> type[models.Model]:
    """The live model whose rows a (possibly historical) model's values belong to."""
    origin = getattr(model, "instance_type", None) or model
    return origin._meta.concrete_model


def binding(instance: models.Model, field_name: str) -> str:
    origin = origin_model(type(instance))
    row_id = instance.__dict__.get(origin._meta.pk.attname)
    if row_id is None:
        raise PlaintextLeak(
            f"{origin._meta.label}.{field_name}: the row has no id yet; encrypted rows "
            "need a UUID primary key set before save"
        )
    return f"{origin._meta.label_lower}.{field_name}:{row_id}"


def data_key_of(instance: models.Model):
    fk = instance._meta.get_field(DATA_KEY_FIELD)
    if fk.is_cached(instance):
        data_key = fk.get_cached_value(instance)
        if data_key is not None:
            return data_key
    data_key_id = getattr(instance, fk.attname)
    if data_key_id is None:
        raise PlaintextLeak(
            f"{instance._meta.label}: no data key set; the service must set data_key first"
        )
    return keycache.get(data_key_id)


class EncryptedAttribute:
    """Data descriptor: stores what Django assigns, decrypts on first read."""

    def __init__(self, field: "EncryptedTextField") -> None:
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        attname = self.field.attname
        if attname not in instance.__dict__:
            instance.refresh_from_db(fields=[attname])
        value = instance.__dict__[attname]
        if isinstance(value, Sealed):
            if value.plaintext is None:
                value.plaintext = self.field.decrypt(instance, value)
            return value.plaintext
        return "" if value is None else value

    def __set__(self, instance, value) -> None:
        if value is not None and not isinstance(value, str | Sealed):
            if isinstance(value, bytes | memoryview):
                raise PlaintextLeak(
                    f"{self.field.attname}: raw bytes assigned to an encrypted field"
                )
            value = str(value)
        instance.__dict__[self.field.attname] = value


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
        if not cls._meta.abstract:
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
        except Exception:  # noqa: BLE001 - FieldDoesNotExist, reported as a check error
            errors.append(
                checks.Error(
                    f"{model._meta.label} has encrypted fields but no '{DATA_KEY_FIELD}' field.",
                    obj=self,
                    id="encryption.E002",
                )
            )
        return errors

    # --- encryption -------------------------------------------------------
    def encrypt(self, instance, plaintext: str) -> Sealed:
        data_key = data_key_of(instance)
        sealed = Sealed(
            crypto.encrypt_value(
                cipher=data_key.cipher(),
                data_key_id=data_key.id,
                generation=data_key.generation,
                plaintext=plaintext,
                binding=binding(instance, self.name),
            )
        )
        sealed.plaintext = plaintext
        return sealed

    def decrypt(self, instance, value: bytes) -> str:
        data_key_id, generation = crypto.read_header(value)
        data_key = data_key_of(instance)
        if data_key.id != data_key_id:
            raise DecryptionError(
                f"{binding(instance, self.name)}: value belongs to another data key"
            )
        return crypto.decrypt_value(
            cipher=data_key.cipher(generation), value=value, binding=binding(instance, self.name)
        )

    def pre_save(self, model_instance, add):
        value = model_instance.__dict__.get(self.attname)
        if value is None or value == "":
            return None
        if isinstance(value, Sealed):
            return value  # unchanged since it was read: never encrypted twice
        sealed = self.encrypt(model_instance, value)
        model_instance.__dict__[self.attname] = sealed
        return sealed

    # --- database conversion ---------------------------------------------
    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return Sealed(bytes(value))

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        if isinstance(value, Sealed):
            return connection.Database.Binary(bytes(value))
        raise PlaintextLeak(
            f"{self.model._meta.label}.{self.name}: plaintext cannot be written or queried "
            "directly; assign it to a model instance and save through a service"
        )

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
