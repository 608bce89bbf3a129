"""Uploads kept between the web preview and the user's confirmation.

The upload is stored under `instance/uploads/imports/` and previewed at once (nothing written
to the catalog); confirming runs the same pass again with writing on, in one transaction.
A batch can be confirmed once: the state change is claimed with a conditional UPDATE, so a
double submission or two people confirming at once import it exactly once.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import date
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import clock, permissions
from ..config import Settings
from ..db import utcnow
from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..models import ImportBatch, ImportKind, ImportState, Organization, OrgKind, User
from ..private import private_dir
from .files import ENCODINGS, FileProblem, read_bytes_limited
from .report import open_report
from .runner import ImportSummary
from .service import ImportOptions, run_import

UPLOAD_SUBDIR = Path("uploads") / "imports"
# .xls is accepted here only so that its content check can explain how to convert it.
_EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".jsonl", ".ndjson", ".json")


def upload_dir(settings: Settings) -> Path:
    path = Path(settings.instance_dir) / UPLOAD_SUBDIR
    private_dir(path)
    return path


def report_path(settings: Settings, batch: ImportBatch) -> Path:
    return upload_dir(settings) / f"{batch.stored_name}.rejected.csv"


def import_target(session: Session, actor: User, kind: ImportKind,
                  enterprise_id: int | None = None) -> Organization:
    """The organization an import goes to: the supplier's own for patents; for needs the
    actor's enterprise, or one of the enterprises a station broker serves."""
    if kind == ImportKind.PATENTS:
        org = actor.organization
        if permissions.can_list_patents(actor):
            return org
        # An enterprise's own patents for custody (kept as drafts): the enterprise itself, or
        # the agency keeping it in custody today.
        if org.kind == OrgKind.ENTERPRISE and enterprise_id in (None, org.id):
            return org
        if org.kind == OrgKind.AGENCY:
            from ..custody.agreements import may_manage
            enterprise = session.get(Organization, enterprise_id) if enterprise_id else None
            if enterprise is None or not may_manage(session, actor, enterprise.id, clock.today()):
                raise ValidationError({"enterprise": "请选择托管中的客户企业"})
            return enterprise
        raise PermissionDenied("只有高校和科研院所可以导入专利")
    if actor.organization.kind == OrgKind.ENTERPRISE and enterprise_id in (None, actor.organization_id):
        return actor.organization
    enterprise = session.get(Organization, enterprise_id) if enterprise_id else None
    if enterprise is None:
        raise ValidationError({"enterprise": "请选择需求所属的企业"})
    return permissions.ensure_acts_for(actor, enterprise)


def create_batch(session: Session, settings: Settings, actor: User, kind: ImportKind,
                 organization: Organization, stream: BinaryIO, filename: str, *,
                 encoding: str = "auto", list_valid: bool = True,
                 today: date | None = None) -> ImportBatch:
    """Store the upload and preview it. A file that cannot be read at all raises
    ValidationError (and is not kept); row problems are part of the preview."""
    filename = Path(filename or "upload").name[:200]
    ext = "".join(Path(filename.lower()).suffixes[-2:]) if filename.lower().endswith(".gz") \
        else Path(filename.lower()).suffix
    if not filename.lower().endswith(_EXTENSIONS + tuple(e + ".gz" for e in _EXTENSIONS)):
        raise FileProblem("请上传 .csv、.xlsx 或 .jsonl 文件")
    if encoding not in ENCODINGS:
        raise FileProblem("请选择有效的文件编码")
    stored = secrets.token_hex(16)
    path = upload_dir(settings) / (stored + ext)
    size = read_bytes_limited(stream, path, settings.max_upload_bytes)
    batch = ImportBatch(kind=kind, organization=organization, uploaded_by=actor,
                        filename=filename, stored_name=stored + ext, sha256=_sha256(path),
                        size_bytes=size, encoding=encoding,
                        options={"list_valid": bool(list_valid)})
    try:
        batch.summary = _run(session, settings, batch, actor, write=False, today=today).to_dict()
    except Exception:   # unreadable file, full disk while writing the report, ...: keep nothing
        path.unlink(missing_ok=True)
        report_path(settings, batch).unlink(missing_ok=True)
        raise
    session.add(batch)
    session.flush()
    return batch


