"""The wire formats of a pull: CSV, Parquet and JSON lines, from an Arrow table.

Vectorized writers only (Arrow's CSV and Parquet writers, pandas' JSON writer); no Python
loop over rows.
"""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "jsonl": "application/x-ndjson",
}
FORMATS = tuple(MEDIA_TYPES)


def serialize(table: pa.Table, fmt: str) -> bytes:
    if fmt == "csv":
        buffer = io.BytesIO()
        # Quote only where a value needs it, as the published contacts.csv does.
        pacsv.write_csv(table, buffer, pacsv.WriteOptions(quoting_style="needed"))
        return buffer.getvalue()
    if fmt == "parquet":
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        return buffer.getvalue()
    if fmt == "jsonl":
        if table.num_rows == 0:
            return b""
        return table.to_pandas().to_json(orient="records", lines=True, force_ascii=False).encode()
    raise ValueError(fmt)
