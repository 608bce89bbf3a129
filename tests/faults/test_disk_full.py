"""A full disk (ENOSPC) while importing: nothing is written, the batch stays "previewed" (it can
be confirmed again once there is space), and the user is told so in plain Chinese, never a 500.

The fault is injected where a real import touches the disk or the database: the rows being
written (after earlier rows were already flushed), the rejection report written alongside, the
upload being stored, and the database refusing a write ("database or disk is full").
"""
from __future__ import annotations

import errno
import functools
import os
import sqlite3

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from matchmaker.imports import batches, files, runner, service
from matchmaker.imports.patent_rows import PatentRows
from matchmaker.imports.report import RejectionReport
from matchmaker.models import ImportBatch, ImportKind, ImportState, Job, OrgKind, Patent, PatentIPC
from tests.factories import make_org, make_user
from tests.web.helpers import csrf_token, login, text
from tests.web.test_import_pages import (PATENT_HEADERS, VALID_ROWS, bad_check_app_no, batch_id_of,
                                         csv_bytes, upload)

FULL = "磁盘空间不足，导入未完成，没有写入任何数据"
ROWS = VALID_ROWS + [[bad_check_app_no(104), "申请号校验位错误的专利", "摘要", "有效", "2018-03-01"]]


def enospc() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    """Two rows per batch: rows really reach the database before the fault."""
    monkeypatch.setattr(service, "run_rows", functools.partial(runner.run_rows, batch_size=2))


def full_on_third_row(mp: pytest.MonkeyPatch) -> list[int]:
    """Writing the third accepted row fails with ENOSPC (two rows were flushed already)."""
    real, calls = PatentRows.write, []

    def write(self, result):
        calls.append(result.number)
        if len(calls) == 3:
            raise enospc()
        return real(self, result)
    mp.setattr(PatentRows, "write", write)
    return calls


class FullDiskFile:
    """A report file on a full disk: every write fails."""

    def __init__(self, fh):
        self.fh = fh

    def write(self, _s):
        raise enospc()

    def close(self):
        self.fh.close()


def full_report(mp: pytest.MonkeyPatch) -> None:
    """The rejection report written during the import finds the disk full."""
    real = batches.open_report

    def open_report(path):
        fh, _report = real(path)
        wrapped = FullDiskFile(fh)
        return wrapped, RejectionReport(wrapped)
    mp.setattr(batches, "open_report", open_report)


def database_full(mp: pytest.MonkeyPatch) -> None:
    """The database refuses to grow: flushing new patents fails as SQLite reports it."""
    real = Session.flush

    def flush(self, *args, **kwargs):
        if any(isinstance(o, Patent) for o in self.new):
            raise OperationalError("INSERT INTO patents ...", {},
                                   sqlite3.OperationalError("database or disk is full"))
        return real(self, *args, **kwargs)
    mp.setattr(Session, "flush", flush)


FAULTS = {"row-write": full_on_third_row, "report-write": full_report}


def table_counts(runtime) -> dict[str, int]:
    with runtime.session_factory() as s:
        return {m.__name__: s.scalar(select(func.count()).select_from(m))
                for m in (Patent, PatentIPC, Job, ImportBatch)}


def batch_state(runtime, batch_id: int) -> ImportState:
    with runtime.session_factory() as s:
        return s.get(ImportBatch, batch_id).state


# -- the service, in the caller's transaction ------------------------------------------------

@pytest.fixture
def previewed(runtime, session, tmp_path):
    """A committed preview of ROWS (3 valid rows, 1 rejected) by a university user."""
    org = make_org(session, OrgKind.UNIVERSITY)
    user = make_user(session, org)
    session.commit()
    path = tmp_path / "专利.csv"
    path.write_bytes(csv_bytes(PATENT_HEADERS, ROWS))
    with runtime.transaction() as tx:
        with open(path, "rb") as fh:
            batch = batches.create_batch(tx, runtime.settings, tx.merge(user), ImportKind.PATENTS,
                                         tx.merge(org), fh, path.name)
        assert batch.summary["counts"]["new"] == 3 and batch.summary["counts"]["rejected"] == 1
        return batch.id, user.id


def confirm_in_transaction(runtime, batch_id: int, user_id: int) -> ImportBatch:
    from matchmaker.models import User
    with runtime.transaction() as tx:
        return batches.confirm_batch(tx, runtime.settings, tx.get(User, user_id), batch_id)


