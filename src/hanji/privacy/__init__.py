"""Korean PII: recognisers with validators, anonymisers, reversible pseudonyms, streaming.

>>> from hanji.privacy import detect, mask
>>> text = "주민등록번호 900101-1234568로 조회"
>>> mask(text, detect(text))
'주민등록번호 900101-1******로 조회'
"""

from hanji.privacy.anonymize import canonical_value, hash_values, mask, mask_value, redact
from hanji.privacy.detect import detect, resolve
from hanji.privacy.pseudonym import Pseudonymizer
from hanji.privacy.stream import StreamGuard
from hanji.privacy.types import DEFAULT_THRESHOLD, ENTITY_TYPES, Entity

__all__ = [
    "DEFAULT_THRESHOLD",
    "ENTITY_TYPES",
    "Entity",
    "Pseudonymizer",
    "StreamGuard",
    "canonical_value",
    "detect",
    "hash_values",
    "mask",
    "mask_value",
    "redact",
    "resolve",
]
