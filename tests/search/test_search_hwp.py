"""A real HWP 5.0 file through `hanji.search.parse` and the gateway's documents routes.

hanji cannot write HWP 5.0 and commits no document it did not write, so the sample is
fetched at test time from PyPI: the sdist of extract-hwp 0.2.1 (BSD-3-Clause) ships
``examples/sample_document.hwp`` (the first verse and the chorus of 애국가, the chorus in a
table), the same document as ``sample_document.hwpx``, and ``protected_document.hwp``
(password-protected). The sdist and each sample are pinned by sha256; the sdist is kept in
``$HANJI_CACHE/pypi-samples`` (else a folder under the system temp dir). The test is
skipped only when PyPI cannot be reached.

The HWP text is checked against lines read by eye and against hanji's own HWPX reader on
the HWPX twin (zip + XML, no code shared with the HWP reader): the same words in the same
order.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

import openai
import pytest
from starlette.testclient import TestClient

from hanji.search.parse import ParseError, parse
from hanji.serve.app import create_app
from hanji.serve.backends.base import Backend, Chunk, GenerateRequest
from hanji.settings import Settings
from hanji.tenants.keys import issue_key
from hanji.tenants.store import Store

pytestmark = pytest.mark.slow

PACKAGE = "extract-hwp==0.2.1"
SDIST = "extract_hwp-0.2.1.tar.gz"
SDIST_SHA256 = "4133d2b562c0eddc108ae177c59c8c4b3884449c7bb2c4e1281c990ab42b3415"
SAMPLES = {
    "sample_document.hwp": "27d41a93eccfb48081bfa6e537da58ef651149b1a850ab43ffbb2de5741839b9",
    "sample_document.hwpx": "dce62072429642218150d67a5d63c7a1885543193f3ff0c60386b7a08e4e79c3",
    "protected_document.hwp": "14644c477d2857b7b39fdff040c4097f5ab3542e4f57e7b1bdd120c6fa0dfdf3",
}
# The first verse, checked by eye against the anthem and against extract-hwp's own reader
# (run once by hand on this file: the same lines; it is not run here).
VERSE = [
    "동해 물과 백두산이 마르고 닳도록",
    "하느님이 보우하사 우리나라 만세",
    "남산 위의 저 소나무 철갑을 두른 듯",
    "바람 서리 불변함은 우리 기상일세",
    "가을 하늘 공활한데 높고 구름 없이",
    "밝은 달은 우리 가슴 일편단심일세",
    "이 기상과 이 맘으로 충성을 다하여",
    "괴로우나 즐거우나 나라 사랑하세",
]
CHORUS = "무궁화 삼천리 화려 강산 대한 사람 대한으로 길이 보전하세"


def _cache() -> Path:
    base = os.environ.get("HANJI_CACHE") or os.path.join(tempfile.gettempdir(), "hanji-cache")
    return Path(base) / "pypi-samples"


def _pypi_reachable() -> bool:
    try:
        with urllib.request.urlopen("https://pypi.org/simple/extract-hwp/", timeout=20):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def samples() -> dict[str, bytes]:
    folder = _cache()
    sdist = folder / SDIST
    if not sdist.exists():
        folder.mkdir(parents=True, exist_ok=True)
        fetched = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             "--disable-pip-version-check", PACKAGE, "-d", str(folder)],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        if fetched.returncode != 0 or not sdist.exists():
            if not _pypi_reachable():
                pytest.skip(f"PyPI is unreachable: the HWP 5.0 sample comes from {PACKAGE}")
            raise AssertionError(f"pip download {PACKAGE} failed: {fetched.stderr[-500:]}")
    assert hashlib.sha256(sdist.read_bytes()).hexdigest() == SDIST_SHA256
    out = {}
    with tarfile.open(sdist) as archive:
        for name, digest in SAMPLES.items():
            member = archive.extractfile(f"extract_hwp-0.2.1/examples/{name}")
            assert member is not None
            out[name] = member.read()
            assert hashlib.sha256(out[name]).hexdigest() == digest, name
    return out


def _words(text: str) -> list[str]:
    """Words in order; a Markdown table's ``|`` and ``---`` rows are not words."""
    return [w for w in text.split() if w != "|" and set(w) != {"-"}]


def test_a_real_hwp5_file_gives_its_korean_text(samples: dict[str, bytes]) -> None:
    text = parse("sample_document.hwp", samples["sample_document.hwp"])
    lines = text.splitlines()
    assert lines[: len(VERSE)] == VERSE
    assert CHORUS in text  # the chorus, from the table's one cell
    twin = parse("sample_document.hwpx", samples["sample_document.hwpx"])
    assert _words(text) == _words(twin)
    assert len(_words(text)) == 51  # 40 in the verse, 11 in the chorus


def test_a_password_protected_hwp5_file_fails_with_that_cause(
    samples: dict[str, bytes],
) -> None:
    with pytest.raises(ParseError, match=r"^HWP: the document is password-protected$"):
        parse("protected_document.hwp", samples["protected_document.hwp"])


class _Silent(Backend):
    kind = "silent"

    async def stream(self, request: GenerateRequest):
        yield Chunk(finish_reason="stop")


def test_the_gateway_ingests_and_finds_the_hwp5_file(
    samples: dict[str, bytes], tmp_path: Path
) -> None:
    settings = Settings(home=tmp_path / "home", pepper=secrets.token_hex(16))
    store = Store(settings.db_url)
    store.create_tenant("한빛은행", "general")
    key = issue_key(store, settings.pepper_bytes(), "한빛은행")[1]
    try:
        with TestClient(create_app(settings, backends=[_Silent("fake-ko")], store=store)) as c:
            oa = openai.OpenAI(
                base_url="http://testserver/v1", api_key=key, max_retries=0, http_client=c
            )
            names = ["sample_document.hwp", "protected_document.hwp"]
            ids = [
                oa.files.create(file=(name, samples[name]), purpose="assistants").id
                for name in names
            ]
            vs = oa.vector_stores.create(name="애국가", file_ids=ids)
            assert (vs.file_counts.completed, vs.file_counts.failed) == (1, 1)
            (failed,) = oa.vector_stores.files.list(vs.id, filter="failed")
            assert failed.id == ids[1] and failed.last_error is not None
            assert failed.last_error.message == "HWP: the document is password-protected"
            found = oa.vector_stores.search(vs.id, query="백두산이 마르고 닳도록").data
            assert [r.file_id for r in found] == [ids[0]]
            assert found[0].filename == "sample_document.hwp"
            assert "동해 물과 백두산이" in found[0].content[0].text
    finally:
        store.close()
