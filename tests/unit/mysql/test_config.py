"""MySQL exporter configuration: my.cnf sections, overrides, and the values mysqld_exporter parses."""

from __future__ import annotations

import os
import subprocess
import sys
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exporter_toolkit.errors import ConfigError
from mysql_exporter.config import read_my_cnf, resolve
from mysql_exporter.parse import metric_name, parse_status, sanitize_state


def test_child_sections_inherit_and_quotes_are_stripped(tmp_path):
    path = tmp_path / "my.cnf"
    path.write_text('[client]\nuser = root\npassword = "p#w d"\nhost=db\nport=3307\n'
                    "[client.servers]\nuser=monitor\n[mysqld]\nskip-name-resolve\n")
    sections = read_my_cnf(str(path))
    assert sections["client"]["password"] == "p#w d"
    assert sections["client.servers"] == {"user": "monitor", "password": "p#w d", "host": "db", "port": "3307"}


def test_flags_and_environment_override_the_file(tmp_path, monkeypatch):
    path = tmp_path / "my.cnf"
    path.write_text("[client]\nuser=a\npassword=file-pw\nhost=h\nport=1\n")
    monkeypatch.setenv("MYSQLD_EXPORTER_PASSWORD", "env-pw")
    credentials = resolve(str(path), True, "db.example:3310", "b")
    client = credentials.default
    assert (client.user, client.password, client.host, client.port) == ("b", "env-pw", "db.example", 3310)
    assert "env-pw" not in repr(client)
    assert client.target == "db.example:3310"


@pytest.mark.parametrize(("content", "message"), [
    ("user=x\n", "no MySQL user"),  # before any section: in no section, as go-ini reads it
    ("[client\nuser=x\n", "malformed --config.my-cnf .*: line 1: unclosed section"),
    ("[client]\n=x\n", "malformed --config.my-cnf .*: line 2: "),
    ("[client]\nuser=x\npassword=p\xe4ss\n".encode("latin-1"), "password in .* is not UTF-8"),
    ("[client]\npassword=x\n", "no MySQL user"),
    ("[client]\nuser=x\nport=abc\n", "invalid port"),
])
def test_unusable_configuration_is_a_config_error(tmp_path, content, message, monkeypatch):
    monkeypatch.delenv("MYSQLD_EXPORTER_PASSWORD", raising=False)
    path = tmp_path / "my.cnf"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(ConfigError, match=message):
        resolve(str(path), True, None, None)


def test_read_as_go_ini_reads_it(tmp_path, monkeypatch):
    """Lines before the first section (an !include) and bytes that are not UTF-8 outside the values used are
    fine for mysqld_exporter's go-ini, so they are here."""
    monkeypatch.delenv("MYSQLD_EXPORTER_PASSWORD", raising=False)
    path = tmp_path / "my.cnf"
    path.write_bytes(b"!include /etc/mysql/other.cnf\nkey=top\n# caf\xe9\n[mysqld]\ndatadir=/var/\xff\n"
                     b"[client]\nuser=monitor\npassword=s3cret\n")
    client = resolve(str(path), True, None, None).default
    assert (client.user, client.password) == ("monitor", "s3cret")
    assert set(read_my_cnf(str(path))) == {"mysqld", "client"}


def test_missing_default_file_is_fine_with_flags(tmp_path):
    assert resolve(str(tmp_path / "absent"), False, "h:1", "u").default.user == "u"
    with pytest.raises(ConfigError, match="cannot read"):
        resolve(str(tmp_path / "absent"), True, "h:1", "u")


@pytest.mark.parametrize(("text", "expected"), [
    ("12", 12.0), ("-1", -1.0), ("1.5e3", 1500.0), ("ON", 1.0), ("yes", 1.0), ("OFF", 0.0), ("Disabled", 0.0),
    ("Connecting", 0.0), ("Primary", 1.0), ("non-Primary", 0.0), ("2024-01-02 03:04:05", 1704164645.0),
    ("18446744073709551615", 1.8446744073709552e19), ("utf8mb4", None), ("1_000", None), ("", None), (None, None),
    ("/var/lib/mysql/", None), ("10.11.6-MariaDB", None),
])
def test_parse_status_reads_values_as_mysqld_exporter(text, expected):
    assert parse_status(text) == expected


