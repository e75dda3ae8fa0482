"""Open CSV downloads with real clients: LibreOffice (headless) and pandas.

    python bench/hardening/open_with_libreoffice.py                 # hostile samples
    python bench/hardening/open_with_libreoffice.py fichas-v1.csv   # files you downloaded

With no file, writes the same hostile cells twice — as they are, and through
``registry.cells.neutralise_row`` (what every tabular output of the registry uses) —
and reports, for each file, how many cells LibreOffice turned into formulas when it
opened it (converted to XLSX, then read with openpyxl) and whether pandas reads the
neutralised values back exactly (``unneutralise``). Needs Debian's
``libreoffice-calc-nogui`` and pandas (``bench/requirements.txt``); not part of CI.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from registry.cells import neutralise_row, unneutralise

HOSTILE = ['=HYPERLINK("http://example.invalid","Ver foto")', "\t=1+1", " =2+2", "\r=3+3",
           "+4+4", "-5+5", "@SUM(1;2)", "'=6+6", "-5", "Pérez", "=cmd|' /C calc'!A0"]


def formula_cells(path: Path, workdir: Path) -> int:
    """Return how many cells LibreOffice made formulas of when it opened ``path``."""
    from openpyxl import load_workbook

    subprocess.run(["soffice", "--headless", "--norestore",
                    f"-env:UserInstallation=file://{workdir}/profile", "--convert-to", "xlsx",
                    "--outdir", str(workdir), str(path)], check=True, capture_output=True)
    sheet = load_workbook(workdir / (path.stem + ".xlsx")).active
    return sum(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def main(paths: list[str]) -> None:
    import pandas

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if not paths:
            for name, rows in (("as-is", [[v] for v in HOSTILE]),
                               ("neutralised", [neutralise_row([v]) for v in HOSTILE])):
                target = workdir / f"{name}.csv"
                with target.open("w", newline="", encoding="utf-8") as handle:
                    csv.writer(handle).writerows([["valor"], *rows])
                paths.append(str(target))
        for path in map(Path, paths):
            frame = pandas.read_csv(path, dtype=str, keep_default_na=False,
                                    encoding="utf-8-sig", comment=None)
            first = frame.columns[0]
            round_trip = ([unneutralise(v) for v in frame[first]] == HOSTILE
                          if path.stem == "neutralised" else "n/a")
            print(f"{path.name}: LibreOffice formulas: {formula_cells(path, workdir)}; "
                  f"pandas rows: {len(frame)}; pandas round trip: {round_trip}")


if __name__ == "__main__":
    main(sys.argv[1:])
