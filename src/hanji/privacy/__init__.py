"""Korean PII: recognisers with validators, anonymisers, reversible pseudonyms, streaming.

>>> from hanji.privacy import detect, mask
>>> text = "주민등록번호 900101-1234568로 조회"
>>> mask(text, detect(text))
'주민등록번호 900101-1******로 조회'
"""

from hanji.lazy import lazy_exports

# Imported on first use: the CLI imports this package for every `hanji` command.
__all__ = lazy_exports(
    __name__,
    {
        "DEFAULT_THRESHOLD": "hanji.privacy.types",
        "ENTITY_TYPES": "hanji.privacy.types",
        "Entity": "hanji.privacy.types",
        "Pseudonymizer": "hanji.privacy.pseudonym",
        "StreamGuard": "hanji.privacy.stream",
        "canonical_value": "hanji.privacy.anonymize",
        "detect": "hanji.privacy.detect",
        "hash_values": "hanji.privacy.anonymize",
        "mask": "hanji.privacy.anonymize",
        "mask_value": "hanji.privacy.anonymize",
        "redact": "hanji.privacy.anonymize",
        "resolve": "hanji.privacy.detect",
    },
)
