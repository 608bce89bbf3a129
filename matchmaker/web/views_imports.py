"""Bulk import pages: upload → preview (mapping, counts, problems, changes) → confirm."""
from __future__ import annotations

import errno
import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from .. import clock, permissions
from ..catalog.needs import enterprises_for
from ..custody.agreements import client_ids
from ..errors import Conflict, ValidationError
from ..imports import batches
from ..imports.report import template_csv, template_xlsx
from ..models import ImportKind, ImportState, Organization
from .auth import require_kinds
from .context import actor, db, runtime
from .forms import ImportUploadForm, add_error
from .params import parse_int

bp = Blueprint("imports", __name__, url_prefix="/imports")

SUPPLIERS = ("university", "institute")
POSTERS = ("enterprise", "station")
# A full disk or quota while storing the upload, writing the report or importing.
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def _disk_full(exc: OSError) -> bool:
    return exc.errno in DISK_FULL


@bp.route("/patents", methods=["GET", "POST"])
@require_kinds(*SUPPLIERS, "enterprise", "agency")
def patents():
    """A university or institute uploads its portfolio export; an enterprise (or its agency,
    for a client in custody) its own patents, which stay unlisted drafts."""
    clients = None
    if actor().organization.kind.value == "agency":
        ids = client_ids(db(), actor().organization_id, clock.today())
        clients = [db().get(Organization, i) for i in sorted(ids)]
    return _upload(ImportKind.PATENTS, clients)


@bp.route("/needs", methods=["GET", "POST"])
@require_kinds(*POSTERS)
def needs():
    """An enterprise uploads its needs; a broker uploads the needs of a client enterprise."""
    return _upload(ImportKind.NEEDS, enterprises_for(db(), actor()))


def _upload(kind: ImportKind, enterprises):
    form = ImportUploadForm()
    if enterprises is not None:
        form.set_enterprises(enterprises)
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not upload.filename:
            add_error(form.file, "请选择要上传的文件")
        else:
            try:
                target = batches.import_target(db(), actor(), kind, form.enterprise_ref())
                batch = batches.create_batch(
                    db(), runtime().settings, actor(), kind, target, upload.stream, upload.filename,
                    encoding=form.encoding.data or "auto", list_valid=bool(form.list_valid.data))
            except ValidationError as exc:
                db().rollback()
                for key, message in exc.errors.items():
                    add_error(form.enterprise_id if key == "enterprise" else form.file, message)
            except OSError as exc:
                if not _disk_full(exc):
                    raise
                db().rollback()
                add_error(form.file,
                          "磁盘空间不足，文件未能保存，没有写入任何数据，请稍后再试或联系管理员")
            else:
                db().commit()
                return redirect(url_for("imports.batch", batch_id=batch.id))
    return render_template("imports/upload.html", form=form, import_kind=kind, enterprises=enterprises,
                           recent=batches.recent_batches(db(), actor(), kind),
                           max_rows=runtime().settings.max_import_rows,
                           max_mb=runtime().settings.max_upload_mb)


@bp.route("/batch/<int:batch_id>")
@login_required
def batch(batch_id: int):
    """The preview of an upload, or the result once imported."""
    item = batches.get_batch(db(), actor(), batch_id)
    return render_template("imports/batch.html", batch=item, summary=batches.summary_of(item),
                           has_report=batches.report_path(runtime().settings, item).exists(),
                           can_decide=permissions.can_decide_batch(actor(), item))


@bp.route("/batch/<int:batch_id>/confirm", methods=["POST"])
@login_required
def confirm(batch_id: int):
    """Import the accepted rows (and the near-duplicates the user ticked) in one transaction."""
    include = frozenset(n for n in (parse_int(v, low=1) for v in request.form.getlist("include"))
                        if n is not None)
    try:
        item = batches.confirm_batch(db(), runtime().settings, actor(), batch_id,
                                     include_rows=include)
    except Conflict as exc:
        # Already applied (a double submission) or cancelled: the page shows which; saying
        # "nothing was written" here would be wrong after the first submission imported.
        db().rollback()
        flash(exc.message, "warning")
        return redirect(url_for("imports.batch", batch_id=batch_id))
    except ValidationError as exc:
        db().rollback()
        flash(f"导入未完成，没有写入任何数据：{exc.message}", "error")
        return redirect(url_for("imports.batch", batch_id=batch_id))
    except OSError as exc:
        if not _disk_full(exc):
            raise
        # Rolled back: nothing imported and the batch is still "previewed", so it can be
        # confirmed again once there is space.
        db().rollback()
        flash("磁盘空间不足，导入未完成，没有写入任何数据", "error")
        return redirect(url_for("imports.batch", batch_id=batch_id))
    summary = batches.summary_of(item)
    db().commit()
    flash(f"导入完成：新增 {summary.counts['new']} 条，更新 {summary.counts['updated']} 条", "success")
    return redirect(url_for("imports.batch", batch_id=batch_id))


@bp.route("/batch/<int:batch_id>/cancel", methods=["POST"])
@login_required
def cancel(batch_id: int):
    try:
        item = batches.cancel_batch(db(), runtime().settings, actor(), batch_id)
    except Conflict as exc:
        db().rollback()
        flash(exc.message, "error")
        return redirect(url_for("imports.batch", batch_id=batch_id))
    db().commit()
    flash("已取消这次导入，没有写入任何数据", "info")
    return redirect(url_for("imports.patents" if item.kind == ImportKind.PATENTS else "imports.needs"))


@bp.route("/batch/<int:batch_id>/rejections.csv")
@login_required
def rejections(batch_id: int):
    """Every rejected row with its reason, formulas neutralized (a download, never inline)."""
    item = batches.get_batch(db(), actor(), batch_id)
    path = batches.report_path(runtime().settings, item)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype="text/csv", as_attachment=True,
                     download_name=f"拒绝清单-{item.id}.csv", max_age=0)


@bp.route("/template/<any(patents, needs):kind>.<any(csv, xlsx):fmt>")
@login_required
def template(kind: str, fmt: str):
    kind_enum = ImportKind(kind)
    name = "专利导入模板" if kind_enum == ImportKind.PATENTS else "需求导入模板"
    if fmt == "csv":
        data, mimetype = template_csv(kind_enum), "text/csv"
    else:
        data = template_xlsx(kind_enum)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                     download_name=f"{name}.{fmt}")


