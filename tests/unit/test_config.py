"""Settings: each precedence level (option > environment > .env > TOML file > default) and each
error of the TOML file (`--config-path` / PAYMENT_CONFIG_PATH) names the file, the key and why."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from paymentprocess.config import load_settings
from paymentprocess.errors import SettingsError


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No PAYMENT_* variable of the caller's shell, and a working directory without a .env."""
    for name in list(os.environ):
        if name.upper().startswith("PAYMENT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _toml(tmp_path: Path, text: str, name: str = "settings.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults() -> None:
    s = load_settings()
    assert (s.batch_size, s.max_workers, s.log_level, s.config_path) == (1000, 1, "INFO", None)
    assert s.db_uri == "sqlite:///paymentprocess.db"
    assert s.unused() == []


def test_each_level_overrides_the_one_below(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = _toml(
        tmp_path,
        'batch_size = 11\nmax_workers = 11\nlog_level = "error"\ntop_rate_limit = "11/minute"\n',
    )
    monkeypatch.setenv("PAYMENT_CONFIG_PATH", str(file))
    s = load_settings()  # the file over the defaults
    assert (s.batch_size, s.max_workers, s.log_level, s.top_rate_limit) == (
        11,
        11,
        "ERROR",
        "11/minute",
    )
    (tmp_path / ".env").write_text(
        "PAYMENT_BATCH_SIZE=22\nPAYMENT_MAX_WORKERS=22\nPAYMENT_LOG_LEVEL=warning\n"
    )
    s = load_settings()  # .env over the file
    assert (s.batch_size, s.max_workers, s.log_level, s.top_rate_limit) == (
        22,
        22,
        "WARNING",
        "11/minute",
    )
    monkeypatch.setenv("PAYMENT_BATCH_SIZE", "33")
    monkeypatch.setenv("PAYMENT_MAX_WORKERS", "33")
    s = load_settings()  # the environment over .env
    assert (s.batch_size, s.max_workers, s.log_level) == (33, 33, "WARNING")
    s = load_settings(batch_size=44, max_workers=None)  # an option over the environment
    assert (s.batch_size, s.max_workers) == (44, 33)


def test_the_file_can_be_named_by_option_env_or_dotenv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    by_dotenv = _toml(tmp_path, "batch_size = 1\n", "a.toml")
    by_env = _toml(tmp_path, "batch_size = 2\n", "b.toml")
    by_option = _toml(tmp_path, "batch_size = 3\n", "c.toml")
    (tmp_path / ".env").write_text(f"PAYMENT_CONFIG_PATH={by_dotenv}\n")
    assert load_settings().batch_size == 1
    monkeypatch.setenv("PAYMENT_CONFIG_PATH", str(by_env))
    assert load_settings().batch_size == 2
    assert load_settings(config_path=by_option).batch_size == 3


def test_keys_are_the_variable_names_in_any_case_prefix_optional(tmp_path: Path) -> None:
    file = _toml(
        tmp_path,
        'PAYMENT_DB_URI = "sqlite:///other.db"\nBatch_Size = 7\npayment_log_level = "DEBUG"\n',
    )
    s = load_settings(config_path=file)
    assert (s.db_uri, s.batch_size, s.log_level) == ("sqlite:///other.db", 7, "DEBUG")


def test_empty_variables_count_as_unset(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PAYMENT_LOG_DIR=\nPAYMENT_CONFIG_PATH=\nPAYMENT_BATCH_SIZE=\n")
    s = load_settings()
    assert (s.log_dir, s.config_path, s.batch_size) == (None, None, 1000)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("batch_sise = 5\n", "key 'batch_sise': unknown setting (known keys: db_uri,"),
        ("config_path = 'x.toml'\n", "key 'config_path': unknown setting (the file cannot name"),
        ("batch_size = 0\n", "key 'batch_size': Input should be greater than or equal to 1"),
        ("BATCH_SIZE = 'many'\n", "key 'BATCH_SIZE': Input should be a valid integer"),
        ("db_uri = 'mysql://x'\n", "key 'db_uri': Value error, must start with sqlite:///"),
        ("top_rate_limit = 'often'\n", "key 'top_rate_limit': Value error, must look like"),
        ("[db_uri]\nuri = 'sqlite:///x.db'\n", "key 'db_uri': must be a single value, not a"),
        ("[db]\nuri = 'sqlite:///x.db'\n", "key 'db': unknown setting (known keys: db_uri"),
        ("db_uri = 'a'\nPAYMENT_DB_URI = 'b'\n", "key 'PAYMENT_DB_URI': given twice (also as"),
        ("batch_size = \n", "not a valid TOML file: Invalid value (at line 1, column 14)"),
    ],
)
def test_a_bad_file_names_the_file_the_key_and_the_reason(
    tmp_path: Path, text: str, message: str
) -> None:
    file = _toml(tmp_path, text)
    with pytest.raises(SettingsError) as caught:
        load_settings(config_path=file)
    assert str(file) in str(caught.value)
    assert message in str(caught.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"nowhere\.toml: cannot read the configuration file"):
        load_settings(config_path=tmp_path / "nowhere.toml")


def test_a_bad_value_overridden_above_the_file_is_not_reported(tmp_path: Path) -> None:
    file = _toml(tmp_path, "batch_size = 0\n")
    assert load_settings(config_path=file, batch_size=5).batch_size == 5


def test_bad_values_elsewhere_name_their_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("PAYMENT_BATCH_SIZE=0\n")
    with pytest.raises(SettingsError, match=r"PAYMENT_BATCH_SIZE \(in \.env\): Input should be"):
        load_settings()
    monkeypatch.setenv("PAYMENT_BATCH_SIZE", "-1")
    with pytest.raises(SettingsError, match=r"bad setting: PAYMENT_BATCH_SIZE: Input should be"):
        load_settings()


def test_seq_chunk_size_is_accepted_and_reported_unused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAYMENT_SEQ_CHUNK_SIZE", "5000")
    assert load_settings().unused() == [
        "PAYMENT_SEQ_CHUNK_SIZE is not used: a run takes exactly the sequence numbers it needs "
        "in its own transaction (no chunks, no gaps in check numbers)"
    ]
    monkeypatch.delenv("PAYMENT_SEQ_CHUNK_SIZE")
    file = _toml(tmp_path, "seq_chunk_size = 10\n")
    assert len(load_settings(config_path=file).unused()) == 1


def test_redis_url_is_optional_checked_and_never_shown_with_its_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = load_settings()
    assert (s.redis_url, s.redis_key_prefix) == (None, "paymentprocess:")
    monkeypatch.setenv("PAYMENT_REDIS_URL", " redis://:pw@cache:6379/2 ")
    monkeypatch.setenv("PAYMENT_REDIS_KEY_PREFIX", "pp-blue:")
    s = load_settings()
    assert (s.redis_url, s.redis_key_prefix) == ("redis://:pw@cache:6379/2", "pp-blue:")
    monkeypatch.setenv("PAYMENT_REDIS_URL", "http://user:hunter2@cache:6379")
    with pytest.raises(SettingsError, match=r"PAYMENT_REDIS_URL: .*redis://") as bad:
        load_settings()
    assert "hunter2" not in str(bad.value)
    monkeypatch.setenv("PAYMENT_REDIS_URL", "rediss://cache:6380/0")
    monkeypatch.setenv("PAYMENT_REDIS_KEY_PREFIX", "two words")
    with pytest.raises(SettingsError, match=r"PAYMENT_REDIS_KEY_PREFIX: .*without spaces"):
        load_settings()
