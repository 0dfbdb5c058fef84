//! The versioned schema: one SQL file per migration under `migrations/`,
//! embedded at build time so the binary carries its schema.
//!
//! Rules for adding one (tests enforce the first three):
//! - versions start at 1 and grow by one; the file is `NNNN_name.sql`;
//! - every `CREATE`/`DROP` says `IF NOT EXISTS`/`IF EXISTS`, so a migration
//!   interrupted half-way can simply run again; an `ALTER` is either
//!   `ALTER TABLE t DROP COLUMN c` (one column), which the runner skips when
//!   the column is already gone, or `ALTER TABLE t ADD COLUMN c …[, ADD
//!   COLUMN …][, MODIFY ORDER BY …]`, which it skips when the first added
//!   column is already there (18.16 has no `IF [NOT] EXISTS` for columns):
//!   see [`ColumnGuard`];
//! - statements end with `;` at the end of a line and contain no `;`
//!   elsewhere (ClickHouse takes one statement per HTTP request);
//! - never edit a migration that was released: the runner refuses a database
//!   whose recorded checksum differs; add a new migration instead;
//! - the SQL must run on ClickHouse 18.16 and current releases, and its
//!   tables need a sample row and a query in [`crate::probe`].

/// One schema change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    /// Position in the sequence, from 1.
    pub version: u32,
    /// Short name, the file name without number and extension.
    pub name: &'static str,
    /// The file's text.
    pub sql: &'static str,
}

macro_rules! migration {
    ($version:literal, $file:literal) => {
        Migration {
            version: $version,
            name: $file,
            sql: include_str!(concat!("../migrations/", $file, ".sql")),
        }
    };
}

/// Every migration, in order. The name here includes the number prefix of
/// the file so a mismatch between list and file shows at a glance.
#[rustfmt::skip]
pub static MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_consent_log"),
    migration!(2, "0002_recordings"),
    migration!(3, "0003_heatmaps"),
    migration!(4, "0004_sessions_audit"),
    migration!(5, "0005_console_logouts"),
    migration!(6, "0006_recording_archives"),
    migration!(7, "0007_archive_metadata"),
    migration!(8, "0008_forms"),
    migration!(9, "0009_page_signals"),
    migration!(10, "0010_segments"),
];

impl Migration {
    /// The statements of this migration, comments and blank lines removed.
    pub fn statements(&self) -> Vec<String> {
        let mut statements = Vec::new();
        let mut current = String::new();
        for line in self.sql.lines() {
            let code = line.split_once("--").map_or(line, |(code, _)| code).trim_end();
            if code.trim().is_empty() {
                continue;
            }
            if !current.is_empty() {
                current.push('\n');
            }
            match code.strip_suffix(';') {
                Some(last) => {
                    current.push_str(last);
                    statements.push(std::mem::take(&mut current));
                }
                None => current.push_str(code),
            }
        }
        if !current.trim().is_empty() {
            statements.push(current);
        }
        statements
    }

    /// BLAKE3 of the file's text, recorded when applied so later edits of a
    /// released migration are caught.
    pub fn checksum(&self) -> String {
        blake3::hash(self.sql.as_bytes()).to_hex().to_string()
    }
}

/// The newest version this build knows.
pub fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The condition under which an `ALTER` of a migration runs, so that a
/// migration interrupted half-way runs again cleanly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnGuard<'a> {
    /// `ALTER TABLE t DROP COLUMN c`: runs while `column` exists.
    Drop {
        /// The altered table.
        table: &'a str,
        /// The dropped column.
        column: &'a str,
    },
    /// `ALTER TABLE t ADD COLUMN c …`: runs while `column` (the first one
    /// added) does not exist; the rest of the statement (more columns, a
    /// new sorting key) is applied with it in one step.
    Add {
        /// The altered table.
        table: &'a str,
        /// The first added column.
        column: &'a str,
    },
}

impl<'a> ColumnGuard<'a> {
    /// The guard of `statement`, `None` when it is not one of the two
    /// `ALTER` forms migrations may use.
    pub fn of(statement: &'a str) -> Option<ColumnGuard<'a>> {
        let words: Vec<&str> = statement.split_whitespace().collect();
        let is = |word: &str, expected: &str| word.eq_ignore_ascii_case(expected);
        match words.as_slice() {
            [alter, table_kw, table, drop, column_kw, column]
                if is(alter, "ALTER")
                    && is(table_kw, "TABLE")
                    && is(drop, "DROP")
                    && is(column_kw, "COLUMN") =>
            {
                Some(ColumnGuard::Drop { table, column })
            }
            [alter, table_kw, table, add, column_kw, column, _type, ..]
                if is(alter, "ALTER")
                    && is(table_kw, "TABLE")
                    && is(add, "ADD")
                    && is(column_kw, "COLUMN") =>
            {
                Some(ColumnGuard::Add { table, column })
            }
            _ => None,
        }
    }

    /// The altered table.
    pub fn table(&self) -> &'a str {
        match self {
            ColumnGuard::Drop { table, .. } | ColumnGuard::Add { table, .. } => table,
        }
    }