def test_names_and_states():
    assert metric_name("Innodb_buffer_pool-pages.data") == "innodb_buffer_pool_pages_data"
    assert sanitize_state("Slave has read all relay log; waiting for more updates") == \
        "slave_has_read_all_relay_log_waiting_for_more_updates"
    assert sanitize_state("") == "unknown"


def run_exporter(*args: str, home: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mysql_exporter", "--web.listen-address=127.0.0.1:0", *args],
                          capture_output=True, text=True, timeout=30, env={"HOME": home, "PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize(("args", "message"), [
    (["--config.my-cnf=/does/not/exist"], "cannot read --config.my-cnf"),
    ([], "no MySQL user"),
    (["--mysqld.username=u", "--mysqld.address=host:notaport"], "invalid MySQL address"),
    (["--collect.nope"], "No such option"),
])
def test_bad_configuration_exits_2_with_one_line(tmp_path, args, message):
    result = run_exporter(*args, home=str(tmp_path))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mysql-exporter: error: ") and message in lines[0], lines


def test_malformed_my_cnf_exits_2(tmp_path):
    path = tmp_path / "my.cnf"
    path.write_text("[client\nuser=root\npassword=hunter2\n")
    result = run_exporter(f"--config.my-cnf={path}", home=str(tmp_path))
    assert result.returncode == 2
    assert "malformed --config.my-cnf" in result.stderr and "hunter2" not in result.stderr


def test_my_cnf_not_utf8_exits_2_with_one_line(tmp_path):
    path = tmp_path / "my.cnf"
    path.write_bytes(b"# \xff\xfe\n[client]\nuser=mon\xe9\npassword=hunter2\n")
    result = run_exporter(f"--config.my-cnf={path}", home=str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert "user in [client]" in result.stderr and "not UTF-8" in result.stderr and "hunter2" not in result.stderr


_VALUES = st.sampled_from([b"monitor", b"p#w d", b'"quoted"', b"caf\xc3\xa9", b"caf\xe9", b"\xff\xfe", b""])
_CLIENT_KEYS = ("user", "password", "host", "socket")


@st.composite
def _my_cnf(draw) -> tuple[bytes, dict[str, bytes]]:
    """A my.cnf (top-level lines, a [client] with some keys, other sections, comments with any bytes) and the
    [client] values it sets."""
    lines = draw(st.lists(st.sampled_from([b"!include /etc/mysql/x.cnf", b"!includedir /etc/mysql/conf.d",
                                           b"key=top", b"# \xff comment", b""]), max_size=3))
    client = draw(st.dictionaries(st.sampled_from(_CLIENT_KEYS), _VALUES, max_size=4))
    port = draw(st.sampled_from([None, b"3306", b"33o6"]))
    if port is not None:
        client["port"] = port
    others = draw(st.lists(st.sampled_from([b"[mysqld]\ndatadir=/var/\xff", b"[client.servers]\nuser=other",
                                            b"; \xe9 comment"]), max_size=2))
    body = [b"[client]", *(key.encode() + b"=" + value for key, value in client.items())]
    return b"\n".join([*lines, *draw(st.permutations([b"\n".join(body), *others]))]) + b"\n", client


@settings(max_examples=200, deadline=None, database=None)
@given(generated=_my_cnf())
def test_my_cnf_decided_by_the_client_values(tmp_path_factory, generated):
    content, client = generated
    path = tmp_path_factory.mktemp("cnf") / "my.cnf"
    path.write_bytes(content)

    def usable(value: bytes) -> bool:
        try:
            value.decode("utf-8")
            return True
        except UnicodeDecodeError:
            return False

    expected = bool(client.get("user", b"").strip().strip(b'"')) and all(map(usable, client.values())) \
        and client.get("port", b"3306").isdigit()
    try:
        with mock.patch.dict(os.environ):
            os.environ.pop("MYSQLD_EXPORTER_PASSWORD", None)
            credentials = resolve(str(path), True, None, None)
        accepted, message = True, ""
    except ConfigError as exc:
        accepted, message = False, str(exc)
    assert accepted == expected, (content, message)
    assert "\n" not in message
    if accepted:
        assert credentials.default.user == client["user"].decode().strip().strip('"')
