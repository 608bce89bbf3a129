"""Bulk import of patents and needs from CSV, XLSX and JSON Lines files.

Stages, one module each: `files` opens and streams a table (format, encoding, limits),
`columns` maps its headers onto fields, `cells` reads individual values, `patent_rows` /
`need_rows` turn a row into validated values, `runner` classifies and (optionally) writes
every row in the caller's transaction, `report` writes the rejection report and templates,
and `batches` keeps an uploaded file between the web preview and its confirmation.
"""
