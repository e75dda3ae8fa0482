"""Write a synthetic detention log (CSV or XLSX) of N rows, 12 columns, like an agency export."""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

HEADER = ["FOLIO", "NOMBRE(S)", "APELLIDO PATERNO", "APELLIDO MATERNO", "SEXO",
          "FECHA DE NACIMIENTO", "CURP", "ENTIDAD", "MUNICIPIO", "FECHA DE DETENCIÓN",
          "AUTORIDAD", "LUGAR DE RECLUSIÓN"]
GIVEN = ["José", "María", "Juan", "Guadalupe", "Francisco", "Ana María", "Jesús", "Rosa",
         "Miguel Ángel", "Verónica", "Luis", "Sofía", "Alejandro", "Daniela"]
SURNAMES = ["Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez",
            "Sánchez", "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Núñez"]
PLACES = [("Jalisco", "Guadalajara"), ("CDMX", "Iztapalapa"), ("Nuevo León", "Monterrey"),
          ("Guerrero", "Acapulco de Juárez"), ("Veracruz", "Xalapa"), ("Sonora", "Hermosillo")]
AUTHORITIES = ["Policía Estatal", "Guardia Nacional", "Policía Municipal", "Fiscalía"]
FACILITIES = ["Puente Grande", "Reclusorio Oriente", "CERESO Topo Chico", "Estación Siglo XXI"]


def rows(count: int, seed: int = 7):
    rng = random.Random(seed)
    for n in range(1, count + 1):
        state, municipality = rng.choice(PLACES)
        yield [
            f"DET-{n:08d}", rng.choice(GIVEN), rng.choice(SURNAMES), rng.choice(SURNAMES),
            rng.choice("HM"), f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/"
            f"{rng.randint(1950, 2005)}", "", state, municipality,
            f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2015, 2025)}",
            rng.choice(AUTHORITIES), rng.choice(FACILITIES),
        ]


def write_csv(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows(count))


def write_xlsx(path: Path, count: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Detenciones")
    sheet.append(HEADER)
    for row in rows(count):
        sheet.append(row)
    workbook.save(path)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=Path)
    parser.add_argument("rows", type=int)
    args = parser.parse_args()
    (write_xlsx if args.path.suffix == ".xlsx" else write_csv)(args.path, args.rows)
