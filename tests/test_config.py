"""Settings from MATCHMAKER_* variables and the persistent secret key."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from matchmaker.config import Settings


@pytest.fixture
def instance(tmp_path) -> Path:
    return tmp_path / "instance"


def test_environment_variables_are_honoured(tmp_path, instance):
    settings = Settings.from_env({
        "MATCHMAKER_INSTANCE": str(instance),
        "MATCHMAKER_DATABASE_URL": "postgresql+psycopg://app@db:5432/matchmaker",
        "MATCHMAKER_INDEX_DIR": str(tmp_path / "search-index"),
        "MATCHMAKER_SECRET_KEY": "from-the-environment-0123456789abcdef",
        "MATCHMAKER_MAX_UPLOAD_MB": "5",
        "MATCHMAKER_PAGE_SIZE": "50",
        "MATCHMAKER_SESSION_COOKIE_SECURE": "true",
        "MATCHMAKER_REDIS_URL": "redis://cache:6379/0",
        "UNRELATED": "ignored",
    })
    assert settings.instance_dir == instance.resolve()
    assert instance.is_dir()
    assert settings.database_url == "postgresql+psycopg://app@db:5432/matchmaker"
    assert settings.index_dir == tmp_path / "search-index"
    assert settings.secret_key == "from-the-environment-0123456789abcdef"
    assert settings.max_upload_mb == 5 and settings.max_upload_bytes == 5 * 1024 * 1024
    assert settings.page_size == 50
    assert settings.session_cookie_secure is True
    assert settings.redis_url == "redis://cache:6379/0"


def test_defaults_live_under_the_instance_folder(instance):
    settings = Settings.from_env({"MATCHMAKER_INSTANCE": str(instance)})
    root = instance.resolve()
    assert settings.database_url == f"sqlite:///{root / 'matchmaker.sqlite3'}"
    assert settings.index_dir == root / "index"
    assert settings.max_upload_mb == 20
    assert settings.session_cookie_secure is False


def test_instance_dir_variable_is_accepted_too(instance):
    assert Settings.from_env({"MATCHMAKER_INSTANCE_DIR": str(instance)}).instance_dir == \
        instance.resolve()


def test_process_environment_is_read_when_no_mapping_is_given(monkeypatch, instance):
    monkeypatch.setenv("MATCHMAKER_INSTANCE", str(instance))
    monkeypatch.setenv("MATCHMAKER_MAX_UPLOAD_MB", "7")
    settings = Settings.from_env()
    assert (settings.instance_dir, settings.max_upload_mb) == (instance.resolve(), 7)


def test_explicit_overrides_beat_the_environment(instance):
    settings = Settings.from_env({"MATCHMAKER_INSTANCE": str(instance),
                                  "MATCHMAKER_MAX_UPLOAD_MB": "5"}, max_upload_mb=9)
    assert settings.max_upload_mb == 9


@pytest.mark.parametrize("raw, expected", [("1", True), ("true", True), ("Yes", True),
                                           ("ON", True), ("0", False), ("false", False),
                                           ("no", False), ("", False)])
def test_boolean_variables(instance, raw, expected):
    settings = Settings.from_env({"MATCHMAKER_INSTANCE": str(instance),
                                  "MATCHMAKER_SESSION_COOKIE_SECURE": raw})
    assert settings.session_cookie_secure is expected


@pytest.mark.parametrize("name, raw", [("MATCHMAKER_MAX_UPLOAD_MB", "20MB"),
                                       ("MATCHMAKER_MAX_UPLOAD_MB", ""),
                                       ("MATCHMAKER_PAGE_SIZE", "2.5")])
def test_bad_integer_gives_a_clear_error_naming_the_variable(instance, name, raw):
    with pytest.raises(ValueError) as info:
        Settings.from_env({"MATCHMAKER_INSTANCE": str(instance), name: raw})
    assert name in str(info.value)
    assert repr(raw) in str(info.value)
    assert "integer" in str(info.value)


def test_secret_key_is_generated_once_with_owner_only_permissions(instance):
    settings = Settings.from_env({"MATCHMAKER_INSTANCE": str(instance)})
    key_file = instance / "secret_key"
    assert key_file.read_text() == settings.secret_key
    assert len(settings.secret_key) >= 32
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_secret_key_is_reused_on_the_next_start(instance):
    first = Settings.from_env({"MATCHMAKER_INSTANCE": str(instance)}).secret_key
    second = Settings.from_env({"MATCHMAKER_INSTANCE": str(instance)}).secret_key
    assert first == second


def test_different_instances_get_different_secret_keys(tmp_path):
    a = Settings.from_env({"MATCHMAKER_INSTANCE": str(tmp_path / "a")}).secret_key
    b = Settings.from_env({"MATCHMAKER_INSTANCE": str(tmp_path / "b")}).secret_key
    assert a != b


EXPLICIT = "explicit-key-from-the-environment-0123456789"


def test_explicit_secret_key_wins_and_no_key_file_is_written(instance):
    settings = Settings.from_env({"MATCHMAKER_INSTANCE": str(instance),
                                  "MATCHMAKER_SECRET_KEY": EXPLICIT})
    assert settings.secret_key == EXPLICIT
    assert not (instance / "secret_key").exists()


def test_explicit_secret_key_wins_over_a_stored_one(instance):
    stored = Settings.from_env({"MATCHMAKER_INSTANCE": str(instance)}).secret_key
    env = {"MATCHMAKER_INSTANCE": str(instance), "MATCHMAKER_SECRET_KEY": EXPLICIT}
    assert Settings.from_env(env).secret_key == EXPLICIT
    keyword = "keyword-secret-key-0123456789abcdefghij"
    assert Settings.from_env({"MATCHMAKER_INSTANCE": str(instance)}, secret_key=keyword).secret_key == keyword
    assert (instance / "secret_key").read_text() == stored


def test_stored_key_is_read_without_surrounding_whitespace(instance):
    instance.mkdir(parents=True)
    (instance / "secret_key").write_text("  kept-key-0123456789abcdefghijklmnop\n")
    assert Settings.from_env({"MATCHMAKER_INSTANCE": str(instance)}).secret_key == \
        "kept-key-0123456789abcdefghijklmnop"


@pytest.mark.parametrize("weak", ["a", " ", " " * 40, "short-key-123", "a" * 64, "abababab" * 4])
def test_a_weak_secret_key_is_refused_with_a_clear_message(instance, weak):
    """Issue 11: `a` or a space was accepted as the key that signs every session."""
    from matchmaker.errors import ConfigError
    with pytest.raises(ConfigError, match="MATCHMAKER_SECRET_KEY 太弱.*至少需要 32 字节"):
        Settings.from_env({"MATCHMAKER_INSTANCE": str(instance), "MATCHMAKER_SECRET_KEY": weak})


def test_a_weak_stored_key_is_refused_too(instance):
    from matchmaker.errors import ConfigError
    instance.mkdir(parents=True)
    (instance / "secret_key").write_text("tiny")
    with pytest.raises(ConfigError):
        Settings.from_env({"MATCHMAKER_INSTANCE": str(instance)})


def test_the_cli_refuses_a_weak_key_in_one_line(instance, project_root):
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")}
    env.update(MATCHMAKER_INSTANCE=str(instance), MATCHMAKER_SECRET_KEY="a")
    cli = str(Path(sys.executable).parent / "matchmaker")
    proc = subprocess.run([cli, "kpis"], env=env, cwd=project_root, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 1
    assert "错误：MATCHMAKER_SECRET_KEY 太弱（1 字节）" in proc.stderr and "Traceback" not in proc.stderr


def test_an_empty_key_file_is_replaced_by_a_new_key(instance):
    """A crash between creating and writing the file must not leave the app without a key."""
    instance.mkdir(parents=True)
    (instance / "secret_key").write_text("")
    key = Settings.from_env({"MATCHMAKER_INSTANCE": str(instance)}).secret_key
    assert len(key) >= 32
    assert Settings.from_env({"MATCHMAKER_INSTANCE": str(instance)}).secret_key == key
