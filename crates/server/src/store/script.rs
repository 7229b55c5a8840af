//! A change's statements sent to the database together, in one call: in a group
//! the lane waits through every call (docs/architecture.md#group-commit). On
//! SQLite a call is two thread switches (sqlx-sqlite hands it to its
//! connection's worker thread and back), and a script is several statements in
//! one call. On PostgreSQL a call is a round trip, and parameters come with one
//! statement per message, so a script is one statement: each but the last a
//! data-modifying `WITH` part, and a table at most once (the parts of one
//! statement do not see each other's rows).

use super::{bind_all, Arg, Dialect, StoreError};
use sqlx::AnyConnection;

/// Parameters gathered before the script is sent anyway: bounds what a large
/// change (an import's slice of rows) holds at once.
const MAX_PARAMS: usize = 30_000;

/// Statements waiting to be sent, in order.
pub(super) struct Script {
    dialect: Dialect,
    /// SQLite: the statements, each ending in `;`. PostgreSQL: the parts.
    sql: String,
    /// PostgreSQL: each part's table, and where its SQL starts in `sql`.
    parts: Vec<(String, usize)>,
    args: Vec<Arg>,
}

impl Script {
    pub(super) fn new(dialect: Dialect) -> Script {
        Script {
            dialect,
            sql: String::new(),
            parts: Vec::new(),
            args: Vec::new(),
        }
    }

    /// Adds a statement whose parameters are `$1`, `$2`, ... or `?`, each used
    /// once and in order (SQLite binds a script's `?`s in order across its
    /// statements, so each statement's `$n` becomes a `?`; PostgreSQL's are
    /// renumbered after the script's). A statement that cannot join (parameters
    /// out of order; on PostgreSQL, not an INSERT, UPDATE or DELETE, or on a
    /// table already in the script) is sent after what came before it.
    pub(super) async fn add(
        &mut self,
        conn: &mut AnyConnection,
        sql: &str,
        args: Vec<Arg>,
    ) -> Result<(), StoreError> {
        if self.args.len() + args.len() > MAX_PARAMS {
            self.send(conn).await?;
        }
        let joined = match self.dialect {
            Dialect::Sqlite => self.add_sqlite(sql, args.len()),
            Dialect::Postgres => {
                if self
                    .parts
                    .iter()
                    .any(|(t, _)| Some(t.as_str()) == table(sql))
                {
                    self.send(conn).await?;
                }
                self.add_postgres(sql, args.len())
            }
        };
        if !joined {
            self.send(conn).await?;
            return run(conn, sql, args).await;
        }
        self.args.extend(args);
        Ok(())
    }

    fn add_sqlite(&mut self, sql: &str, count: usize) -> bool {
        let start = self.sql.len();
        if !renumbered(sql, count, None, &mut self.sql) {
            self.sql.truncate(start);
            return false;
        }
        self.sql.push_str(";\n");
        true
    }

    fn add_postgres(&mut self, sql: &str, count: usize) -> bool {
        let Some(table) = table(sql) else {
            return false;
        };
        let start = self.sql.len();
        if !renumbered(sql, count, Some(self.args.len()), &mut self.sql) {
            self.sql.truncate(start);
            return false;
        }
        self.parts.push((table.to_string(), start));
        true
    }

    /// Runs the statements added and not yet run. A failed one stops the rest;
    /// on SQLite those before it have run (the change's savepoint takes them
    /// back).
    pub(super) async fn send(&mut self, conn: &mut AnyConnection) -> Result<(), StoreError> {
        if self.sql.is_empty() {
            return Ok(());
        }
        let sql = std::mem::take(&mut self.sql);
        let args = std::mem::take(&mut self.args);
        let parts = std::mem::take(&mut self.parts);
        if parts.len() < 2 {
            return run(conn, &sql, args).await;
        }
        // WITH s0 AS (first), s1 AS (second), ... last
        let mut statement = String::with_capacity(sql.len() + parts.len() * 12);
        for (i, (_, start)) in parts.iter().enumerate() {
            let end = parts.get(i + 1).map_or(sql.len(), |(_, next)| *next);
            let part = &sql[*start..end];
            if i + 1 == parts.len() {
                statement.push(' ');
                statement.push_str(part);
            } else {
                statement.push_str(if i == 0 { "WITH " } else { ", " });
                statement.push_str(&format!("s{i} AS ({part})"));
            }
        }
        run(conn, &statement, args).await
    }
}