@pytest.mark.parametrize("fault", FAULTS)
def test_confirm_batch_on_a_full_disk_writes_nothing_and_can_be_retried(runtime, previewed, fault):
    batch_id, user_id = previewed
    before = table_counts(runtime)
    with pytest.MonkeyPatch.context() as mp:
        calls = FAULTS[fault](mp)
        with pytest.raises(OSError) as exc:
            confirm_in_transaction(runtime, batch_id, user_id)
    assert exc.value.errno == errno.ENOSPC
    if fault == "row-write":
        assert calls == [2, 3, 4]        # rows 2 and 3 were flushed before the fault
    assert table_counts(runtime) == before
    assert batch_state(runtime, batch_id) == ImportState.PREVIEWED

    batch = confirm_in_transaction(runtime, batch_id, user_id)     # space freed: again
    assert batch.summary["counts"]["new"] == 3
    assert table_counts(runtime)["Patent"] == before["Patent"] + 3
    assert batch_state(runtime, batch_id) == ImportState.APPLIED


# -- the web pages ---------------------------------------------------------------------------

@pytest.fixture
def uni_user(session):
    org = make_org(session, OrgKind.UNIVERSITY, credit_code=None)
    user = make_user(session, org)
    session.commit()
    return user


def web_preview(client, uni_user) -> int:
    login(client, uni_user.login)
    return batch_id_of(upload(client, "/imports/patents", csv_bytes(PATENT_HEADERS, ROWS),
                              "专利清单.csv"))


def post_confirm(client, batch_id: int):
    token = csrf_token(text(client.get(f"/imports/batch/{batch_id}")))
    return client.post(f"/imports/batch/{batch_id}/confirm", data={"csrf_token": token})


@pytest.mark.parametrize("fault", FAULTS)
def test_web_confirm_on_a_full_disk_says_so_and_can_be_retried(client, runtime, uni_user, fault):
    batch_id = web_preview(client, uni_user)
    before = table_counts(runtime)
    with pytest.MonkeyPatch.context() as mp:
        FAULTS[fault](mp)
        response = post_confirm(client, batch_id)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/imports/batch/{batch_id}"
    page = text(client.get(response.headers["Location"]))
    assert FULL in page
    assert table_counts(runtime) == before
    assert batch_state(runtime, batch_id) == ImportState.PREVIEWED
    # The preview's rejection report survives the failed run.
    report = client.get(f"/imports/batch/{batch_id}/rejections.csv")
    assert report.status_code == 200 and "申请号校验位错误的专利" in report.get_data().decode("utf-8-sig")

    response = post_confirm(client, batch_id)                      # space freed: again
    assert response.status_code == 302
    assert "导入完成：新增 3 条" in text(client.get(response.headers["Location"]))
    assert table_counts(runtime)["Patent"] == before["Patent"] + 3
    assert batch_state(runtime, batch_id) == ImportState.APPLIED


def test_web_confirm_when_the_database_is_full_is_a_503(client, runtime, uni_user):
    """SQLite reports a full disk as an OperationalError: a 503 that says the disk is full."""
    batch_id = web_preview(client, uni_user)
    before = table_counts(runtime)
    with pytest.MonkeyPatch.context() as mp:
        database_full(mp)
        response = post_confirm(client, batch_id)
    assert response.status_code == 503 and "服务器磁盘空间不足" in text(response)
    assert table_counts(runtime) == before
    assert batch_state(runtime, batch_id) == ImportState.PREVIEWED


def half_written_upload(mp: pytest.MonkeyPatch) -> None:
    """Storing the upload: the first 64 KB chunk lands, the next finds the disk full."""
    real_open = files.open_private

    class HalfWritten:
        def __init__(self, *args, **kwargs):
            self.fh = real_open(*args, **kwargs)
            self.chunks = 0

        def write(self, data):
            self.chunks += 1
            if self.chunks > 1:
                raise enospc()
            return self.fh.write(data)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    mp.setattr(files, "open_private", HalfWritten)


@pytest.mark.parametrize("fault", [half_written_upload, full_report],
                         ids=["upload-copy", "preview-report"])
def test_web_upload_on_a_full_disk_keeps_nothing(client, runtime, uni_user, fault):
    login(client, uni_user.login)
    big = csv_bytes(PATENT_HEADERS, ROWS * 300)          # several 64 KB chunks
    assert len(big) > 2 * 65536
    before = table_counts(runtime)
    with pytest.MonkeyPatch.context() as mp:
        fault(mp)
        response = upload(client, "/imports/patents", big, "专利清单.csv")
    assert response.status_code == 200, response.status_code
    assert "磁盘空间不足，文件未能保存" in text(response)
    assert table_counts(runtime) == before
    folder = runtime.settings.instance_dir / "uploads" / "imports"
    assert not folder.exists() or sorted(folder.iterdir()) == []
    # With space again the same file goes through.
    assert batch_id_of(upload(client, "/imports/patents", big, "专利清单.csv"))
