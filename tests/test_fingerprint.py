"""File digests: by content, cached per machine by path, size and mtime, never racy."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from hanji import fingerprint


@pytest.fixture
def reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """An empty digest cache under tmp_path; counts the files actually read."""
    monkeypatch.setenv("HANJI_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(fingerprint, "_digests", None)
    monkeypatch.setattr(fingerprint, "_dirty", [])
    seen: list[str] = []
    real = hashlib.file_digest

    def counting(handle, algo):  # type: ignore[no-untyped-def]
        seen.append(handle.name)
        return real(handle, algo)

    monkeypatch.setattr(fingerprint.hashlib, "file_digest", counting)
    return seen


def _old_file(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    past = time.time_ns() - 3600 * 10**9
    os.utime(path, ns=(past, past))
    return path


def test_an_old_file_is_read_once_and_remembered(tmp_path: Path, reads: list[str]) -> None:
    path = _old_file(tmp_path / "뉴스.jsonl", '{"text": "한지는 닥나무로 만든다."}\n')
    first = fingerprint.content_digest(path)
    assert first == hashlib.sha256(path.read_bytes()).hexdigest()
    assert fingerprint.content_digest(path) == first and len(reads) == 1
    fingerprint.save_digests()
    saved = json.loads(fingerprint.digest_cache_path().read_text("utf-8"))
    assert list(saved.values()) == [first]
    fingerprint._digests = None  # a new process: the digest comes from the cache file
    assert fingerprint.content_digest(path) == first and len(reads) == 1


def test_a_file_just_written_is_not_remembered(tmp_path: Path, reads: list[str]) -> None:
    path = tmp_path / "방금.txt"
    path.write_text("방금 쓴 파일", "utf-8")
    fingerprint.content_digest(path)
    path.write_text("방금 고친 파일", "utf-8")  # maybe within the clock's granularity
    assert fingerprint.content_digest(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert len(reads) == 2


def test_entries_of_deleted_files_are_pruned(tmp_path: Path, reads: list[str]) -> None:
    keep = _old_file(tmp_path / "a.txt", "남는 파일")
    gone = _old_file(tmp_path / "b.txt", "지워질 파일")
    fingerprint.content_digest(keep)
    fingerprint.content_digest(gone)
    gone.unlink()
    fingerprint.save_digests()
    saved = json.loads(fingerprint.digest_cache_path().read_text("utf-8"))
    assert [k.rsplit("|", 2)[0] for k in saved] == [str(keep)]


def test_file_facts_of_a_missing_file(tmp_path: Path) -> None:
    assert fingerprint.file_facts(tmp_path / "없음.txt", tmp_path) == ["없음.txt", None, None]