/// The table an INSERT, UPDATE or DELETE writes, or `None` for any other
/// statement.
fn table(sql: &str) -> Option<&str> {
    let rest = sql
        .strip_prefix("INSERT INTO ")
        .or_else(|| sql.strip_prefix("UPDATE "))
        .or_else(|| sql.strip_prefix("DELETE FROM "))?;
    rest.split([' ', '(']).next().filter(|t| !t.is_empty())
}

async fn run(conn: &mut AnyConnection, sql: &str, args: Vec<Arg>) -> Result<(), StoreError> {
    bind_all(sqlx::query::<sqlx::Any>(sql), args)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Appends `sql` to `out` with its parameters renumbered: each `$n` (or `?`)
/// written as `?` (`after`: `None`) or as `$` and `n + after`. False if they are
/// not `$1` to `$count` in order: the statement cannot join a script then.
fn renumbered(sql: &str, count: usize, after: Option<usize>, out: &mut String) -> bool {
    let mut next = 1;
    let mut rest = sql;
    while let Some(at) = rest.find(['$', '?']) {
        out.push_str(&rest[..at]);
        let digits = rest[at + 1..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len() - at - 1);
        let number = &rest[at + 1..at + 1 + digits];
        let n = if number.is_empty() {
            next
        } else {
            match number.parse::<usize>() {
                Ok(n) => n,
                Err(_) => return false,
            }
        };
        if n != next {
            return false;
        }
        next += 1;
        match after {
            None => out.push('?'),
            Some(after) => {
                out.push('$');
                out.push_str(&(n + after).to_string());
            }
        }
        rest = &rest[at + 1 + digits..];
    }
    out.push_str(rest);
    next - 1 == count
}

#[cfg(test)]
mod tests {
    use super::{renumbered, table};

    fn converted(sql: &str, count: usize, after: Option<usize>) -> Option<String> {
        let mut out = String::new();
        renumbered(sql, count, after, &mut out).then_some(out)
    }

    #[test]
    fn numbered_parameters_in_order_become_anonymous_ones_for_sqlite() {
        assert_eq!(
            converted("UPDATE t SET a = $1, b = $2 WHERE id = $3", 3, None).as_deref(),
            Some("UPDATE t SET a = ?, b = ? WHERE id = ?")
        );
        assert_eq!(
            converted("INSERT INTO t VALUES (?,?),(?,?)", 4, None).as_deref(),
            Some("INSERT INTO t VALUES (?,?),(?,?)")
        );
        assert_eq!(
            converted("SAVEPOINT s", 0, None).as_deref(),
            Some("SAVEPOINT s")
        );
    }

    #[test]
    fn numbered_parameters_follow_the_scripts_for_postgres() {
        assert_eq!(
            converted("UPDATE t SET a = $1 WHERE id = $2", 2, Some(9)).as_deref(),
            Some("UPDATE t SET a = $10 WHERE id = $11")
        );
    }

    #[test]
    fn parameters_out_of_order_or_miscounted_keep_a_statement_out_of_a_script() {
        assert_eq!(converted("SELECT $2, $1", 2, None), None);
        assert_eq!(converted("SELECT $1, $1", 1, Some(3)), None);
        assert_eq!(converted("SELECT $1", 2, None), None);
    }

    #[test]
    fn a_statement_names_the_table_it_writes_if_it_writes_one() {
        assert_eq!(
            table("INSERT INTO events (org_id) VALUES ($1)"),
            Some("events")
        );
        assert_eq!(
            table("UPDATE organizations SET a = $1"),
            Some("organizations")
        );
        assert_eq!(
            table("DELETE FROM grants WHERE org_id = $1"),
            Some("grants")
        );
        assert_eq!(table("SELECT 1"), None);
    }
}
