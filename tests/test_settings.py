"""Settings: placeholder secrets refused, pepper file made once, TOML < env < flags."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from hanji.settings import Settings


@pytest.mark.parametrize("value", ["change-me", "CHANGE_ME-please-123456", "secret", "short"])
def test_placeholder_or_short_pepper_is_refused(value: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        Settings(home=tmp_path, pepper=value)
    assert "HANJI_PEPPER" in str(info.value) and value not in str(info.value).split("input")[0]


def test_pepper_file_is_created_private_once_and_reused(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    first = settings.pepper_bytes()
    path = tmp_path / "home" / "pepper"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings(home=tmp_path / "home").pepper_bytes() == first and len(first) == 64


def test_placeholder_pepper_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pepper").write_text("change-me\n")
    with pytest.raises(ValueError, match="placeholder"):
        Settings(home=tmp_path).pepper_bytes()


def test_toml_then_env_then_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "serve.toml"
    config.write_text(
        'port = 9001\nhost = "0.0.0.0"\nrequest_timeout_s = 12\n'
        '[[models]]\nref = "/models/hanji-ko"\n'
        '[[upstreams]]\nurl = "http://10.0.0.5:8000/v1/"\nmodel = "hanji-70b"\n'
        'key_env = "VLLM_KEY"\n'
    )
    monkeypatch.setenv("HANJI_PORT", "9002")
    settings = Settings.load(config, host="127.0.0.1")
    assert (settings.host, settings.port, settings.request_timeout_s) == ("127.0.0.1", 9002, 12)
    assert settings.models[0].served_name == "/models/hanji-ko"  # no such dir: the ref itself
    assert settings.upstreams[0].url == "http://10.0.0.5:8000/v1"
    assert settings.db_url.endswith("hanji.db")


def test_unknown_toml_key_and_duplicate_names_are_errors(tmp_path: Path) -> None:
    config = tmp_path / "serve.toml"
    config.write_text("prot = 1\n")
    with pytest.raises(ValidationError, match="prot"):
        Settings.load(config)
    config.write_text(
        '[[models]]\nref = "a"\nname = "ko"\n[[upstreams]]\nurl = "http://h/v1"\nmodel = "ko"\n'
    )
    with pytest.raises(ValidationError, match="served twice"):
        Settings.load(config)


def test_model_dir_is_served_under_its_folder_name(tmp_path: Path) -> None:
    (tmp_path / "hanji-ko-1b").mkdir()
    settings = Settings(home=tmp_path, models=[{"ref": str(tmp_path / "hanji-ko-1b")}])
    assert settings.models[0].served_name == "hanji-ko-1b"