    /// The column whose presence decides.
    pub fn column(&self) -> &'a str {
        match self {
            ColumnGuard::Drop { column, .. } | ColumnGuard::Add { column, .. } => column,
        }
    }

    /// Whether the statement still has to run, given whether the column is
    /// there now.
    pub fn runs_when(&self, column_present: bool) -> bool {
        match self {
            ColumnGuard::Drop { .. } => column_present,
            ColumnGuard::Add { .. } => !column_present,
        }
    }
}

/// Table names created by the migrations, for tests that must cover every
/// table (probes, erasure scans).
pub fn tables() -> Vec<String> {
    MIGRATIONS
        .iter()
        .flat_map(|m| m.statements())
        .filter_map(|statement| {
            let rest = statement.trim_start().strip_prefix("CREATE TABLE IF NOT EXISTS ")?;
            let name = rest.split(|c: char| c.is_whitespace() || c == '(').next()?;
            Some(name.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_start_at_one_and_have_no_gaps() {
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            let expected = u32::try_from(index + 1).expect("few migrations");
            assert_eq!(migration.version, expected, "{}", migration.name);
            let prefix = format!("{expected:04}_");
            assert!(migration.name.starts_with(&prefix), "{} should start with {prefix}", migration.name);
        }
    }

    #[test]
    fn every_statement_is_idempotent_and_single() {
        for migration in MIGRATIONS {
            let statements = migration.statements();
            assert!(!statements.is_empty(), "{} has no statement", migration.name);
            for statement in statements {
                assert!(!statement.contains(';'), "{}: `;` inside a statement", migration.name);
                let upper = statement.to_ascii_uppercase();
                let head = upper.trim_start();
                if head.starts_with("CREATE") {
                    assert!(head.contains("IF NOT EXISTS"), "{}: {statement}", migration.name);
                }
                if head.starts_with("DROP") {
                    assert!(head.contains("IF EXISTS"), "{}: {statement}", migration.name);
                }
                if head.starts_with("ALTER") {
                    assert!(ColumnGuard::of(&statement).is_some(), "{}: {statement}", migration.name);
                }
            }
        }
    }

    #[test]
    fn statements_split_on_line_ending_semicolons_and_drop_comments() {
        let migration = Migration {
            version: 1,
            name: "0001_test",
            sql: "-- header\nCREATE TABLE IF NOT EXISTS a (x UInt8) -- trailing\nENGINE = Memory;\n\n-- two\nCREATE TABLE IF NOT EXISTS b (y UInt8) ENGINE = Memory;\n",
        };
        assert_eq!(
            migration.statements(),
            vec![
                "CREATE TABLE IF NOT EXISTS a (x UInt8)\nENGINE = Memory".to_owned(),
                "CREATE TABLE IF NOT EXISTS b (y UInt8) ENGINE = Memory".to_owned(),
            ]
        );
    }

    #[test]
    fn only_guarded_column_changes_are_conditional_alters() {
        let drop = |t, c| Some(ColumnGuard::Drop { table: t, column: c });
        let add = |t, c| Some(ColumnGuard::Add { table: t, column: c });
        assert_eq!(ColumnGuard::of("ALTER TABLE t DROP COLUMN c"), drop("t", "c"));
        assert_eq!(ColumnGuard::of("alter table t\n  drop column c"), drop("t", "c"));
        assert_eq!(ColumnGuard::of("ALTER TABLE t DROP COLUMN c, DROP COLUMN d"), None);
        assert_eq!(ColumnGuard::of("ALTER TABLE t ADD COLUMN c UInt8"), add("t", "c"));
        assert_eq!(
            ColumnGuard::of(
                "ALTER TABLE t ADD COLUMN c UInt8, ADD COLUMN d String, MODIFY ORDER BY (a, c, d)"
            ),
            add("t", "c")
        );
        assert_eq!(ColumnGuard::of("ALTER TABLE t ADD COLUMN c"), None, "no type");
        assert_eq!(ColumnGuard::of("ALTER TABLE t DELETE WHERE 1"), None);
        assert_eq!(ColumnGuard::of("ALTER TABLE t MODIFY ORDER BY (a)"), None);
        let guard = add("t", "c").expect("guard");
        assert!(guard.runs_when(false) && !guard.runs_when(true));
        let guard = drop("t", "c").expect("guard");
        assert!(guard.runs_when(true) && !guard.runs_when(false));
        assert_eq!((guard.table(), guard.column()), ("t", "c"));
    }

    #[test]
    fn tables_lists_created_tables() {
        assert!(tables().contains(&"consent_log".to_owned()));
    }
}