def confirm_batch(session: Session, settings: Settings, actor: User, batch_id: int, *,
                  include_rows: frozenset[int] = frozenset(),
                  today: date | None = None) -> ImportBatch:
    """Import a previewed batch in the caller's transaction (all accepted rows or none)."""
    batch = _decided_by(actor, get_batch(session, actor, batch_id))
    claimed = session.execute(update(ImportBatch).where(
        ImportBatch.id == batch.id, ImportBatch.state == ImportState.PREVIEWED).values(
        state=ImportState.APPLIED, applied_at=utcnow()).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise Conflict("这个文件已经导入，请勿重复提交" if batch.state == ImportState.APPLIED
                       else "这次导入已经取消，请重新上传文件")
    session.refresh(batch)
    batch.options = dict(batch.options, include_rows=sorted(include_rows))
    summary = _run(session, settings, batch, actor, write=True, today=today)
    batch.summary = summary.to_dict()
    session.flush()
    return batch


def cancel_batch(session: Session, settings: Settings, actor: User, batch_id: int) -> ImportBatch:
    """Cancel a preview; the stored upload and its report are deleted (nothing was imported)."""
    batch = _decided_by(actor, get_batch(session, actor, batch_id))
    if batch.state != ImportState.PREVIEWED:
        raise Conflict("只有待确认的导入可以取消")
    batch.state = ImportState.CANCELLED
    session.flush()
    (upload_dir(settings) / batch.stored_name).unlink(missing_ok=True)
    report_path(settings, batch).unlink(missing_ok=True)
    return batch


def get_batch(session: Session, actor: User, batch_id: int) -> ImportBatch:
    """A batch uploaded by someone of the actor's organization (operators see all)."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or not (permissions.is_operator(actor) or (
            batch.uploaded_by is not None
            and batch.uploaded_by.organization_id == actor.organization_id)):
        raise NotFound("未找到该导入记录")
    return batch


def _decided_by(actor: User, batch: ImportBatch) -> ImportBatch:
    if not permissions.can_decide_batch(actor, batch):
        raise PermissionDenied("只有上传该文件的机构可以确认或取消这次导入")
    return batch


def recent_batches(session: Session, actor: User, kind: ImportKind, limit: int = 20) -> list[ImportBatch]:
    stmt = (select(ImportBatch).join(ImportBatch.uploaded_by)
            .where(ImportBatch.kind == kind, User.organization_id == actor.organization_id)
            .order_by(ImportBatch.id.desc()).limit(limit))
    return list(session.scalars(stmt))


def summary_of(batch: ImportBatch) -> ImportSummary:
    return ImportSummary.from_dict(batch.summary or {})


def _run(session: Session, settings: Settings, batch: ImportBatch, actor: User, *, write: bool,
         today: date | None) -> ImportSummary:
    options = ImportOptions(encoding=batch.encoding,
                            list_valid=bool(batch.options.get("list_valid", True)),
                            include_rows=frozenset(batch.options.get("include_rows", [])),
                            max_rows=settings.max_import_rows,
                            max_bytes=settings.max_upload_bytes, today=today or date.today())
    # Written beside the current report and swapped in on success: a run that fails (a full
    # disk, a database error) leaves the preview's report as it was.
    final = report_path(settings, batch)
    partial = final.with_name(final.name + ".part")
    fh, report = open_report(partial)
    try:
        try:
            summary = run_import(session, upload_dir(settings) / batch.stored_name, batch.kind,
                                 organization=batch.organization, actor=actor, options=options,
                                 write=write, filename=batch.filename, on_rejected=report.add,
                                 on_open=lambda table, _cmap: report.start(table.headers,
                                                                          table.format == "jsonl"))
        finally:
            fh.close()
        partial.replace(final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return summary


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 16):
            digest.update(chunk)
    return digest.hexdigest()
