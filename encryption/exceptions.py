"""Errors raised by field encryption. All of them fail the request: none is
ever caught to show ciphertext or a placeholder instead of the value."""


class EncryptionError(Exception):
    """Base class: something about encrypted data is wrong."""


class KeyRingError(EncryptionError):
    """The key ring is missing, malformed or lacks a needed key."""


class DecryptionError(EncryptionError):
    """A value could not be authenticated: wrong key, wrong row or damaged bytes."""


class DataKeyDestroyed(EncryptionError):
    """The participant's data key was destroyed (crypto-shredded)."""


class PlaintextLeak(EncryptionError):
    """Plaintext reached the database layer of an encrypted field."""


class FieldNotPermitted(EncryptionError):
    """A selector withheld this encrypted field from the current user."""
