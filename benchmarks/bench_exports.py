"""CSV and XLSX exports of every consented referral, beside the bare libraries doing the same: the
rows read with sqlcipher3, the same columns (codes, labels in English and French, admin levels from
the gazetteer) written by the csv module or XlsxWriter.

    .venv/bin/python benchmarks/bench_exports.py VAULT RECOVERY_KEY   # alone, on any vault
"""

from __future__ import annotations

import csv
import sys
import tempfile
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from timing import Row, alternate  # noqa: E402

from fieldapp.documents.export_columns import REFERRALS  # noqa: E402
from fieldapp.documents.exports import export  # noqa: E402
from fieldapp.domain import vocab  # noqa: E402
from fieldapp.i18n import translate_in  # noqa: E402

# The stored columns of a referral export, in its order; vocabulary ones get English and French labels.
COLUMNS = ("id", "survivor_code", "reported_at", "incident_date", "incident_date_precision", "incident_type", "crsv",
           "sex", "age_group", "displacement", "disability", "perpetrator_category", "perpetrator_count",
           "location_pcode", "entry_point", "consent_referral", "consent_reporting", "consent_by", "consent_at",
           "status", "created_at", "updated_at")
VOCABULARIES = {"incident_date_precision": vocab.DATE_PRECISION, "incident_type": vocab.INCIDENT_TYPE,
                "sex": vocab.SEX, "age_group": vocab.AGE_GROUP, "displacement": vocab.DISPLACEMENT,
                "disability": vocab.YES_NO_UNKNOWN, "perpetrator_category": vocab.PERPETRATOR_CATEGORY,
                "entry_point": vocab.ENTRY_POINT, "consent_by": vocab.CONSENT_BY, "status": vocab.REFERRAL_STATUS}
SQL = (f"SELECT {', '.join(COLUMNS)} FROM referrals WHERE deleted = 0 AND consent_reporting = 1 ORDER BY seq")


def _bare_rows(bare):
    """What a hand-written exporter would put in each row: codes, two labels, the admin levels."""
    labels = {(name, code, language): vocabulary.label_in(language, code) for name, vocabulary in VOCABULARIES.items()
              for code in vocabulary.codes for language in ("en", "fr")}
    places = {pcode: (parent, name) for pcode, parent, name in bare.execute(
        "SELECT pcode, parent_pcode, name_en FROM places")}
    for row in bare.execute(SQL):
        values = []
        for name, value in zip(COLUMNS, row):
            values.append(value)
            if name in VOCABULARIES:
                values += [labels.get((name, value, "en"), ""), labels.get((name, value, "fr"), "")]
            elif name == "location_pcode":
                parent = places.get(value, ("", ""))[0]
                values += [parent, places.get(parent, ("", ""))[1], value, places.get(value, ("", ""))[1]]
        yield values


def _header():
    return [" / ".join({translate_in("en", c.title): 0, translate_in("fr", c.title): 0}) for c in REFERRALS]


def bare_csv(bare, path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(_header())
        writer.writerows(_bare_rows(bare))


def bare_xlsx(bare, path: Path, scratch: str) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": scratch})
    sheet = book.add_worksheet()
    day = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 0, _header())
    for number, values in enumerate(_bare_rows(bare), start=1):
        for column, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
                sheet.write_datetime(number, column, datetime.fromisoformat(value[:19]), day)
            elif isinstance(value, (int, float)):
                sheet.write_number(number, column, value)
            else:
                sheet.write_string(number, column, value)
    book.close()


def measure(session, bare, runs: int, folder: Path) -> list[Row]:
    folder.mkdir(parents=True, exist_ok=True)
    count = bare.execute("SELECT count(*) FROM referrals WHERE deleted = 0 AND consent_reporting = 1").fetchone()[0]
    rows = []
    for fmt, limit in (("csv", 1.5), ("xlsx", 1.5)):
        row = Row(f"Export {count:,} consented referrals to {fmt.upper()} (en+fr labels, HXL row)".replace(",", " ", 1)
                  if count >= 1000 else f"Export {count} consented referrals to {fmt.upper()}",
                  limit=limit, baseline_label=("sqlcipher3 + csv module" if fmt == "csv"
                                               else "sqlcipher3 + XlsxWriter (constant_memory)"))
        scratch = tempfile.mkdtemp(dir=folder)
        app = (lambda fmt=fmt: export(session, "referrals", folder / f"app.{fmt}", fmt, "en+fr", True))
        base = ((lambda: bare_csv(bare, folder / "bare.csv")) if fmt == "csv"
                else (lambda: bare_xlsx(bare, folder / "bare.xlsx", scratch)))
        alternate(app, base, runs, row)
        rows.append(row)
    return rows


if __name__ == "__main__":
    from timing import bare_connection, raw_key, seconds_text

    from fieldapp.store.vault import Vault

    vault, key = Path(sys.argv[1]), sys.argv[2]
    session = Vault(vault).unlock_with_recovery(key, sys.argv[3] if len(sys.argv) > 3 else "amina")
    bare = bare_connection(vault / "fieldapp.db", raw_key(vault, key))
    for row in measure(session, bare, 3, Path(tempfile.mkdtemp())):
        print(f"{row.operation}: {seconds_text(row.app_median)} vs {seconds_text(row.baseline_median)} "
              f"= {row.ratio:.2f}×")
    session.close()
