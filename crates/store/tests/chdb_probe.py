"""Replays Veil's schema catalog (JSON on stdin, from veil_store::probe) on
current ClickHouse through chdb-core: every migration twice (they must be
idempotent), a sample row per table, every representative query. Prints a
summary; exits non-zero naming the statement that failed."""

import json
import sys
import tempfile

import chdb
from chdb import session as chs


def main() -> int:
    catalog = json.load(sys.stdin)
    with tempfile.TemporaryDirectory() as path:
        sess = chs.Session(path)
        try:
            return replay(sess, catalog)
        finally:
            sess.close()


def run(sess, sql, fmt="TSV"):
    try:
        return sess.query(sql, fmt)
    except Exception as error:  # chdb raises its own error types
        print(f"FAILED: {sql}\n  {error}", file=sys.stderr)
        raise SystemExit(1)


def replay(sess, catalog) -> int:
    run(sess, "CREATE DATABASE IF NOT EXISTS veil_probe")
    run(sess, "USE veil_probe")
    for statement in catalog["bootstrap"]:
        run(sess, statement)
    for _ in range(2):
        for migration in catalog["migrations"]:
            for statement, guard in zip(migration["statements"], migration["guards"]):
                # As the runner does: a column drop only while the column
                # exists, an addition only while it does not (18.16 has no
                # IF [NOT] EXISTS for columns).
                if guard is not None:
                    table, column, runs_when_present = guard
                    present = str(run(sess, "SELECT count() FROM system.columns WHERE "
                                      f"database = currentDatabase() AND table = '{table}' "
                                      f"AND name = '{column}'")).strip() != "0"
                    if present != runs_when_present:
                        continue
                run(sess, statement)
    for table in catalog["tables"]:
        run(sess, table["sample_insert"])
        for query in table["queries"]:
            rows = str(run(sess, query)).strip()
            if not rows:
                print(f"FAILED: no row from {query}", file=sys.stderr)
                return 1
    version = str(run(sess, "SELECT version()")).strip()
    print(f"ClickHouse {version} (chdb {chdb.__version__}): "
          f"{len(catalog['migrations'])} migrations applied twice, "
          f"tables probed: {', '.join(t['table'] for t in catalog['tables'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
